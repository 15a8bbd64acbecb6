"""`frontdoor residents import`: CSV and FHIR bundles, all or nothing, bad rows with their line."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from backend.extensions import db
from backend.models import AuditEntry, ProgrammeEnrolment, Resident
from backend.services.followup.resident_files import read_fhir_bundle
from tests import factories as f
from tests import followup_support as fs

TODAY = date(2026, 12, 5)


@pytest.fixture()
def centre(ctx):
    org = f.organization("CHC01")
    doctor = f.staff(org, username="dr.wang")
    return org, doctor


def _import(ctx, path: str, org: str = "CHC01"):
    return ctx.test_cli_runner().invoke(args=["residents", "import", path, "--organization", org])


def _count(model) -> int:
    db.session.remove()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_csv_imports_residents_and_their_programmes(ctx, centre, tmp_path):
    wang, li = f.resident_id(date(1956, 4, 2)), f.resident_id(date(1949, 8, 9), male=False)
    path = fs.csv_file(
        tmp_path,
        f"HR001,王建国,男,,resident_id,{wang},139 0000 0001,高血压;糖尿病,2019-05-01,dr.wang,2",
        f"HR002,李秀英,,,,{li},,,,,")
    result = _import(ctx, path)
    assert result.exit_code == 0, result.output
    assert "residents added: 2" in result.output and "enrolments added: 2" in result.output
    db.session.remove()
    person = db.session.execute(select(Resident).where(Resident.name == "王建国")).scalar_one()
    assert (person.sex, person.birth_date, person.phone) == ("male", date(1956, 4, 2),
                                                             "13900000001")
    assert sorted(e.programme for e in person.enrolments) == ["hypertension", "type2_diabetes"]
    first = person.enrolments[0]
    assert first.management_level == 2 and first.doctor.username == "dr.wang"
    assert first.next_due_rule == "first_followup" and first.next_due_on == first.enrolled_on


def test_identifiers_are_ciphertext_at_rest(ctx, centre, tmp_path):
    number = f.resident_id(date(1950, 1, 1))
    assert _import(ctx, fs.csv_file(tmp_path, f",张三,,,,{number},13900000002,,,,")
                   ).exit_code == 0
    stored = db.session.execute(text("SELECT document_number, phone FROM resident")).one()
    assert number not in stored[0] and "13900000002" not in stored[1]


def test_bad_rows_are_all_reported_with_their_line_and_nothing_is_written(ctx, centre,
                                                                          tmp_path):
    good = f.resident_id(date(1950, 1, 1))
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = fs.csv_file(
        tmp_path,
        f",张三,,,,{good},,hypertension,2020-01-01,dr.wang,1",
        f",李四,,,,{bad_check},,,,,",
        f",王五,,,,{f.resident_id()},12345,,,,",
        f",赵六,,,,{f.resident_id()},,hypertension,2020-01-01,dr.nobody,1",
        f",钱七,,,,{good},,,,,",
        f",孙八,,,,{f.resident_id()},,高血脂,2020-01-01,dr.wang,1")
    result = _import(ctx, path)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(path)]
    assert [line.split(": ")[1] for line in lines] == ["line 3", "line 4", "line 5", "line 6",
                                                       "line 7"]
    assert "校验不通过" in lines[0] and "phone" in lines[1] and "dr.nobody" in lines[2]
    assert "same document as line 2" in lines[3] and "高血脂" in lines[4]
    assert _count(Resident) == 0 and _count(ProgrammeEnrolment) == 0


def test_importing_the_same_file_twice_changes_nothing(ctx, centre, tmp_path):
    number = f.resident_id(date(1950, 1, 1))
    path = fs.csv_file(tmp_path, f",张三,,,,{number},,hypertension,2020-01-01,dr.wang,1")
    assert _import(ctx, path).exit_code == 0
    again = _import(ctx, path)
    assert again.exit_code == 0, again.output
    assert "residents added: 0, updated: 0; enrolments added: 0, already open: 1" in again.output
    assert _count(Resident) == 1 and _count(ProgrammeEnrolment) == 1
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("resident.import") == 2


def test_a_resident_managed_by_another_centre_is_refused(ctx, centre, tmp_path):
    other = f.organization("CHC02")
    person = fs.resident(other)
    path = fs.csv_file(tmp_path, f",{person.name},,,,{person.document_number},,,,,")
    result = _import(ctx, path)
    assert result.exit_code == 1 and "managed by another organization" in result.output


def test_a_fhir_bundle_of_patients_imports(ctx, centre, tmp_path):
    number = f.resident_id(date(1948, 2, 29), male=False)
    path = tmp_path / "patients.json"
    path.write_bytes(fs.patient_bundle(fs.fhir_patient(number, phone="+86 139-0000-0003")))
    result = _import(ctx, str(path))
    assert result.exit_code == 0, result.output
    db.session.remove()
    person = db.session.execute(select(Resident)).scalar_one()
    assert (person.name, person.sex, person.birth_date, person.phone) == (
        "李秀英", "female", date(1948, 2, 29), "13900000003")


def test_fhir_entries_that_are_not_usable_patients_are_named_by_position():
    rows, problems = read_fhir_bundle(fs.patient_bundle(
        {"resourceType": "Observation"},
        {"resourceType": "Patient", "name": [{"text": "无证件"}]},
        fs.fhir_patient("110105194802290000")), TODAY)
    assert rows == []
    assert [(p.line, p.reason.split(" ")[0]) for p in problems] == [
        ("entry[0]", "not"), ("entry[1]", "no"), ("entry[2]", "document_number:")]


def test_a_file_that_is_neither_csv_nor_a_bundle_is_refused(ctx, centre, tmp_path):
    path = tmp_path / "residents.json"
    path.write_text('{"resourceType": "Patient"}')
    result = _import(ctx, str(path))
    assert result.exit_code == 1 and "not a FHIR Bundle" in result.output
    header_only = tmp_path / "bad.csv"
    header_only.write_text("名字,身份证\n张三,1\n")
    result = _import(ctx, str(header_only))
    assert result.exit_code == 1 and "lacks name, document_number" in result.output


def test_an_existing_patient_profile_is_linked(ctx, centre, tmp_path):
    profile = f.profile(f.account(), name="周九")
    path = fs.csv_file(tmp_path, f",周九,,,,{profile.document_number},,,,,")
    assert _import(ctx, path).exit_code == 0
    db.session.remove()
    assert db.session.execute(select(Resident.patient_id)).scalar_one() == profile.id
