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

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from backend.models import AdminAlert, InboundDeadLetter, Organization, Report, ReportResult
from backend.models import ReportRevision as Revision
from backend.services import audit
from backend.services.deferred import commit
from backend.services.reports import critical, delivery
from backend.services.reports.matching import match
from backend.services.reports.rules import is_confidential, knowledge_for
from backend.timeutil import utcnow
from reports.model import IncomingReport, ReportIn, ReportStatus
from reports.versions import Action, Version, decide

log = logging.getLogger(__name__)
RELEASED = {ReportStatus.FINAL.value, ReportStatus.CORRECTED.value}


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
    """Store several messages in one transaction: one lock on the audit chain and one commit
    for all of them (the MLLP listener gathers what arrived while the last batch committed).
    All or nothing: when it fails the caller stores them one by one. A message from a hospital
    we do not know gets UnknownOrganization in its place and stores nothing."""
    for attempt in (1, 2):
        try:
            codes = sorted({arrival.organization_code for arrival in arrivals})
            organizations = {o.code: o for o in db.session.execute(select(Organization).where(
                Organization.code.in_(codes))).scalars()}
            outcomes: list[IngestOutcome | UnknownOrganization] = []
            audits: list[tuple[str, str, dict, dict[str, str] | None]] = []
            batch: dict[tuple[int, str], Report] = {}
            # New rows wait in the session and go out together at the commit (a few
            # multi-row INSERTs per batch rather than several statements per message).
            with db.session.no_autoflush:
                for arrival in arrivals:
                    organization = organizations.get(arrival.organization_code)
                    if organization is None:
                        outcomes.append(UnknownOrganization(arrival.organization_code))
                        continue
                    outcome = IngestOutcome()
                    for item in arrival.reports:
                        outcome.actions.append((item.report.accession, _one(
                            organization, item, arrival.source, audits, arrival.actor,
                            batch)))
                    outcomes.append(outcome)
            # The audit chain's head is locked from the first entry to the commit: written
            # last, so concurrent messages wait for each other as briefly as possible.
            for action, subject_id, detail, actor in audits:
                audit.record(action, "report", subject_id, detail, **(actor or {}))
            commit()
            return outcomes
        except IntegrityError:
            db.session.rollback()  # another process stored the same accession meanwhile
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _one(organization: Organization, item: IncomingReport, source: str,
         audits: list[tuple[str, str, dict, dict[str, str] | None]],
         actor: dict[str, str] | None, batch: dict[tuple[int, str], Report]) -> str:
    incoming = item.report
    stored = batch.get((organization.id, incoming.accession))
    if stored is None:
        stored = db.session.execute(select(Report).where(
            Report.organization_id == organization.id,
            Report.accession == incoming.accession).with_for_update()).scalar_one_or_none()
    arrived = Version(incoming.status, incoming.reported_at, fingerprint(incoming))
    action = decide(None if stored is None else Version(
        ReportStatus(stored.status), stored.reported_at, stored.fingerprint), arrived)
    if action == Action.REPLAY:
        return action.value
    if action == Action.STALE:
        audits.append(("report.stale_ignored", str(stored.external_id),
                       {"accession": incoming.accession, "status": incoming.status.value},
                       actor))
        log.info("stale report version ignored", extra={"accession": incoming.accession})
        return action.value
    knowledge = knowledge_for(organization)
    if stored is None:
        report = Report(organization_id=organization.id, accession=incoming.accession,
                        source=source, version=1, external_id=uuid.uuid4())
        found = match(organization, item.patient)
        report.patient_id = found.patient.id if found.patient else None
        report.hospital_patient_index = found.hospital_patient_index
        report.resident_index = found.resident_index
        report.matched_at = utcnow() if found.patient else None
        db.session.add(report)
        batch[(organization.id, incoming.accession)] = report
        if found.patient is None:
            _unmatched_alert(organization, incoming, found.problem)
    else:
        report = stored
        if report.id is None:
            db.session.flush()  # stored by an earlier message of this batch
        _keep_revision(report, action)
        report.version += 1
        report.results.clear()
        db.session.flush()
    _apply(report, incoming, arrived.fingerprint, knowledge, organization)
    if action == Action.CORRECT:
        report.status, report.corrected_at = ReportStatus.CORRECTED.value, utcnow()
    releasing = report.status in RELEASED and report.patient_id is not None
    first_release = releasing and report.released_at is None
    if first_release:
        report.released_at = utcnow()  # set before the insert: one statement, not two
    audits.append(("report.received", str(report.external_id),
                   {"accession": incoming.accession, "action": action.value,
                    "version": report.version, "status": report.status, "source": source},
                   actor))
    if report.status != ReportStatus.CANCELLED.value:
        critical.raise_alerts(report, item.patient, knowledge)
        if releasing:
            delivery.release(report, corrected=action == Action.CORRECT, first=first_release,
                             fresh=stored is None)
    return action.value


def _apply(report: Report, incoming: ReportIn, print_: str, knowledge, organization) -> None:
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
    for result in incoming.results:
        test = knowledge.find(result.code, result.name, result.loinc)
        confidential = confidential or is_confidential(organization, test, result.code)
        report.results.append(ReportResult(
            seq=result.seq, code=result.code[:64], name=result.name[:100], loinc=result.loinc,
            test_code=test.code if test else None, value_type=result.value_type,
            value=result.value[:500], unit=result.unit[:32] or None,
            reference_range=result.reference_range[:64] or None,
            lab_flag=result.lab_flag[:8] or None, status=result.status[:2]))
    report.confidential = confidential


def _keep_revision(report: Report, action: Action) -> None:
    snapshot = {"title": report.title, "findings": report.findings,
                "conclusion": report.conclusion,
                "results": [{"seq": r.seq, "code": r.code, "name": r.name, "value": r.value,
                             "unit": r.unit, "reference_range": r.reference_range,
                             "lab_flag": r.lab_flag, "status": r.status,
                             "value_type": r.value_type, "test_code": r.test_code}
                            for r in report.results]}
    db.session.add(Revision(report_id=report.id, version=report.version, status=report.status,
                            reported_at=report.reported_at, snapshot=snapshot,
                            replaced_because=action.value))


def _unmatched_alert(organization: Organization, incoming: ReportIn, problem: str) -> None:
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
