"""The report journey: results in from the LIS/PACS, matched to 就诊人, critical values
escalated to clinicians, reports pushed to patients and explained.

`ingest` stores what arrives (idempotent by accession), `matching` finds the patient by the
hospital's identifiers, `critical` escalates 危急值 until acknowledged, `delivery` pushes reports
and measures coverage, `views` explains them to patients, `admin` serves the console.
"""
