"""A child's doses on record, and what `vaccination.assess` makes of them today."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from backend.extensions import db
from backend.models import PatientProfile, VaccinationRecord
from backend.timeutil import local_today
from vaccination import Assessment, DoseGiven, assess


def doses_of(patient_id: int) -> list[VaccinationRecord]:
    return list(db.session.execute(select(VaccinationRecord).where(
        VaccinationRecord.patient_id == patient_id)
        .order_by(VaccinationRecord.given_on, VaccinationRecord.id)).scalars())


def assessment_of(child: PatientProfile, on: date | None = None) -> Assessment:
    records = [DoseGiven(r.vaccine, r.dose, r.given_on) for r in doses_of(child.id)]
    return assess(child.birth_date, records, on or local_today())
