"""Which version of a report wins when versions arrive twice, late or out of order.

Labs send a preliminary (OBR-25 = P) and then a final (F); a correction (C, or a result whose
OBX-11 is C; FHIR `corrected`/`amended`) replaces a final. Interfaces replay messages after an
outage and may deliver them out of order, so the decision depends only on what is stored and
what arrived, never on arrival order.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from reports.model import ReportStatus


class Action(enum.StrEnum):
    CREATE = "create"  # first time we hear of this accession
    REPLAY = "replay"  # the same content again: change nothing
    UPDATE = "update"  # a newer preliminary, or the final replacing a preliminary
    CORRECT = "correct"  # a correction of a released final: keep the old values, tell the patient
    STALE = "stale"  # older than what we hold (a preliminary after the final): keep ours
    CANCEL = "cancel"  # the lab withdrew the report


_RELEASED = {ReportStatus.FINAL, ReportStatus.CORRECTED}


@dataclass(frozen=True)
class Version:
    status: ReportStatus
    reported_at: datetime | None
    fingerprint: str  # hash of the clinically meaningful content


def decide(stored: Version | None, incoming: Version) -> Action:
    if stored is None:
        return Action.CREATE
    if incoming.fingerprint == stored.fingerprint and incoming.status == stored.status:
        return Action.REPLAY
    if incoming.status == ReportStatus.CANCELLED:
        return Action.REPLAY if stored.status == ReportStatus.CANCELLED else Action.CANCEL
    if stored.status == ReportStatus.CANCELLED:
        return Action.STALE if _older(incoming, stored) else Action.UPDATE
    if stored.status in _RELEASED:
        if incoming.status == ReportStatus.PRELIMINARY:
            return Action.STALE
        if incoming.fingerprint == stored.fingerprint:
            return Action.REPLAY  # "F" resent after our "C" of the same values
        if incoming.status == ReportStatus.FINAL and _older(incoming, stored):
            return Action.STALE
        return Action.CORRECT
    # stored is preliminary
    if incoming.status == ReportStatus.PRELIMINARY and _older(incoming, stored):
        return Action.STALE
    return Action.UPDATE


def _older(incoming: Version, stored: Version) -> bool:
    return (incoming.reported_at is not None and stored.reported_at is not None
            and incoming.reported_at < stored.reported_at)
