"""Demo vaccination records: 张伟's two children with partial records from the immunisation
system, so a newcomer sees done, due and overdue doses and the reminders they start.

张子涵 (born 2019-06-01) missed her 18-month and later doses: overdue ones to catch up. 张小满 is
born seven months before the day the demo is seeded (his ID number is made for that birth date),
so he always has doses due now. Running again adds nothing.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.models import Account, Organization, PatientProfile, VaccinationRecord
from backend.security.identity_docs import resident_id_check_char
from backend.services import audit
from backend.services.vaccination import due
from backend.timeutil import local_today
from vaccination.ages import Span

ZHANG_OPENID = "oDEMO0000000000000000000zhang"
CLINIC = "C001"
ZIHAN_DOSES = (("HepB", 1, "0d"), ("BCG", 1, "1d"), ("HepB", 2, "1m"), ("IPV", 1, "2m"),
               ("IPV", 2, "3m"), ("DTaP", 1, "3m"), ("bOPV", 3, "4m"), ("DTaP", 2, "4m"),
               ("DTaP", 3, "5m"), ("HepB", 3, "6m"), ("MPSV-A", 1, "6m"), ("MMR", 1, "8m"),
               ("JE-L", 1, "8m"), ("MPSV-A", 2, "9m"))
XIAOMAN_DOSES = (("HepB", 1, "0d"), ("BCG", 1, "1d"), ("HepB", 2, "1m"))


def _new_child_id(birth: date) -> str:
    body = f"110105{birth:%Y%m%d}071"
    return body + resident_id_check_char(body)


def _xiaoman(account: Account) -> PatientProfile:
    child = db.session.execute(select(PatientProfile).where(
        PatientProfile.account_id == account.id, PatientProfile.name == "张小满")
    ).scalar_one_or_none()
    if child is not None:
        return child
    birth = Span.parse("7m").before(local_today())
    number = _new_child_id(birth)
    child = PatientProfile(
        account_id=account.id, relationship="child", name="张小满", sex="male",
        birth_date=birth, document_type="resident_id", document_number=number,
        document_index=current_app.extensions["blind_index"].digest(number, "document"))
    db.session.add(child)
    db.session.flush()
    audit.record("profile.create", "patient_profile", str(child.external_id),
                 {"relationship": "child"}, actor_kind="system", actor_id="seed-demo")
    return child


def _record(child: PatientProfile, doses, organization: Organization) -> int:
    added = 0
    for vaccine, dose, age in doses:
        given = Span.parse(age).after(child.birth_date)
        exists = db.session.execute(select(VaccinationRecord.id).where(
            VaccinationRecord.patient_id == child.id, VaccinationRecord.vaccine == vaccine,
            VaccinationRecord.dose == dose)).first()
        if exists is None and given <= local_today():
            db.session.add(VaccinationRecord(patient_id=child.id, vaccine=vaccine, dose=dose,
                                             given_on=given, source="import",
                                             organization_id=organization.id))
            added += 1
    return added


def seed_vaccination() -> int:
    """Add the demo children's records; returns how many doses were added."""
    account = db.session.execute(select(Account).where(
        Account.wechat_openid == ZHANG_OPENID)).scalar_one_or_none()
    organization = db.session.execute(select(Organization).where(
        Organization.code == CLINIC)).scalar_one_or_none()
    if account is None or organization is None:
        return 0
    zihan = db.session.execute(select(PatientProfile).where(
        PatientProfile.account_id == account.id, PatientProfile.name == "张子涵")).scalar_one()
    xiaoman = _xiaoman(account)
    added = _record(zihan, ZIHAN_DOSES, organization)
    added += _record(xiaoman, XIAOMAN_DOSES, organization)
    db.session.flush()
    for child in (zihan, xiaoman):
        due.reschedule(child)
    db.session.commit()
    return added
