"""A hospital with clinicians, the patient of tests/fixtures/hl7/, and an MLLP sender."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests
from flask import current_app

from backend.extensions import db
from backend.models import Organization, PatientProfile, StaffUser
from backend.services.staff import hash_password
from simulators.lis import LisSimulator
from tests import factories as f

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hl7"
ZHANG_ID = "110105195301150025"  # PID-3 of every fixture (张伟, male, 1953-01-15)
ZHANG_MRN = "0001234567"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.hl7").read_bytes()


def edited(name: str, *pairs: tuple[str, str]) -> bytes:
    """A fixture with text replaced (UTF-8 fixtures only)."""
    text = fixture(name).decode("utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode("utf-8")


@dataclass
class Hospital:
    organization: Organization
    clinician: StaffUser  # D001, 心血管内科, orders every fixture
    colleague: StaffUser  # another clinician of 心血管内科
    head: StaffUser  # 心血管内科 head
    other_department: StaffUser
    admin: StaffUser
    integration: StaffUser


def wecom_url() -> str:
    return current_app.config["WECOM_API_BASE_URL"].rstrip("/")


def wecom_member(userid: str) -> str:
    """The simulated corp gets a member (the WeCom app can reach them)."""
    requests.post(f"{wecom_url()}/_sim/members", json={"userid": userid},
                  timeout=5).raise_for_status()
    return userid


def wecom_messages(staff: StaffUser) -> list[str]:
    """The texts WeCom delivered to this member of staff, oldest first."""
    answer = requests.get(f"{wecom_url()}/_sim/messages",
                          params={"userid": staff.wecom_userid}, timeout=5)
    return [m["text"]["content"] for m in answer.json()["messages"]]


def _staff(org: Organization, role: str, his_code: str | None, department: str | None,
           name: str) -> StaffUser:
    # Each test's staff are new members of the (session-wide) simulated corp.
    userid = wecom_member(f"{name}-{secrets.token_hex(4)}")
    user = StaffUser(username=f"{name}{org.code.lower()}", display_name=name, role=role,
                     organization_id=org.id, his_code=his_code, department_code=department,
                     wecom_userid=userid, password_hash=hash_password(f.STAFF_PASSWORD))
    db.session.add(user)
    db.session.commit()
    return user


def hospital(code: str = "H001") -> Hospital:
    org = f.organization(code, kind="tertiary_hospital")
    return Hospital(org, _staff(org, "clinician", "D001", "CARD", "liming"),
                    _staff(org, "clinician", "D002", "CARD", "wangfang"),
                    _staff(org, "department_head", "D009", "CARD", "zhaoqiang"),
                    _staff(org, "clinician", "D101", "NEUR", "sunli"),
                    _staff(org, "hospital_admin", None, None, "admin"),
                    _staff(org, "integration", None, None, "lis"))


def zhang(account=None, number: str = ZHANG_ID) -> PatientProfile:
    account = account or f.account()
    index = current_app.extensions["blind_index"]
    row = PatientProfile(account_id=account.id, relationship="self", name="张伟", sex="male",
                         birth_date=date(1953, 1, 15), document_type="resident_id",
                         document_number=number, document_index=index.digest(number, "document"))
    db.session.add(row)
    db.session.commit()
    return row


def send(port: int, *messages: bytes) -> list[bytes]:
    """Send each message over one MLLP connection, waiting for its ACK as a LIS does."""
    return LisSimulator.send_mllp("127.0.0.1", port, list(messages))


def msa(ack: bytes, encoding: str = "utf-8") -> list[str]:
    """MSA-1, MSA-2, MSA-3 of an ACK."""
    segment = next(s for s in ack.decode(encoding).split("\r") if s.startswith("MSA"))
    return [*segment.split("|"), "", "", ""][1:4]
