"""Factories for the chronic-disease programmes: residents, enrolments, resident files."""

from __future__ import annotations

import json
from datetime import date

from flask import current_app

from backend.extensions import db
from backend.models import Organization, ProgrammeEnrolment, Resident, StaffUser
from tests import factories as f

CSV_HEADER = ("health_record_number,name,sex,birth_date,document_type,document_number,phone,"
              "programmes,diagnosed_on,doctor,management_level")


def resident(org: Organization, name: str = "王建国", birth: date = date(1955, 3, 1),
             male: bool = True, phone: str | None = "13900000001") -> Resident:
    number = f.resident_id(birth, male)
    index = current_app.extensions["blind_index"]
    row = Resident(organization_id=org.id, name=name, sex="male" if male else "female",
                   birth_date=birth, document_type="resident_id", document_number=number,
                   document_index=index.digest(number, "document"), phone=phone,
                   phone_index=index.digest(phone, "phone") if phone else None, source="import")
    db.session.add(row)
    db.session.commit()
    return row


def enrol(person: Resident, doctor: StaffUser, programme: str = "hypertension",
          enrolled_on: date = date(2026, 1, 5), next_due_on: date | None = None,
          plan: dict | None = None) -> ProgrammeEnrolment:
    row = ProgrammeEnrolment(resident_id=person.id, programme=programme,
                             diagnosed_on=date(2020, 6, 1), enrolled_on=enrolled_on,
                             doctor_id=doctor.id, management_level=1, plan=plan or {},
                             next_due_on=next_due_on or enrolled_on,
                             next_due_rule="first_followup")
    db.session.add(row)
    db.session.commit()
    return row


def resident_with_account(org_code: str = "CHC01") -> dict:
    """王建国, a resident of the centre who uses the mini-program himself, with his family
    doctor, and the bearer headers a test signs in with (his own, a stranger's, the doctor's)."""
    org = f.organization(org_code)
    doctor = f.staff(org)
    acct = f.account()
    profile = f.profile(acct, name="王建国", birth=date(1958, 3, 1))
    person = resident(org, name="王建国", birth=date(1958, 3, 1))
    person.patient_id = profile.id
    db.session.commit()
    return {"org": org, "doctor": doctor, "profile": profile, "person": person,
            "me": f.bearer(f.account_token(acct)),
            "stranger": f.bearer(f.account_token(f.account())),
            "doctor_h": f.bearer(f.staff_token(doctor))}


def csv_file(tmp_path, *rows: str, name: str = "residents.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join((CSV_HEADER, *rows)) + "\n", encoding="utf-8")
    return str(path)


def patient_bundle(*patients: dict) -> bytes:
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": [{"resource": p} for p in patients]}).encode()


def fhir_patient(number: str, name: str = "李秀英", phone: str | None = None) -> dict:
    patient = {"resourceType": "Patient", "name": [{"text": name}],
               "identifier": [{"system": "urn:oid:2.16.156.10011.1.3", "value": number}]}
    if phone:
        patient["telecom"] = [{"system": "phone", "value": phone}]
    return patient
