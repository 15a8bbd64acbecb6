"""Several messages stored in one transaction (as the MLLP listener batches them): what one
message of a batch does is seen by the next, exactly as if they had come one by one.
PostgreSQL and Redis; jobs inline."""

from __future__ import annotations

from sqlalchemy import event, func, select

from backend.extensions import db
from backend.interop.hl7_oru import parse_oru
from backend.models import AuditEntry, PatientLink, PatientMessage, Report, ReportResult
from backend.models import ReportRevision as Revision
from backend.services import audit_seal, audit_verify
from backend.services.reports.ingest import Arrival, UnknownOrganization, ingest_together
from tests import report_support as rs

CORRECTED_HGB = (("|LIS0001|", "|LIS0001C|"), ("||118|g/L|", "||128|g/L|"),
                 ("||20261201083000||LAB|F", "||20261201100000||LAB|C"))


def _arrival(raw: bytes) -> Arrival:
    message = parse_oru(raw)
    return Arrival(message.sending_facility, list(message.reports), "hl7",
                   {"actor_kind": "system", "actor_id": "hl7:LIS"})


def _store(*messages: bytes) -> list:
    outcomes = ingest_together([_arrival(raw) for raw in messages])
    db.session.remove()
    return outcomes


def _report(accession: str) -> Report:
    return db.session.execute(select(Report).where(Report.accession == accession)).scalar_one()


def _hgb(report: Report) -> list[str]:
    return list(db.session.execute(select(ReportResult.value).where(
        ReportResult.report_id == report.id, ReportResult.code == "HGB")).scalars())


def test_created_and_corrected_in_one_batch_keeps_the_first_version(rctx):
    rs.hospital()
    rs.zhang()
    outcomes = _store(rs.fixture("cbc"), rs.edited("cbc", *CORRECTED_HGB))
    assert [o.actions for o in outcomes] == [[("L20261201001", "create")],
                                             [("L20261201001", "correct")]]
    report = _report("L20261201001")
    assert (report.status, report.version) == ("corrected", 2)
    assert _hgb(report) == ["128"]  # the corrected rows only, no leftovers
    [revision] = db.session.execute(select(Revision)).scalars().all()
    old = next(r for r in revision.snapshot["results"] if r["code"] == "HGB")
    assert (revision.version, old["value"]) == (1, "118")
    kinds = sorted(db.session.execute(select(PatientMessage.kind)).scalars())
    assert kinds == ["report_corrected", "report_ready"]


def test_a_stored_report_corrected_beside_a_new_one(rctx):
    rs.hospital()
    rs.zhang()
    _store(rs.fixture("cbc"))
    outcomes = _store(rs.edited("cbc", *CORRECTED_HGB), rs.fixture("urine"), rs.fixture("cbc"))
    # the old final, resent after its correction, is stale
    assert [o.actions[0][1] for o in outcomes] == ["correct", "create", "stale"]
    report = _report("L20261201001")
    assert _hgb(report) == ["128"]
    assert db.session.execute(select(func.count()).select_from(ReportResult).where(
        ReportResult.report_id == report.id)).scalar() == len(parse_oru(
            rs.fixture("cbc")).reports[0].report.results)
    [revision] = db.session.execute(select(Revision)).scalars().all()
    assert next(r["value"] for r in revision.snapshot["results"] if r["code"] == "HGB") == "118"


def test_a_hospital_id_learned_from_one_message_matches_the_next(rctx):
    """The first report names both the MRN and the ID number; the second only the MRN."""
    rs.hospital()
    patient = rs.zhang()
    only_mrn = rs.edited("urine", ("~110105195301150025^^^CHN^NNCHN", ""))
    assert parse_oru(only_mrn).reports[0].patient.resident_id is None
    _store(rs.fixture("cbc"), only_mrn)
    reports = db.session.execute(select(Report).order_by(Report.id)).scalars().all()
    assert [r.patient_id for r in reports] == [patient.id, patient.id]
    assert db.session.execute(select(func.count()).select_from(PatientLink)).scalar() == 1


def test_an_unknown_hospital_in_a_batch_stores_nothing_of_its_own(rctx):
    rs.hospital()
    rs.zhang()
    stranger = rs.edited("urine", ("|LIS|H001|", "|LIS|H999|"))
    outcomes = _store(stranger, rs.fixture("cbc"))
    assert isinstance(outcomes[0], UnknownOrganization)
    assert [r.accession for r in db.session.execute(select(Report)).scalars()] == \
        ["L20261201001"]


def test_a_batch_writes_one_unbroken_audit_chain(rctx):
    rs.hospital()
    rs.zhang()
    _store(rs.fixture("cbc"), rs.fixture("urine"), rs.fixture("thyroid"))
    _store(rs.edited("cbc", *CORRECTED_HGB), rs.fixture("cbc"))
    received = db.session.execute(select(AuditEntry.seq, AuditEntry.detail).where(
        AuditEntry.action == "report.received").order_by(AuditEntry.seq)).all()
    assert [detail["action"] for _, detail in received] == ["create"] * 3 + ["correct"]
    assert audit_verify.verify_chain()[1] == []  # every entry's own MAC, before sealing
    assert audit_seal.seal_pending().sealed >= 4
    count, problems = audit_verify.verify_chain()
    assert count >= 4 and problems == []


def test_a_batch_numbers_and_writes_its_audit_entries_together(rctx):
    rs.hospital()
    rs.zhang()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        _store(rs.fixture("cbc"), rs.fixture("urine"), rs.fixture("thyroid"))
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    audit_writes = [s for s in statements if "audit" in s]
    assert len(audit_writes) == 2, audit_writes  # one nextval for all, one insert for all
    assert "nextval('audit_entry_seq')" in audit_writes[0]
    assert audit_writes[1].startswith("INSERT INTO audit_entry")
    assert not any("audit_chain_head" in s for s in statements)  # no head lock while storing
    assert db.session.execute(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "report.received")).scalar_one() == 3
