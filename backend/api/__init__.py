"""HTTP API, versioned under /api/v1, one blueprint per audience, documented as OpenAPI 3."""

from __future__ import annotations

from flask import Flask

from backend.api import fhir, health, notify
from backend.api.admin import blp as admin_blp
from backend.api.mp import blp as mp_blp
from backend.extensions import api
from backend.openapi_rules import object_sizes


def register_api(app: Flask) -> None:
    api.init_app(app)
    api.ma_plugin.converter.add_attribute_function(object_sizes)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Session token."})
    api.register_blueprint(mp_blp)
    api.register_blueprint(admin_blp)
    app.register_blueprint(health.bp)
    app.register_blueprint(fhir.bp)
    app.register_blueprint(notify.bp)
