"""A child's vaccinations for the parent: records, what is due and why."""

from __future__ import annotations

from uuid import UUID

from flask import g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.common import envelope
from backend.schemas.vaccination import OverviewSchema
from backend.services.vaccination import records
from backend.services.vaccination.views import overview_view


@blp.route("/children/<uuid:child_id>/vaccination", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(OverviewSchema))
def child_vaccination(child_id: UUID):
    """Doses on record, and each programme dose's state today (overdue and due first) with the
    earliest and latest dates and the rule of the schedule that decided it."""
    return {"data": overview_view(records.overview(g.principal, child_id))}
