"""The follow-up record form (随访记录): saved through `services.followup.records`, the same
service as the API; classified live by the same pure function through a small JSON endpoint.
AI follow-up calls (AI电话随访): the list, one call's talk, and the doctor's confirmation of the
record it made, through the same `call_review.confirm` as the API."""

from __future__ import annotations

from uuid import UUID

from flask import flash, g, jsonify, redirect, render_template, request, url_for

from backend.console.blueprint import bp, roles
from backend.errors import Conflict, ValidationFailed
from backend.models import StaffRole
from backend.services.console import calls as console_calls
from backend.services.console import followup as console_followup
from backend.services.followup import call_review, questionnaire, records

_CALL_READERS = (StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)


def _form_page(resident_id: UUID, *, values=None, error=None, error_field=None, saved=None,
               status: int = 200):
    context = console_followup.form_context(g.principal, resident_id)
    return render_template("console/followup_form.html", values=values or {}, error=error,
                           error_field=error_field, saved=saved, **context), status


@bp.route("/followup/residents/<uuid:resident_id>/record", methods=["GET"])
@roles(StaffRole.FAMILY_DOCTOR)
def followup_form(resident_id: UUID):
    return _form_page(resident_id)


@bp.route("/followup/residents/<uuid:resident_id>/record", methods=["POST"])
@roles(StaffRole.FAMILY_DOCTOR)
def save_followup(resident_id: UUID):
    try:
        data = console_followup.read_form(request.form)
        record = records.record_followup(g.principal, resident_id, data)
    except (ValidationFailed, Conflict) as exc:
        return _form_page(resident_id, values=request.form,
                          error=console_followup.plain_message(exc), error_field=exc.field,
                          status=exc.status)
    return _form_page(resident_id, saved=console_followup.record_view(record))


@bp.route("/followup/residents/<uuid:resident_id>/preview", methods=["POST"])
@roles(StaffRole.FAMILY_DOCTOR)
def preview_followup(resident_id: UUID):
    """What the visit typed so far would be classified as; nothing is stored."""
    try:
        data = console_followup.read_form(request.form)
        result = records.preview_followup(g.principal, resident_id, data)
    except (ValidationFailed, Conflict) as exc:
        answer = {"error": console_followup.plain_message(exc), "field": exc.field}
        return jsonify(answer), exc.status
    return jsonify(console_followup.result_view(result))


@bp.route("/followup/questionnaires/<uuid:questionnaire_id>/review", methods=["POST"])
@roles(StaffRole.FAMILY_DOCTOR)
def review_questionnaire(questionnaire_id: UUID):
    """Accept a resident's questionnaire as a follow-up, or return it with a note."""
    decision = request.form.get("decision")
    if decision not in ("accept", "return"):
        flash("请选择采用或退回。", "error")
        return redirect(url_for("console.worklist") + "#questionnaires_review")
    note = (request.form.get("note") or "").strip()[:500] or None
    try:
        row = questionnaire.review(g.principal, questionnaire_id,
                                   {"decision": decision, "note": note})
    except (ValidationFailed, Conflict) as exc:
        flash(console_followup.plain_message(exc), "error")
        return redirect(url_for("console.worklist") + "#questionnaires_review")
    flash(f"{row.resident.name}的问卷已{'采用为一次随访' if decision == 'accept' else '退回'}。",
          "success")
    return redirect(url_for("console.worklist") + "#questionnaires_review")


@bp.route("/followup/calls", endpoint="followup_calls")
@roles(*_CALL_READERS)
def list_calls():
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    show, resident = request.args.get("show", ""), request.args.get("resident", "")
    result = console_calls.list_calls(g.principal, show, resident, page)
    return render_template("console/followup_calls.html", result=result, show=show,
                           resident=resident, choices=console_calls.SHOW)


@bp.route("/followup/calls/<uuid:call_id>")
@roles(*_CALL_READERS)
def followup_call(call_id: UUID):
    return render_template("console/followup_call.html",
                           view=console_calls.call_detail(g.principal, call_id))


@bp.route("/followup/records/<uuid:record_id>/confirm", methods=["POST"])
@roles(StaffRole.FAMILY_DOCTOR)
def confirm_call_record(record_id: UUID):
    """The doctor confirms the record an AI call made: its next follow-up date counts."""
    call_id = request.form.get("call", "")
    target = url_for("console.followup_call", call_id=call_id) if _is_uuid(call_id) \
        else url_for("console.followup_calls")
    try:
        record = call_review.confirm(g.principal, record_id)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(target)
    flash(f"已确认{record.resident.name}的电话随访记录，下次随访日期为"
          f"{record.next_followup_on.isoformat()}。", "success")
    return redirect(target)


def _is_uuid(raw: str) -> bool:
    try:
        UUID(raw)
    except ValueError:
        return False
    return True
