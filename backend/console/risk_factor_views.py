"""The family doctor's form for a resident's cardiovascular risk inputs (心血管病风险资料):
waist, smoking, family history, urban/rural and known ASCVD, each saved as a dated entry through
`services.followup.risk_factors` (audited), for the portrait's 10-year risk."""

from __future__ import annotations

from uuid import UUID

from flask import g, render_template, request

from backend.console.blueprint import bp, roles
from backend.errors import ValidationFailed
from backend.extensions import db
from backend.models import Organization, StaffRole
from backend.services.followup import risk_factors
from backend.services.portraits import cvd_facts
from backend.timeutil import local_today


def _page(resident_id: UUID, *, values=None, error=None, error_field=None, saved=None,
          status: int = 200):
    resident, entries = risk_factors.shown(g.principal, resident_id)
    organization = db.session.get(Organization, resident.organization_id)
    region = cvd_facts.region_of(organization)
    return render_template(
        "console/risk_factors.html", resident=resident, entries=entries,
        factors=risk_factors.factors(), region=region, organization=organization,
        values=values or {}, error=error, error_field=error_field, saved=saved,
        today=local_today(), source_words=cvd_facts.SOURCE_WORDS), status


@bp.route("/followup/residents/<uuid:resident_id>/risk-factors", methods=["GET"])
@roles(StaffRole.FAMILY_DOCTOR)
def risk_factor_form(resident_id: UUID):
    return _page(resident_id)


@bp.route("/followup/residents/<uuid:resident_id>/risk-factors", methods=["POST"])
@roles(StaffRole.FAMILY_DOCTOR)
def save_risk_factors(resident_id: UUID):
    """Only the fields filled in are saved; each becomes an entry dated `observed_on`."""
    answers = {name: request.form[name].strip() for name in risk_factors.factors()
               if (request.form.get(name) or "").strip()}
    try:
        rows = risk_factors.record_by_doctor(g.principal, resident_id, answers,
                                             request.form.get("observed_on"))
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(resident_id, values=request.form, error=exc.message,
                     error_field=exc.field, status=exc.status)
    return _page(resident_id, saved=[row.factor for row in rows])
