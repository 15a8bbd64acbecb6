"""A child, a parent and a vaccination clinic for the journey's API tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backend.models import Organization, PatientProfile, StaffUser
from tests import factories as f


@dataclass
class Family:
    headers: dict[str, str]
    child: PatientProfile
    child_id: str
    document_number: str
    openid: str


@dataclass
class VaccinationClinic:
    org: Organization
    nurse: StaffUser
    headers: dict[str, str]


def family(birth: date = date(2026, 6, 1), name: str = "小明") -> Family:
    acct = f.account()
    f.profile(acct, name="家长")
    child = f.profile(acct, relationship="child", name=name, birth=birth, phone=None)
    return Family(f.bearer(f.account_token(acct)), child, str(child.external_id),
                  child.document_number, acct.wechat_openid)


def clinic(role: str = "vaccinator", org: Organization | None = None) -> VaccinationClinic:
    org = org or f.organization()
    nurse = f.staff(org, role=role)
    return VaccinationClinic(org, nurse, f.bearer(f.staff_token(nurse)))


def give(client, at: VaccinationClinic, who: Family, vaccine: str, dose: int,
         given_on: str | None = None, **extra):
    body = {"vaccine": vaccine, "dose": dose, "document_number": who.document_number, **extra}
    if given_on:
        body["given_on"] = given_on
    return client.post(f"/api/v1/admin/vaccination/children/{who.child_id}/doses",
                       headers=at.headers, json=body)


def csv_file(*rows: tuple) -> str:
    lines = ["身份证号,出生日期,疫苗,剂次,接种日期,疫苗批号"]
    lines += [",".join(str(cell) for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


def vaccination_sessions(client, *sessions: dict) -> tuple[str, list[list[str]]]:
    """Seed the demo group and push free 接种门诊 (PREV) sessions at the community centre C001;
    returns the centre's id and each session's slot ids."""
    from sqlalchemy import select

    from backend.demo.seed import seed
    from backend.extensions import db

    if db.session.execute(select(Organization.id).where(Organization.code == "C001")).first() \
            is None:
        seed()
    org = db.session.execute(select(Organization).where(Organization.code == "C001")
                             ).scalar_one()
    admin = db.session.execute(select(StaffUser).where(StaffUser.username == "admin.east")
                               ).scalar_one()
    pushed = client.put("/api/v1/admin/schedules", headers=f.bearer(f.staff_token(admin)),
                        json={"schedules": list(sessions)})
    assert pushed.status_code == 200, pushed.json
    return str(org.external_id), [[s["id"] for s in row["slots"]] for row in pushed.json["data"]]


def book(client, who: Family, slot_id: str, child_id: str | None = None):
    return client.post("/api/v1/mp/vaccination/bookings", headers=who.headers,
                       json={"child_id": child_id or who.child_id, "slot_id": slot_id})
