"""Exchange with hospital systems: the pre-visit note as HL7 FHIR R4, and delivery to the EMR.

`fhir` maps a confirmed note to a transaction Bundle (pure functions, no Flask, no database);
`emr_client` posts it; `sm2` signs the body where a receiver asks for a national-standard
signature.
"""
