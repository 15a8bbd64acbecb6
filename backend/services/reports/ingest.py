"""Storing results as they arrive, exactly once, whatever the order and however often resent.

One message (an ORU with several OBR, or one FHIR Bundle) is one transaction: every report in
it is stored, or none is. A report is found by (hospital, accession); `reports.versions.decide`
says whether the arrival is new, a replay, a newer version, a correction or stale. Replaced
versions are kept whole in `report_revision`. What we cannot take is dead-lettered with the
reason and an admin alert, never dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from backend.models import AdminAlert, InboundDeadLetter, Organization, Report, ReportResult
from backend.models import ReportRevision as Revision
from backend.services import audit
from backend.services.deferred import commit
from backend.services.reports import critical, delivery
from backend.services.reports.matching import Match, match_many
from backend.services.reports.rules import Hospital, is_confidential, knowledge_for
from backend.timeutil import utcnow
from reports.knowledge import Knowledge
from reports.model import IncomingReport, ReportIn, ReportStatus, ResultIn
from reports.versions import Action, Version, decide

log = logging.getLogger(__name__)
RELEASED = {ReportStatus.FINAL.value, ReportStatus.CORRECTED.value}
SNAPSHOT_FIELDS = ("seq", "code", "name", "value", "unit", "reference_range", "lab_flag",
                   "status", "value_type", "test_code")


class UnknownOrganization(LookupError):
    """The sending facility is not one of the group's hospitals."""


@dataclass
class IngestOutcome:
    actions: list[tuple[str, str]] = field(default_factory=list)  # (accession, action)


def fingerprint(report: ReportIn) -> str:
    """What a patient or clinician would notice changing; status and times are not in it."""
    content = {"title": report.title, "findings": report.findings,
               "conclusion": report.conclusion,
               "results": sorted([r.code, r.value, r.unit, r.reference_range, r.lab_flag]
                                 for r in report.results)}
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


def organization_by_code(code: str) -> Organization:
    organization = db.session.execute(select(Organization).where(
        Organization.code == code)).scalar_one_or_none()
    if organization is None:
        raise UnknownOrganization(code)
    return organization


@dataclass(frozen=True)
class Arrival:
    """One inbound message's reports from one hospital (named by its code)."""

    organization_code: str
    reports: list[IncomingReport]
    source: str
    actor: dict[str, str] | None = None


def ingest(organization: Organization, incoming: list[IncomingReport], source: str,
           actor: dict[str, str] | None = None) -> IngestOutcome:
    """Store every report of one message in one transaction (retried once on a race)."""
    [outcome] = ingest_together([Arrival(organization.code, incoming, source, actor)])
    if isinstance(outcome, UnknownOrganization):
        raise outcome
    return outcome


def ingest_together(arrivals: list[Arrival]) -> list[IngestOutcome | UnknownOrganization]:
    """Store several messages in one transaction: one commit for all of them, their audit
    entries numbered and inserted together at that commit (the MLLP listener gathers what
    arrived while the last batch committed). All or nothing: when it fails the caller stores
    them one by one. A message from a hospital we do not know gets UnknownOrganization in its
    place and stores nothing."""
    for attempt in (1, 2):
        try:
            outcomes = _Batch().store(arrivals)
            commit()
            return outcomes
        except IntegrityError:
            db.session.rollback()  # another process stored the same accession meanwhile
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


Key = tuple[int, str]  # (organization id, accession)
# Built once: the two lookups every batch makes, as Core statements on the tables (an ORM query
# costs several times their CPU, and the listener's batches are small).
_HOSPITALS = select(Organization.__table__.c.id, Organization.__table__.c.code,
                    Organization.__table__.c.report_rules).where(
    Organization.__table__.c.code.in_(bindparam("codes", expanding=True)))
_STORED = select(Report.__table__.c.id).where(
    tuple_(Report.__table__.c.organization_id, Report.__table__.c.accession).in_(
        bindparam("keys", expanding=True))).order_by(Report.__table__.c.id).with_for_update()


