"""/healthz is the process; /readyz is the database and Redis."""

from __future__ import annotations

from tests.conftest import make_app


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_fails_when_redis_is_unreachable(simulators, app):
    broken = make_app(simulators, REDIS_URL="redis://127.0.0.1:1/0")
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "unreachable"
    assert response.json["checks"]["database"] == "ok"


def test_readyz_fails_when_the_database_is_unreachable(simulators, app):
    broken = make_app(simulators, DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "unreachable"
