"""The audit log records who read or changed whose data, and tampering is detected."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from backend.extensions import db
from backend.models import AuditEntry
from backend.services import audit
from tests import factories as f


def _entries():
    return db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()


def test_reads_and_changes_of_a_profile_are_recorded_with_actor_and_request(client, ctx):
    acct = f.account()
    headers = f.bearer(f.account_token(acct))
    created = client.post("/api/v1/mp/profiles", headers=headers, json={
        "relationship": "self", "name": "赵六", "document_number": f.resident_id()})
    profile_id = created.json["data"]["id"]
    read = client.get(f"/api/v1/mp/profiles/{profile_id}", headers=headers,
                      environ_base={"REMOTE_ADDR": "10.1.2.3"})
    db.session.expire_all()
    entries = _entries()
    actions = [e.action for e in entries]
    assert actions == ["profile.create", "profile.read"]
    last = entries[-1]
    assert last.actor_kind == "account" and last.actor_id == str(acct.external_id)
    assert last.subject_id == profile_id
    assert last.request_id == read.headers["X-Request-ID"]
    assert last.client_ip == "10.1.2.3"
    assert audit.verify_chain() == (2, [])


def _append(count: int) -> None:
    for index in range(count):
        audit.record("test.event", "thing", str(index), actor_kind="system")
    db.session.commit()


def _tamper(sql: str) -> None:
    """What a DBA with superuser rights could do: bypass the append-only trigger."""
    db.session.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
    db.session.execute(text(sql))
    db.session.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER USER"))
    db.session.commit()


def test_the_application_cannot_update_or_delete_audit_rows(ctx):
    _append(2)
    for sql in ("UPDATE audit_entry SET action = 'x' WHERE seq = 1",
                "DELETE FROM audit_entry WHERE seq = 1"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(sql))
        db.session.rollback()


@pytest.mark.parametrize(("sql", "seq", "words"), [
    ("UPDATE audit_entry SET subject_id = 'someone-else' WHERE seq = 3", 3, "changed"),
    ("DELETE FROM audit_entry WHERE seq = 2", 2, "missing"),
    ("DELETE FROM audit_entry WHERE seq = 5", 5, "removed"),
])
def test_verify_detects_changed_and_deleted_rows(ctx, sql, seq, words):
    _append(5)
    assert audit.verify_chain() == (5, [])
    _tamper(sql)
    _, problems = audit.verify_chain()
    assert any(p.seq == seq and words in p.problem for p in problems), problems


def test_audit_verify_command_exits_non_zero_on_tampering(app, ctx):
    _append(3)
    runner = CliRunner()
    ok = runner.invoke(app.cli, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 3 entries" in ok.output
    _tamper("UPDATE audit_entry SET action = 'profile.read' WHERE seq = 2")
    broken = runner.invoke(app.cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "seq 2" in broken.output


def test_concurrent_writers_form_one_unbroken_chain(app, ctx):
    def writer():
        with app.app_context():
            _append(10)
            db.session.remove()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count, problems = audit.verify_chain()
    assert (count, problems) == (80, [])
    assert [e.seq for e in _entries()] == list(range(1, 81))