class _Batch:
    """One transaction's reports. What a batch needs from the database is read once for all
    its messages (hospitals, stored reports, patients); new rows go out together at the end
    (results and audit entries as one executemany each), so a message costs a few Python
    objects rather than a round trip per lookup."""

    def __init__(self) -> None:
        self.reports: dict[Key, Report] = {}
        self.matches: dict[Key, Match] = {}
        self.results: dict[Key, list[dict]] = {}  # the rows each touched report ends with
        self.replaced: list[int] = []  # stored reports whose old rows go
        self.events: list[audit.Event] = []
        self.knowledge: dict[int, Knowledge] = {}

    def store(self, arrivals: list[Arrival]) -> list[IngestOutcome | UnknownOrganization]:
        codes = sorted({arrival.organization_code for arrival in arrivals})
        organizations = {row.code: row for row in db.session.execute(
            _HOSPITALS, {"codes": codes})}
        known = [(organizations[arrival.organization_code], item) for arrival in arrivals
                 if arrival.organization_code in organizations for item in arrival.reports]
        self._load(known)
        outcomes: list[IngestOutcome | UnknownOrganization] = []
        # New rows wait in the session and go out together at the end.
        with db.session.no_autoflush:
            for arrival in arrivals:
                organization = organizations.get(arrival.organization_code)
                if organization is None:
                    outcomes.append(UnknownOrganization(arrival.organization_code))
                    continue
                outcome = IngestOutcome()
                for item in arrival.reports:
                    outcome.actions.append((item.report.accession, self._one(
                        organization, item, arrival.source, arrival.actor or {})))
                outcomes.append(outcome)
        self._write_results()
        # Numbered from the sequence and inserted in one statement at commit; the sealer
        # links them into the chain later, so concurrent batches never wait on each other here.
        audit.record_many(self.events)
        return outcomes

    def _load(self, known: list[tuple[Hospital, IncomingReport]]) -> None:
        """The stored reports of every accession in the batch (locked, in id order so two
        listeners never wait on each other crosswise) and the patients of the new ones."""
        keys = sorted({(o.id, item.report.accession) for o, item in known})
        if keys:
            # Most arrivals are new reports: one light query locks whatever is stored, and only
            # stored reports (replays, corrections, final after preliminary) are loaded whole.
            stored = list(db.session.execute(_STORED, {"keys": keys}).scalars())
            if stored:
                self.reports = {(r.organization_id, r.accession): r for r in db.session.execute(
                    select(Report).where(Report.id.in_(stored))).scalars()}
        new: dict[Key, tuple[Hospital, IncomingReport]] = {}
        for organization, item in known:
            key = (organization.id, item.report.accession)
            if key not in self.reports:
                new.setdefault(key, (organization, item))
        found = match_many([(organization, item.patient) for organization, item in new.values()])
        self.matches = dict(zip(new, found, strict=True))

    def _one(self, organization: Hospital, item: IncomingReport, source: str,
             actor: dict[str, str]) -> str:
        incoming = item.report
        key = (organization.id, incoming.accession)
        stored = self.reports.get(key)
        arrived = Version(incoming.status, incoming.reported_at, fingerprint(incoming))
        action = decide(None if stored is None else Version(
            ReportStatus(stored.status), stored.reported_at, stored.fingerprint), arrived)
        if action == Action.REPLAY:
            return action.value
        if action == Action.STALE:
            self.events.append(audit.Event(
                "report.stale_ignored", "report", str(stored.external_id),
                {"accession": incoming.accession, "status": incoming.status.value}, **actor))
            log.info("stale report version ignored", extra={"accession": incoming.accession})
            return action.value
        knowledge = self._knowledge(organization)
        if stored is None:
            report = self._new(organization, incoming, source, self.matches[key])
        else:
            report = stored
            if report.id is None:
                db.session.flush()  # stored by an earlier message of this batch
            _keep_revision(report, action, self._rows(key, report))
            report.version += 1
        rows = _apply(report, incoming, arrived.fingerprint, knowledge, organization)
        self.results[key] = rows
        if action == Action.CORRECT:
            report.status, report.corrected_at = ReportStatus.CORRECTED.value, utcnow()
        releasing = report.status in RELEASED and report.patient_id is not None
        first_release = releasing and report.released_at is None
        if first_release:
            report.released_at = utcnow()  # set before the insert: one statement, not two
        self.events.append(audit.Event(
            "report.received", "report", str(report.external_id),
            {"accession": incoming.accession, "action": action.value, "version": report.version,
             "status": report.status, "source": source}, **actor))
        if report.status != ReportStatus.CANCELLED.value:
            critical.raise_alerts(report, [_result_in(row) for row in rows], item.patient,
                                  knowledge)
            if releasing:
                delivery.release(report, corrected=action == Action.CORRECT,
                                 first=first_release, fresh=stored is None)
        return action.value

    def _knowledge(self, organization: Hospital) -> Knowledge:
        """A hospital's knowledge (its own 危急值 table over the defaults), built once a batch."""
        if organization.id not in self.knowledge:
            self.knowledge[organization.id] = knowledge_for(organization)
        return self.knowledge[organization.id]

    def _new(self, organization: Hospital, incoming: ReportIn, source: str,
             found: Match) -> Report:
        report = Report(organization_id=organization.id, accession=incoming.accession,
                        source=source, version=1, external_id=uuid.uuid4(),
                        patient_id=found.patient.id if found.patient else None,
                        hospital_patient_index=found.hospital_patient_index,
                        resident_index=found.resident_index,
                        matched_at=utcnow() if found.patient else None)
        db.session.add(report)
        self.reports[(organization.id, incoming.accession)] = report
        if found.patient is None:
            _unmatched_alert(organization, incoming, found.problem)
        return report

    def _rows(self, key: Key, report: Report) -> list[dict]:
        """The results a report holds now: this batch's, else the stored ones (which go)."""
        if key in self.results:
            return self.results[key]
        self.replaced.append(report.id)
        return [dict(row) for row in db.session.execute(
            select(ReportResult.__table__).where(ReportResult.report_id == report.id)
            .order_by(ReportResult.seq)).mappings()]

    def _write_results(self) -> None:
        db.session.flush()  # the reports' ids
        if self.replaced:
            db.session.execute(delete(ReportResult.__table__).where(
                ReportResult.report_id.in_(self.replaced)))
        rows = [{**row, "report_id": self.reports[key].id}
                for key, report_rows in self.results.items() for row in report_rows]
        if rows:
            db.session.execute(insert(ReportResult.__table__), rows)


