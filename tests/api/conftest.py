"""Booking and payment tests share one app with inline jobs, served on loopback so that the
payment simulators' callbacks reach it over real HTTP."""

from __future__ import annotations

import pytest

from backend.extensions import db
from simulators.server import SimulatorServer
from tests.conftest import make_app


@pytest.fixture(scope="module")
def served(app, simulators):
    """The app with inline jobs, served on loopback so the gateways' callbacks reach it."""
    inline = make_app(simulators, JOBS_INLINE=True)
    with SimulatorServer(inline) as server:
        inline.config["PAYMENT_NOTIFY_BASE_URL"] = server.url
        yield inline


@pytest.fixture()
def web(served):
    """A test client inside the served app."""
    with served.app_context():
        yield served.test_client()
        db.session.remove()
