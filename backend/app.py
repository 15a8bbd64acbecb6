"""The application factory: configuration in, a ready app out, no work at import time."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from backend import config as config_module
from backend.api import register_api
from backend.commands import register_commands
from backend.console import register_console
from backend.cookie_sessions import CookieSessions
from backend.db_pool import check_on_checkout
from backend.errors import register_error_handlers
from backend.extensions import db, limiter, migrate, redis_client
from backend.logging_setup import configure_logging
from backend.request_context import assign_request_id
from backend.request_guards import register_request_guards
from backend.security.audit_chain import AuditKeyring
from backend.security.crypto import BlindIndex, FieldCipher
from backend.services.followup.call_reminders import ScheduledCallPlacer
from backend.services.followup.contacts import register_call_placer
from backend.vendor_clients import VendorClients

log = logging.getLogger("backend.request")


def create_app(config: dict[str, Any] | None = None, web_threads: int | None = None) -> Flask:
    """Build the app. `config` overrides the environment (tests pass their own); `web_threads`
    is the gunicorn worker's thread count, which sizes the database pool."""
    settings = config_module.load(**(config or {}))
    app = Flask(__name__, instance_relative_config=False)
    app.session_interface = CookieSessions()
    app.config.update(settings)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=config_module.sqlalchemy_url(settings["DATABASE_URL"]),
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(
            settings["DATABASE_URL"], settings["DB_POOL_SIZE"] or web_threads or 5),
        API_TITLE="Front Door API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_AS_ASCII=False,
    )
    configure_logging(settings["LOG_LEVEL"], settings["LOG_JSON"])
    if settings["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["TRUSTED_PROXIES"],
                                x_proto=settings["TRUSTED_PROXIES"])

    app.extensions["field_cipher"] = FieldCipher.from_config(
        settings["FIELD_ENCRYPTION_KEYS"], settings["FIELD_ENCRYPTION_KEY_ID"])
    app.extensions["blind_index"] = BlindIndex(settings["BLIND_INDEX_KEY"].encode())
    app.extensions["audit_keyring"] = AuditKeyring.from_config(
        settings["AUDIT_HMAC_KEYS"], settings["AUDIT_HMAC_KEY_ID"])
    app.extensions["vendor_clients"] = VendorClients(app)
    if settings["TELEPHONY_PROVIDER"]:  # the reminder channel 'AI call' rings through the caller
        register_call_placer(app, ScheduledCallPlacer())

    db.init_app(app)
    if not settings["DATABASE_URL"].startswith("sqlite"):
        with app.app_context():
            check_on_checkout(db.engine)  # instead of pool_pre_ping's round trip (db_pool.py)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True)
    redis_client.init_app(app)
    register_api(app)
    register_console(app)
    register_error_handlers(app)
    _request_logging(app)
    limiter.init_app(app)  # after the request id is assigned: a 429 carries it
    register_request_guards(app)

    register_commands(app)
    return app


def _engine_options(url: str, pool_size: int) -> dict[str, Any]:
    """One connection per thread that can hold one (a gthread worker serves `threads` requests
    at once), two spare for the odd background thread; a request waits at most 10 s for one.
    Bigger pools only queue the same work inside PostgreSQL (see the README on PgBouncer)."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_size": pool_size, "max_overflow": 2,
            "pool_timeout": 10, "pool_recycle": 1800}


def _migrations_dir() -> str:
    return str(Path(__file__).resolve().parent.parent / "migrations")


def _request_logging(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        assign_request_id()
        g.started = time.perf_counter()

    @app.after_request
    def finish(response):
        elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.path not in {"/healthz", "/readyz"}:
            log.info("request", extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "ms": round(elapsed_ms, 1),
            })
        return response