def _apply(report: Report, incoming: ReportIn, print_: str, knowledge, organization: Hospital
           ) -> list[dict]:
    """Copy the arrived version onto the report; its results as rows to insert."""
    report.kind, report.title = incoming.kind, incoming.title[:100]
    report.status, report.fingerprint = incoming.status.value, print_
    report.placer_order = incoming.placer_order or None
    report.service_code = incoming.service_code or None
    report.collected_at, report.reported_at = incoming.collected_at, incoming.reported_at
    report.findings, report.conclusion = incoming.findings or None, incoming.conclusion or None
    report.ordering_clinician_code = incoming.ordering_clinician_code or None
    report.ordering_clinician_name = incoming.ordering_clinician_name[:50] or None
    report.department_code = incoming.department_code or None
    confidential = False
    rows = []
    for result in incoming.results:
        test = knowledge.find(result.code, result.name, result.loinc)
        confidential = confidential or is_confidential(organization, test, result.code)
        rows.append({"seq": result.seq, "code": result.code[:64], "name": result.name[:100],
                     "loinc": result.loinc, "test_code": test.code if test else None,
                     "value_type": result.value_type, "value": result.value[:500],
                     "unit": result.unit[:32] or None,
                     "reference_range": result.reference_range[:64] or None,
                     "lab_flag": result.lab_flag[:8] or None, "status": result.status[:2]})
    report.confidential = confidential
    return rows


def _result_in(row: dict) -> ResultIn:
    return ResultIn(seq=row["seq"], code=row["code"], name=row["name"],
                    value_type=row["value_type"], value=row["value"], unit=row["unit"] or "",
                    reference_range=row["reference_range"] or "", lab_flag=row["lab_flag"] or "",
                    status=row["status"], loinc=row["loinc"])


def _keep_revision(report: Report, action: Action, rows: list[dict]) -> None:
    snapshot = {"title": report.title, "findings": report.findings,
                "conclusion": report.conclusion,
                "results": [{name: row[name] for name in SNAPSHOT_FIELDS} for row in rows]}
    db.session.add(Revision(report_id=report.id, version=report.version, status=report.status,
                            reported_at=report.reported_at, snapshot=snapshot,
                            replaced_because=action.value))


def _unmatched_alert(organization: Hospital, incoming: ReportIn, problem: str) -> None:
    db.session.add(AdminAlert(
        organization_id=organization.id, kind="report_unmatched",
        subject_id=incoming.accession[:64],
        message=f"报告 {incoming.accession}（{incoming.title}）{problem}，已暂存，"
                f"请核对后在“待匹配报告”里指定就诊人。"[:500]))
    log.warning("report waits for a patient match", extra={"accession": incoming.accession,
                                                           "problem": problem})


def dead_letter(channel: str, organization_id: int | None, control_id: str, reason: str,
                payload: str) -> InboundDeadLetter:
    """Keep a refused message and tell the hospital's admins (own transaction)."""
    db.session.rollback()
    row = InboundDeadLetter(organization_id=organization_id, channel=channel,
                            control_id=(control_id or None) and control_id[:64],
                            reason=reason[:500], payload=payload)
    db.session.add(row)
    db.session.flush()
    db.session.add(AdminAlert(
        organization_id=organization_id, kind="report_dead_letter",
        subject_id=str(row.external_id),
        message=f"一条{'HL7' if channel == 'hl7' else 'FHIR'}结果消息未能接收"
                f"（{control_id or '无控制号'}）：{reason}"[:500]))
    audit.record("report.dead_letter", "inbound_message", str(row.external_id),
                 {"channel": channel, "control_id": control_id, "reason": reason[:200]},
                 actor_kind="system", actor_id=f"{channel}-inbound")
    db.session.commit()
    log.error("inbound result message dead-lettered",
              extra={"channel": channel, "control_id": control_id, "reason": reason})
    return row
