"""The console's blueprint: sign-in state, CSRF, idle sign-out, security headers, HTML errors."""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect

from backend.auth import principal_for_token
from backend.errors import ApiError, Forbidden, Unauthenticated
from backend.extensions import db
from backend.models import AuthSession, PrincipalKind, StaffRole, StaffUser
from backend.rate_limits import RateLimited
from backend.timeutil import CLINIC_TZ, utcnow

log = logging.getLogger(__name__)
ADMIN_DIR = Path(__file__).resolve().parents[2] / "admin"
CONSOLE_ROLES = frozenset({StaffRole.FAMILY_DOCTOR, StaffRole.HOSPITAL_ADMIN,
                           StaffRole.CLINICIAN, StaffRole.DEPARTMENT_HEAD})
PUBLIC_ENDPOINTS = frozenset({"console.login", "console.static"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")

bp = Blueprint("console", __name__, url_prefix="/console",
               template_folder=str(ADMIN_DIR / "templates"),
               static_folder=str(ADMIN_DIR / "static"), static_url_path="/static")
csrf = CSRFProtect()

NAV = (  # endpoint, label, roles
    ("console.worklist", "工作台", CONSOLE_ROLES),
    ("console.residents", "签约居民", frozenset({StaffRole.FAMILY_DOCTOR,
                                              StaffRole.HOSPITAL_ADMIN})),
    ("console.previsit", "今日预问诊", frozenset({StaffRole.CLINICIAN,
                                               StaffRole.DEPARTMENT_HEAD})),
    ("console.followup_calls", "AI电话随访", frozenset({StaffRole.FAMILY_DOCTOR,
                                                     StaffRole.HOSPITAL_ADMIN})),
)


def roles(*allowed: str):
    """Pages a role does not have are refused (403), like the API's."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if g.principal.role not in allowed:
                raise Forbidden("您的账号没有这个页面的权限。")
            return view(*args, **kwargs)
        return wrapper
    return decorator


def end_session(token: str | None) -> None:
    """Revoke the server-side session row (so a copied cookie is useless) and forget it."""
    if token:
        try:
            principal = principal_for_token(token)
        except Unauthenticated:
            principal = None
        if principal is not None:
            row = db.session.get(AuthSession, principal.session_id)
            row.revoked_at = utcnow()
            db.session.commit()
    session.clear()


def _to_login(reason: str | None = None):
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("console.login", next=target, reason=reason))


@bp.before_request
def load_staff():
    if request.method == "POST":
        csrf.protect()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = session.get("token")
    if not token:
        return _to_login()
    idle_seconds = current_app.config["CONSOLE_IDLE_MINUTES"] * 60
    if time.time() - session.get("seen", 0) > idle_seconds:
        end_session(token)
        log.info("console session ended after idle time")
        return _to_login("idle")
    try:
        principal = principal_for_token(token)
    except Unauthenticated:
        session.clear()
        return _to_login("expired")
    if principal.kind != PrincipalKind.STAFF or principal.role not in CONSOLE_ROLES:
        end_session(token)
        return _to_login()
    g.principal = principal
    g.staff = db.session.get(StaffUser, principal.staff_id)
    session["seen"] = time.time()
    return None


@bp.after_request
def security_headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def console_context():
    principal = g.get("principal")
    nav = [(endpoint, label) for endpoint, label, allowed in NAV
           if principal is not None and principal.role in allowed]
    return {"nav": nav, "idle_seconds": current_app.config["CONSOLE_IDLE_MINUTES"] * 60}


@bp.errorhandler(CSRFError)
def csrf_refused(exc: CSRFError):
    log.warning("console form refused: CSRF", extra={"reason": exc.description})
    message = "这个页面已经过期或来源不明，操作没有执行。请刷新页面后再试。"
    return render_template("console/error.html", title="页面已过期", message=message), 400


@bp.errorhandler(RateLimited)
def too_many(exc: RateLimited):
    return render_template("console/error.html", title="操作太频繁",
                           message="操作太频繁了，请稍等一分钟再试。"), 429


@bp.errorhandler(Unauthenticated)
def signed_out(exc: Unauthenticated):
    session.clear()
    return _to_login("expired")


@bp.errorhandler(ApiError)
def refused(exc: ApiError):
    db.session.rollback()
    return render_template("console/error.html", title="无法完成", message=exc.message), \
        exc.status


@bp.app_template_filter("local_time")
def local_time(when) -> str:
    return when.astimezone(CLINIC_TZ).strftime("%Y-%m-%d %H:%M") if when else "—"


@bp.app_template_filter("local_date")
def local_date(when) -> str:
    return when.astimezone(CLINIC_TZ).strftime("%Y-%m-%d") if when else "—"


@bp.app_template_filter("local_clock")
def local_clock(when) -> str:
    return when.astimezone(CLINIC_TZ).strftime("%H:%M") if when else "—"
