"""Report tests: the app with inline jobs, an MLLP listener in front of it on loopback."""

from __future__ import annotations

import pytest

from backend.extensions import db
from backend.services.reports.hl7_inbound import listener
from tests.conftest import make_app


@pytest.fixture(scope="module")
def inline_app(app, simulators):
    return make_app(simulators, JOBS_INLINE=True)


@pytest.fixture(scope="module")
def mllp(inline_app):
    server = listener(inline_app, "127.0.0.1", 0)
    server.serve_in_thread()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def rctx(inline_app):
    with inline_app.app_context():
        yield inline_app
        db.session.remove()
