"""Console pages: thin views over `backend.services.console` and the journeys' services."""

from __future__ import annotations

import time
from uuid import UUID

from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from backend.console.blueprint import CONSOLE_ROLES, bp, end_session, roles
from backend.console.forms import AcknowledgeForm, LoginForm
from backend.errors import Unauthenticated, ValidationFailed
from backend.extensions import limiter
from backend.models import StaffRole
from backend.services import alerts, staff
from backend.services.console import (
    plan,
    previsit,
    resident_filters,
    residents,
    sent_messages,  # noqa: F401  (registers the timeline's messages)
    timeline,
    vitals,
    worklist,
)
from backend.services.portraits import rules as portrait_rules
from backend.services.portraits import service as portraits
from backend.services.reports import critical

_CLINICAL = (StaffRole.CLINICIAN, StaffRole.DEPARTMENT_HEAD, StaffRole.HOSPITAL_ADMIN)
_RESIDENT_READERS = (StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN)
_REASONS = {"idle": "您已较长时间没有操作，为保护居民信息，已自动退出。请重新登录。",
            "expired": "登录已失效，请重新登录。", "signed_out": "您已安全退出。"}


def _safe_next(target: str | None) -> str:
    """Only back into the console, never to another site (open redirect)."""
    if target and target.startswith("/console/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return url_for("console.worklist")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        end_session(session.get("token"))
        try:
            result = staff.login(form.username.data, form.password.data)
        except Unauthenticated as exc:
            error = exc.message
        else:
            if result.staff.role not in CONSOLE_ROLES:
                end_session(result.token)
                error = "这个账号不能登录工作台。"
            else:
                session.clear()
                session["token"] = result.token
                session["seen"] = time.time()
                return redirect(_safe_next(request.args.get("next")))
    elif form.is_submitted():
        error = next(iter(form.errors.values()))[0]
    notice = _REASONS.get(request.args.get("reason", ""))
    status = 401 if error else 200
    return render_template("console/login.html", form=form, error=error, notice=notice), status


@bp.route("/logout", methods=["POST"])
def logout():
    end_session(session.get("token"))
    reason = "idle" if request.form.get("reason") == "idle" else "signed_out"
    return redirect(url_for("console.login", reason=reason))


@bp.route("/")
def home():
    return redirect(url_for("console.worklist"))


@bp.route("/worklist", endpoint="worklist")
def show_worklist():
    sections = worklist.for_principal(g.principal)
    return render_template("console/worklist.html", sections=sections)


@bp.route("/critical-values/<uuid:alert_id>/acknowledge", methods=["POST"])
@roles(*_CLINICAL)
def acknowledge_critical_value(alert_id: UUID):
    form = AcknowledgeForm()
    if not form.validate():
        raise ValidationFailed(next(iter(form.errors.values()))[0], field="note")
    alert = critical.acknowledge(g.principal, alert_id, form.note.data or None)
    flash(f"已确认危急值：{alert.test_name} {alert.value}{alert.unit or ''}。", "success")
    return redirect(url_for("console.worklist"))


@bp.route("/alerts/<uuid:alert_id>/acknowledge", methods=["POST"])
@roles(StaffRole.HOSPITAL_ADMIN)
def acknowledge_alert(alert_id: UUID):
    alerts.acknowledge(g.principal, alert_id)
    flash("提醒已标记为已处理。", "success")
    return redirect(url_for("console.worklist"))


@bp.route("/residents", endpoint="residents")
@roles(*_RESIDENT_READERS)
def search_residents():
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    query = request.args.get("q", "")
    filters = resident_filters.read(request.args)
    result = residents.search(g.principal, query, filters, page)
    return render_template("console/residents.html", result=result, q=query, filters=filters,
                           doctor=filters.doctor_id,
                           doctors=residents.family_doctors(g.principal),
                           choices=resident_filters)


@bp.route("/residents/<uuid:resident_id>")
@roles(*_RESIDENT_READERS)
def resident(resident_id: UUID):
    view = timeline.resident(g.principal, resident_id)
    programme_file = vitals.programme_file(view.profile)
    return render_template("console/resident.html", view=view,
                           level_words=timeline.LEVEL_WORDS,
                           programme_file=programme_file,
                           plans=plan.current(programme_file),
                           sections=portrait_rules.SECTIONS,
                           portrait=portraits.for_staff(g.principal, view.profile))


@bp.route("/residents/<uuid:resident_id>/portrait", methods=["POST"])
@roles(*_RESIDENT_READERS)
def build_portrait(resident_id: UUID):
    portrait = portraits.draft(g.principal, resident_id)
    flash(f"已生成第{portrait.version}版健康画像，共{len(portrait.statements)}条，请逐条核对后审核。",
          "success")
    return redirect(url_for("console.resident", resident_id=resident_id, _anchor="portrait"))


def _statement_choices(portrait_id: UUID) -> tuple[dict[str, str], set[str]]:
    """Form fields text-<i> / leave-<i> back to statement keys (the form never names keys)."""
    statements = portraits.statements_of(portrait_id)
    edits, left_out = {}, set()
    for index, statement in enumerate(statements):
        if request.form.get(f"leave-{index}"):
            left_out.add(statement["key"])
        elif f"text-{index}" in request.form:
            edits[statement["key"]] = request.form[f"text-{index}"]
    return edits, left_out


@bp.route("/portraits/<uuid:portrait_id>/approve", methods=["POST"])
@roles(*_RESIDENT_READERS)
def approve_portrait(portrait_id: UUID):
    edits, left_out = _statement_choices(portrait_id)
    portrait = portraits.approve(g.principal, portrait_id, edits, left_out)
    flash(f"第{portrait.version}版健康画像已审核通过，居民可以在小程序里看到。", "success")
    return redirect(url_for("console.resident", resident_id=portraits.resident_id_of(portrait),
                            _anchor="portrait"))


@bp.route("/portraits/<uuid:portrait_id>/reject", methods=["POST"])
@roles(*_RESIDENT_READERS)
def reject_portrait(portrait_id: UUID):
    portrait = portraits.reject(g.principal, portrait_id, request.form.get("reason", ""))
    flash(f"第{portrait.version}版健康画像已退回，居民看不到。", "success")
    return redirect(url_for("console.resident", resident_id=portraits.resident_id_of(portrait),
                            _anchor="portrait"))


@bp.route("/previsit", endpoint="previsit")
@roles(StaffRole.CLINICIAN, StaffRole.DEPARTMENT_HEAD)
def previsit_notes():
    cards = previsit.today_for(g.principal)
    return render_template("console/previsit.html", cards=cards,
                           department=previsit.department_name(g.principal))
