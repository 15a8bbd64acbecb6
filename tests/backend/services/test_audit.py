"""The audit log records who read or changed whose data, and tampering is detected."""

from __future__ import annotations

import json
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


def _rewrite_from(seq: int, change: str) -> None:
    """A database user's rewrite: edit a row, re-hash it and every later row the only way they
    can (plain SM3, they do not have the audit key) and move the head along."""
    _tamper(change)
    rows = _entries()
    prev_hash = rows[seq - 2].hash if seq > 1 else audit.GENESIS_HASH
    db.session.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
    for row in rows[seq - 1:]:
        row.prev_hash, row.key_id = prev_hash, None
        row.hash = audit.entry_hash(row)
        db.session.execute(text("UPDATE audit_entry SET prev_hash = :p, hash = :h, key_id = NULL "
                                "WHERE seq = :s"), {"p": row.prev_hash, "h": row.hash,
                                                    "s": row.seq})
        prev_hash = row.hash
    db.session.execute(text("UPDATE audit_chain_head SET seq = :s, hash = :h"),
                       {"s": rows[-1].seq, "h": prev_hash})
    db.session.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER USER"))
    db.session.commit()
    db.session.expire_all()


def test_entries_are_hashed_under_the_audit_key(ctx):
    from backend.security.crypto import sm3_hex

    _append(2)
    first = _entries()[0]
    assert first.key_id == ctx.config["AUDIT_HMAC_KEY_ID"]
    keyring = ctx.extensions["audit_keyring"]
    assert first.hash == keyring.entry_mac(first.key_id, audit._fields(first))
    plain = sm3_hex(json.dumps(audit._fields(first), ensure_ascii=False,
                                             sort_keys=True, separators=(",", ":")).encode())
    assert first.hash != plain  # nobody without the key can compute it


def test_a_rewrite_by_a_database_user_is_detected_without_any_checkpoint(ctx):
    _append(5)
    _rewrite_from(3, "UPDATE audit_entry SET subject_id = 'someone-else' WHERE seq = 3")
    _, problems = audit.verify_chain()
    assert any(p.seq == 3 and "without the audit key" in p.problem for p in problems), problems


def test_a_rewrite_of_the_whole_chain_is_caught_by_the_checkpoint_outside_the_database(ctx):
    _append(4)
    count, problems, checkpoint = audit.anchor()
    assert (count, problems, checkpoint.seq) == (4, [], 4)
    _rewrite_from(1, "UPDATE audit_entry SET subject_id = 'someone-else' WHERE seq = 2")
    _, problems = audit.verify_chain()
    assert any(p.seq == 4 and "rewritten" in p.problem for p in problems), problems


def test_removing_the_newest_entries_and_moving_the_head_back_is_detected(ctx):
    _append(5)
    audit.anchor()
    third = _entries()[2]
    _tamper("DELETE FROM audit_entry WHERE seq > 3")
    db.session.execute(text("UPDATE audit_chain_head SET seq = 3, hash = :h"), {"h": third.hash})
    db.session.commit()
    _, problems = audit.verify_chain()
    assert any("chain ends at 3" in p.problem and "removed" in p.problem for p in problems)


def test_a_changed_or_removed_checkpoint_line_is_detected(ctx):
    from pathlib import Path

    _append(2)
    audit.anchor()
    _append(2)
    audit.anchor()
    path = Path(ctx.config["AUDIT_CHECKPOINT_PATH"])
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    path.write_text(lines[0].replace('"seq": 2', '"seq": 3') + "\n" + lines[1] + "\n")
    _, problems = audit.verify_chain()
    assert any("line 1 has a bad signature" in p.problem for p in problems), problems
    path.write_text(lines[1] + "\n")
    _, problems = audit.verify_chain()
    assert any("line 1 does not follow" in p.problem for p in problems), problems


def test_keys_rotate_old_entries_verify_with_their_own_key(ctx):
    from backend.security.audit_chain import AuditKeyring

    original = ctx.extensions["audit_keyring"]
    old_spec = ctx.config["AUDIT_HMAC_KEYS"]
    try:
        _append(2)
        ctx.extensions["audit_keyring"] = AuditKeyring.from_config(
            old_spec + ",next:" + "ab" * 32, "next")
        _append(2)
        assert [e.key_id for e in _entries()] == ["demo1", "demo1", "next", "next"]
        assert audit.verify_chain() == (4, [])
        ctx.extensions["audit_keyring"] = AuditKeyring.from_config("next:" + "ab" * 32, "next")
        _, problems = audit.verify_chain()
        assert {p.seq for p in problems} == {1, 2}
        assert "not configured" in problems[0].problem
    finally:
        ctx.extensions["audit_keyring"] = original


def test_an_unkeyed_prefix_from_before_the_upgrade_still_verifies(ctx):
    for seq in (1, 2):  # written by the previous release: plain SM3, no key id
        entry = AuditEntry(seq=seq, occurred_at=audit.utcnow(), actor_kind="system",
                           action="old.event", subject_kind="thing", detail={},
                           prev_hash=_entries()[-1].hash if seq > 1 else audit.GENESIS_HASH)
        entry.hash = audit.entry_hash(entry)
        db.session.add(entry)
        db.session.flush()
    db.session.execute(text("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 2, :h)"),
                       {"h": _entries()[-1].hash})
    db.session.commit()
    _append(2)
    assert [e.key_id for e in _entries()] == [None, None, "demo1", "demo1"]
    assert audit.verify_chain() == (4, [])


def test_audit_verify_command_anchors_an_intact_chain(app, ctx):
    from pathlib import Path

    _append(3)
    result = CliRunner().invoke(app.cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "anchored at seq 3" in result.output
    assert len(Path(ctx.config["AUDIT_CHECKPOINT_PATH"]).read_text().splitlines()) == 1
    again = CliRunner().invoke(app.cli, ["audit", "verify", "--no-anchor"])
    assert again.exit_code == 0 and "anchored" not in again.output
