"""Results in over real MLLP: ACKs, replays, corrections, order, charsets, dead letters,
patient matching. PostgreSQL and Redis; jobs inline."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from backend.extensions import db
from backend.models import (
    AdminAlert,
    AuditEntry,
    InboundDeadLetter,
    PatientLink,
    PatientMessage,
    PatientProfile,
    Report,
    ReportRevision,
    StaffUser,
)
from backend.services.reports.waiting import match_waiting
from tests import factories as f
from tests import report_support as rs


def _reports():
    db.session.expire_all()
    return list(db.session.execute(select(Report).order_by(Report.id)).scalars())


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_an_oru_over_mllp_is_stored_matched_and_acknowledged(rctx, mllp):
    rs.hospital()
    patient = rs.zhang()
    [ack] = rs.send(mllp.port, rs.fixture("cbc"))
    assert rs.msa(ack)[:2] == ["AA", "LIS0001"]
    [report] = _reports()
    assert (report.accession, report.kind, report.title, report.status) == \
        ("L20261201001", "lab", "血常规", "final")
    assert report.patient_id == patient.id and report.released_at is not None
    hgb = next(r for r in report.results if r.code == "HGB")
    assert (hgb.value, hgb.unit, hgb.reference_range, hgb.lab_flag, hgb.test_code) == \
        ("118", "g/L", "130-175", "L", "HGB")
    assert next(r for r in report.results if r.code == "WBC").unit == "10^9/L"  # \S\ escape
    assert _count(PatientLink, PatientLink.patient_id == patient.id) == 1  # MRN learned
    assert _count(AuditEntry, AuditEntry.action == "report.received") == 1
    assert db.session.execute(select(PatientMessage.kind)).scalars().all() == ["report_ready"]


def test_a_replay_changes_nothing(rctx, mllp):
    rs.hospital()
    rs.zhang()
    acks = rs.send(mllp.port, rs.fixture("cbc"), rs.fixture("cbc"))
    assert [rs.msa(a)[0] for a in acks] == ["AA", "AA"]
    [report] = _reports()
    assert report.version == 1 and _count(ReportRevision) == 0
    assert _count(PatientMessage) == 1


def test_many_interfaces_at_once_each_message_once_and_every_ack_after_its_commit(rctx, mllp):
    """The listener stores what arrives together in one transaction; a resend racing its
    original in the same batch is still a replay."""
    rs.hospital()
    rs.zhang()
    panels = ["cbc", "urine", "liver_kidney", "lipids_glucose", "thyroid", "coagulation"]
    acks: dict[str, list[bytes]] = {}

    def interface(name: str) -> None:
        acks[name] = rs.send(mllp.port, rs.fixture(name), rs.fixture(name))

    threads = [threading.Thread(target=interface, args=(name,)) for name in panels * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {rs.msa(a)[0] for answers in acks.values() for a in answers} == {"AA"}
    db.session.expire_all()
    accessions = [r.accession for r in _reports()]
    assert len(accessions) == len(set(accessions)) == 7  # lipids_glucose has two OBR
    assert _count(ReportRevision) == 0
    assert _count(AuditEntry, AuditEntry.action == "report.received") == 7
    assert _count(PatientMessage) == 7


def test_several_obr_are_several_reports_and_imaging_keeps_its_words(rctx, mllp):
    rs.hospital()
    rs.zhang()
    rs.send(mllp.port, rs.fixture("liver_kidney"), rs.fixture("ct_chest"))
    reports = {r.accession: r for r in _reports()}
    assert set(reports) == {"L20261201003", "L20261201004", "CT20261201001"}
    ct = reports["CT20261201001"]
    assert ct.kind == "imaging" and ct.results == []
    assert ct.conclusion.splitlines() == ["1.右肺上叶磨玻璃结节，Lung-RADS 3类，建议6个月后复查",
                                          "2.主动脉硬化"]
    assert "6mm" in ct.findings and "\n" in ct.findings  # the ~ repeat is a new line


def test_a_correction_replaces_the_value_keeps_the_old_and_tells_the_patient(rctx, mllp):
    rs.hospital()
    rs.zhang()
    corrected = rs.edited("cbc", ("|LIS0001|", "|LIS0001C|"), ("||118|g/L|", "||128|g/L|"),
                          ("||20261201083000||LAB|F", "||20261201100000||LAB|C"))
    acks = rs.send(mllp.port, rs.fixture("cbc"), corrected)
    assert [rs.msa(a)[0] for a in acks] == ["AA", "AA"]
    [report] = _reports()
    assert report.status == "corrected" and report.version == 2
    assert next(r.value for r in report.results if r.code == "HGB") == "128"
    [revision] = db.session.execute(select(ReportRevision)).scalars().all()
    old = next(r for r in revision.snapshot["results"] if r["code"] == "HGB")
    assert (revision.version, revision.replaced_because, old["value"]) == (1, "correct", "118")
    kinds = sorted(db.session.execute(select(PatientMessage.kind)).scalars())
    assert kinds == ["report_corrected", "report_ready"]


def test_an_obx_marked_c_is_a_correction_too(rctx, mllp):
    rs.hospital()
    rs.zhang()
    corrected = rs.edited("cbc", ("|LIS0001|", "|LIS0001D|"),
                          ("|HGB^血红蛋白^L||118|g/L|130-175|L|||F",
                           "|HGB^血红蛋白^L||125|g/L|130-175|L|||C"))
    rs.send(mllp.port, rs.fixture("cbc"), corrected)
    assert _reports()[0].status == "corrected"


def test_preliminary_and_final_in_either_order_end_final(rctx, mllp):
    rs.hospital()
    rs.zhang()
    preliminary = rs.edited("cbc", ("|LIS0001|", "|LIS0001P|"), ("||118|g/L|", "||117|g/L|"),
                            ("||20261201083000||LAB|F", "||20261201080000||LAB|P"))
    rs.send(mllp.port, rs.fixture("cbc"), preliminary)  # the final overtook the preliminary
    [report] = _reports()
    assert (report.status, report.version) == ("final", 1)
    assert next(r.value for r in report.results if r.code == "HGB") == "118"
    assert _count(AuditEntry, AuditEntry.action == "report.stale_ignored") == 1
    db.session.execute(ReportRevision.__table__.delete())
    db.session.execute(PatientMessage.__table__.delete())
    db.session.execute(Report.__table__.delete())
    db.session.commit()
    rs.send(mllp.port, preliminary, rs.fixture("cbc"))
    [report] = _reports()
    assert (report.status, report.version) == ("final", 2)
    assert _count(PatientMessage) == 1  # told once, when final


def test_gb18030_declared_in_msh_18(rctx, mllp):
    rs.hospital()
    rs.zhang()
    [ack] = rs.send(mllp.port, rs.fixture("gb18030_electrolytes"))
    assert rs.msa(ack, "gb18030")[0] == "AA"
    assert b"GB18030" in ack
    [report] = _reports()
    assert report.title == "电解质（复查）"


def test_gb18030_without_msh_18_is_still_read(rctx, mllp):
    rs.hospital()
    rs.zhang()
    raw = rs.fixture("gb18030_electrolytes").replace(b"|GB18030", b"|")
    assert rs.msa(rs.send(mllp.port, raw)[0], "gb18030")[0] == "AA"
    assert _reports()[0].title == "电解质（复查）"


def test_refused_messages_get_ae_or_ar_and_a_dead_letter_with_an_alert(rctx, mllp):
    rs.hospital()
    rs.zhang()
    not_hl7 = b"HELLO THIS IS NOT HL7"
    wrong_type = rs.edited("cbc", ("ORU^R01^ORU_R01", "ADT^A01^ADT_A01"))
    not_a_number = rs.edited("cbc", ("||118|g/L|", "||一百一十八|g/L|"))
    unknown_hospital = rs.edited("cbc", ("|LIS|H001|", "|LIS|H999|"))
    no_accession = rs.edited("cbc", ("|ORD201001|L20261201001|", "|ORD201001||"))
    acks = rs.send(mllp.port, not_hl7, wrong_type, not_a_number, unknown_hospital, no_accession)
    codes = [rs.msa(a)[0] for a in acks]
    assert codes == ["AR", "AR", "AE", "AR", "AE"]
    assert "ORU R01" in rs.msa(acks[1])[2] and "不是数字" in rs.msa(acks[2])[2]
    assert all(b"ERR|" in a for a in acks)
    assert _reports() == []
    letters = list(db.session.execute(select(InboundDeadLetter).order_by(InboundDeadLetter.id))
                   .scalars())
    assert len(letters) == 5
    assert letters[2].payload == not_a_number.decode()  # kept whole, decrypted on read
    stored = db.session.execute(text("SELECT payload FROM inbound_dead_letter")).scalars().all()
    assert all(p.startswith("sm4gcm:") and "张" not in p for p in stored)
    assert _count(AdminAlert, AdminAlert.kind == "report_dead_letter") == 5


def test_an_unknown_patient_waits_with_an_alert_and_is_matched_when_they_register(rctx, mllp):
    rs.hospital()
    [ack] = rs.send(mllp.port, rs.fixture("cbc"))
    assert rs.msa(ack)[0] == "AA"  # stored; it waits for its patient
    [report] = _reports()
    assert report.patient_id is None and report.released_at is None
    [alert] = db.session.execute(select(AdminAlert)).scalars().all()
    assert alert.kind == "report_unmatched" and "L20261201001" in alert.message
    assert _count(PatientMessage) == 0
    patient = rs.zhang()
    assert match_waiting() == 1
    [report] = _reports()
    assert report.patient_id == patient.id and report.released_at is not None
    assert _count(PatientMessage) == 1


def test_never_matched_by_name_or_against_a_different_birth_date(rctx, mllp):
    rs.hospital()
    rs.zhang(number="110105195301150033")  # another 张伟 with the same name
    rs.send(mllp.port, rs.fixture("cbc"))
    assert _reports()[0].patient_id is None
    db.session.execute(AdminAlert.__table__.delete())
    db.session.execute(Report.__table__.delete())
    db.session.commit()
    other = rs.zhang(account=f.account(), number=rs.ZHANG_ID)
    other.birth_date = other.birth_date.replace(year=1954)
    db.session.commit()
    rs.send(mllp.port, rs.fixture("cbc"))
    assert _reports()[0].patient_id is None
    alert = db.session.execute(select(AdminAlert)).scalar_one()
    assert "出生日期" in alert.message
    assert db.session.get(PatientProfile, other.id).birth_date.year == 1954


def test_a_confidential_result_is_released_in_app_but_never_pushed(rctx, mllp):
    rs.hospital()
    rs.zhang()
    rs.send(mllp.port, rs.fixture("hiv_confidential"))
    [report] = _reports()
    assert report.confidential and report.released_at is not None
    assert _count(PatientMessage) == 0


def test_a_dead_letter_is_taken_again_once_its_cause_is_fixed(rctx, mllp):
    rs.hospital()
    rs.zhang()
    from_new_hospital = rs.edited("cbc", ("|LIS|H001|", "|LIS|H002|"))
    broken = rs.edited("cbc", ("|LIS0001|", "|LIS0009|"), ("||118|g/L|", "||一百|g/L|"))
    acks = rs.send(mllp.port, from_new_hospital, broken)
    assert [rs.msa(a)[0] for a in acks] == ["AR", "AE"]
    second = rs.hospital("H002")  # the hospital joins the group; its admin resends
    client = rctx.test_client()
    headers = f.bearer(f.staff_token(second.admin))
    letters = client.get("/api/v1/admin/reports/dead-letters", headers=headers).json["data"]
    [waiting] = [d for d in letters if "H002" in d["reason"]]
    taken = client.post(f"/api/v1/admin/reports/dead-letters/{waiting['id']}/redrive",
                        headers=headers)
    assert taken.status_code == 200, taken.json
    assert taken.json["data"]["redriven_at"] is not None
    [report] = _reports()
    assert (report.accession, report.organization_id) == ("L20261201001",
                                                          second.organization.id)
    again = client.post(f"/api/v1/admin/reports/dead-letters/{waiting['id']}/redrive",
                        headers=headers)
    assert again.status_code == 409
    first_admin = f.bearer(f.staff_token(db.session.execute(select(StaffUser).where(
        StaffUser.username == "adminh001")).scalar_one()))
    [still_broken] = [d for d in client.get("/api/v1/admin/reports/dead-letters",
                                            headers=first_admin).json["data"]
                      if d["control_id"] == "LIS0009"]
    refused = client.post(f"/api/v1/admin/reports/dead-letters/{still_broken['id']}/redrive",
                          headers=first_admin)
    assert refused.status_code == 422 and "不是数字" in refused.json["error"]["message"]
    assert len(_reports()) == 1


def test_every_fixture_panel_is_taken_and_every_value_is_known(rctx, mllp):
    rs.hospital()
    patient = rs.zhang()
    names = sorted(p.stem for p in rs.FIXTURES.glob("*.hl7"))
    assert len(names) >= 17
    acks = rs.send(mllp.port, *(rs.fixture(n) for n in names))
    codes = [rs.msa(a, "gb18030" if n.startswith("gb18030") else "utf-8")[0]
             for n, a in zip(names, acks, strict=True)]
    assert codes == ["AA"] * len(names)
    reports = _reports()
    assert all(r.patient_id == patient.id for r in reports)
    unknown = [(r.accession, v.code) for r in reports for v in r.results if v.test_code is None]
    assert unknown == []  # the knowledge file names every test the fixtures carry
    kinds = {r.title: r.kind for r in reports}
    assert {kinds[t] for t in ("胸部CT平扫", "甲状腺彩超", "胸部正位片", "头颅MRI平扫")} == \
        {"imaging"}
