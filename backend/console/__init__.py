"""The staff web console (工作台) under /console: server-rendered pages from `admin/templates`,
static files from `admin/static`, a session cookie instead of a bearer token, CSRF on every
form, a strict Content-Security-Policy and idle sign-out."""

from __future__ import annotations

from flask import Flask

from backend.console import followup_views, risk_factor_views, views  # noqa: F401  (routes attach to the blueprint)
from backend.console.blueprint import bp, csrf


def register_console(app: Flask) -> None:
    production = app.config["FRONTDOOR_ENV"] not in {"development", "test"}
    app.config.update(
        SESSION_COOKIE_NAME="frontdoor_console",
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_SAMESITE="Lax",
        # Every console POST is checked in the blueprint's before_request; the JSON API and
        # the gateways' callbacks authenticate by token or signature instead.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the signed-in session
    )
    csrf.init_app(app)
    app.register_blueprint(bp)
