"""The audit log records who read or changed whose data; requests append without a shared lock,
a single sealer links the entries into the chain, and tampering is caught before and after
sealing."""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from backend.extensions import db
from backend.models import AuditEntry, AuditSeal
from backend.services import audit, audit_seal, audit_verify
from tests import factories as f


def _entries():
    return db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()


def _append(count: int) -> None:
    for index in range(count):
        audit.record("test.event", "thing", str(index), actor_kind="system")
    db.session.commit()


def _tamper(*statements: str, params: dict | None = None) -> None:
    """What a DBA with superuser rights could do: bypass the append-only triggers."""
    for table in ("audit_entry", "audit_seal"):
        db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    for sql in statements:
        db.session.execute(text(sql), params or {})
    for table in ("audit_entry", "audit_seal"):
        db.session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    db.session.commit()
    db.session.expire_all()


def _problems() -> list[audit_verify.ChainProblem]:
    return audit_verify.verify_chain()[1]


def _has(problems, seq: int, words: str) -> bool:
    return any(p.seq == seq and words in p.problem for p in problems)


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
    assert [e.action for e in entries] == ["profile.create", "profile.read"]
    last = entries[-1]
    assert last.actor_kind == "account" and last.actor_id == str(acct.external_id)
    assert last.subject_id == profile_id
    assert last.request_id == read.headers["X-Request-ID"]
    assert last.client_ip == "10.1.2.3"
    assert audit_verify.verify_chain() == (2, [])
    assert audit_seal.seal_pending().sealed == 2
    assert audit_verify.verify_chain() == (2, [])


def test_an_entry_is_written_only_when_its_transaction_commits(ctx):
    audit.record("test.event", "thing", "rolled-back", actor_kind="system")
    db.session.rollback()
    _append(1)
    assert [(e.seq, e.subject_id) for e in _entries()] == [(1, "0")]


def test_the_application_cannot_update_or_delete_audit_rows_or_seals(ctx):
    _append(2)
    audit_seal.seal_pending()
    for sql in ("UPDATE audit_entry SET action = 'x' WHERE seq = 1",
                "DELETE FROM audit_entry WHERE seq = 1",
                "UPDATE audit_seal SET hash = 'x' WHERE seq = 1",
                "DELETE FROM audit_seal WHERE seq = 1"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(sql))
        db.session.rollback()


def test_the_sealer_links_entries_in_order_and_moves_the_head(ctx):
    _append(5)
    result = audit_seal.seal_pending(batch=2)
    assert (result.sealed, result.gaps, result.head) == (5, 0, 5)
    seals = db.session.execute(select(AuditSeal).order_by(AuditSeal.seq)).scalars().all()
    assert [s.seq for s in seals] == [1, 2, 3, 4, 5]
    assert [s.entry_mac for s in seals] == [e.mac for e in _entries()]
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(seals))
    assert audit_seal.seal_pending().sealed == 0  # nothing twice
    assert audit_verify.verify_chain() == (5, [])


def test_concurrent_writers_append_without_waiting_and_seal_into_one_chain(app, ctx):
    def writer():
        with app.app_context():
            _append(10)
            db.session.remove()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.seq for e in _entries()] == list(range(1, 81))
    assert audit_seal.seal_pending().sealed == 80
    assert audit_verify.verify_chain() == (80, [])


@pytest.mark.parametrize(("statements", "seq", "words"), [
    (["UPDATE audit_entry SET subject_id = 'someone-else' WHERE seq = 3"], 3, "changed"),
    (["DELETE FROM audit_entry WHERE seq = 2"], 2, "missing (not yet sealed)"),
    (["INSERT INTO audit_entry (seq, occurred_at, actor_kind, action, subject_kind, detail, "
      "mac, key_id) SELECT 6, occurred_at, 'system', 'forged', 'thing', '{}', mac, key_id "
      "FROM audit_entry WHERE seq = 5"], 6, "not written by the application"),
])
def test_tampering_before_sealing_is_detected(ctx, statements, seq, words):
    _append(5)
    assert audit_verify.verify_chain() == (5, [])
    _tamper(*statements)
    assert _has(_problems(), seq, words), _problems()


@pytest.mark.parametrize(("statements", "seq", "words"), [
    (["UPDATE audit_entry SET subject_id = 'someone-else' WHERE seq = 3"], 3, "changed"),
    (["DELETE FROM audit_entry WHERE seq = 2"], 2, "removed after it was sealed"),
    (["DELETE FROM audit_seal WHERE seq = 4"], 4, "its seal was removed"),
    (["DELETE FROM audit_entry WHERE seq = 4", "DELETE FROM audit_seal WHERE seq = 4"], 4,
     "missing (sealed)"),
    (["UPDATE audit_seal SET entry_mac = (SELECT mac FROM audit_entry WHERE seq = 1) "
      "WHERE seq = 2"], 2, "seal was changed"),
])
def test_tampering_after_sealing_is_detected(ctx, statements, seq, words):
    _append(5)
    audit_seal.seal_pending()
    assert audit_verify.verify_chain() == (5, [])
    _tamper(*statements)
    assert _has(_problems(), seq, words), _problems()


def test_an_entry_slipped_under_a_number_sealed_as_empty_is_detected(ctx):
    _append(1)
    db.session.execute(text("SELECT nextval('audit_entry_seq')"))  # a commit that failed
    db.session.commit()
    _append(1)
    assert audit_seal.seal_pending(gap_grace=0).gaps == 1
    assert audit_verify.verify_chain() == (2, [])
    assert audit_verify.sealed_gaps() == 1
    _tamper("INSERT INTO audit_entry (seq, occurred_at, actor_kind, action, subject_kind, "
            "detail, mac, key_id) SELECT 2, occurred_at, 'system', 'late', 'thing', '{}', mac, "
            "key_id FROM audit_entry WHERE seq = 1")
    assert _has(_problems(), 2, "inserted under a number sealed as empty"), _problems()


def test_a_missing_number_holds_the_chain_back_until_its_grace_period_ends(ctx):
    _append(1)
    db.session.execute(text("SELECT nextval('audit_entry_seq')"))  # still committing, maybe
    db.session.commit()
    _append(2)
    held = audit_seal.seal_pending(gap_grace=3600)
    assert (held.sealed, held.head, held.waiting_on) == (1, 1, 2)
    done = audit_seal.seal_pending(gap_grace=0)
    assert (done.sealed, done.gaps, done.head) == (2, 1, 4)


def test_removing_the_newest_sealed_entries_and_moving_the_head_back_is_detected(ctx):
    _append(5)
    audit_verify.anchor()
    third = db.session.get(AuditSeal, 3)
    _tamper("DELETE FROM audit_entry WHERE seq > 3", "DELETE FROM audit_seal WHERE seq > 3",
            "UPDATE audit_chain_head SET seq = 3, hash = :h", params={"h": third.hash})
    assert any("chain ends at 3" in p.problem and "removed" in p.problem for p in _problems())


def test_a_rewrite_by_a_database_user_is_caught_without_any_checkpoint(ctx):
    _append(3)
    audit_seal.seal_pending()
    forged = "0" * 64  # they have no audit key: whatever MAC they write does not verify
    _tamper("UPDATE audit_entry SET subject_id = 'someone-else', mac = :m WHERE seq = 2",
            "UPDATE audit_seal SET entry_mac = :m WHERE seq = 2", params={"m": forged})
    problems = _problems()
    assert _has(problems, 2, "changed") and _has(problems, 2, "seal was changed"), problems


def _start_sealer_blocked_mid_batch(blocker):
    """A real sealer process, stopped mid-batch: another transaction holds seal number 3 (an
    uncommitted insert), so the sealer's batch insert waits there with 1 and 2 written.
    Returns the process and its database backend's pid."""
    from tests.helpers_process import frontdoor

    blocker.execute(text("INSERT INTO audit_seal (seq, entry_mac, prev_hash, hash, key_id, "
                         "sealed_at) VALUES (3, 'x', 'x', 'x', 'x', now())"))
    sealer = frontdoor("audit", "seal", "--once")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        backend = db.session.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'INSERT INTO audit_seal%'")).scalar()
        db.session.commit()
        if backend is not None:
            return sealer, backend
        assert sealer.poll() is None, sealer.stdout.read()
        time.sleep(0.05)
    sealer.kill()
    raise AssertionError("the sealer never reached the blocked seal number within 60 s")


def _wait_until_gone(backend_pid: int) -> None:
    """PostgreSQL ends a killed client's backend (and rolls its transaction back) once that
    backend next tries to talk to it."""
    deadline = time.monotonic() + 60
    while db.session.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                             {"pid": backend_pid}).scalar_one():
        db.session.commit()
        assert time.monotonic() < deadline, f"backend {backend_pid} still there after 60 s"
        time.sleep(0.05)
    db.session.commit()


def test_a_sealer_killed_mid_batch_loses_nothing_and_the_next_one_resumes(app, ctx):
    _append(5)
    with db.engine.connect() as blocker:
        sealer, backend = _start_sealer_blocked_mid_batch(blocker)
        sealer.kill()
        sealer.wait(timeout=30)
        blocker.rollback()
    _wait_until_gone(backend)
    assert db.session.execute(text("SELECT count(*) FROM audit_seal")).scalar_one() == 0
    result = audit_seal.seal_pending()
    assert (result.sealed, result.head) == (5, 5)
    assert audit_verify.verify_chain() == (5, [])


def test_only_one_sealer_works_at_a_time(app, ctx):
    _append(2)
    with db.engine.connect() as other:
        assert other.execute(text("SELECT pg_try_advisory_xact_lock(:k)"),
                             {"k": audit_seal.SEALER_LOCK}).scalar_one()
        assert audit_seal.seal_pending().busy
        other.rollback()
    assert audit_seal.seal_pending().sealed == 2


def test_a_chain_written_per_request_before_the_sealer_is_carried_over(ctx):
    """Entries of the previous release (linked per request, the oldest unkeyed) become seals of
    their own numbers by the migration's own statement, and still verify."""
    import importlib.util
    from pathlib import Path


    prev = audit.GENESIS_HASH
    for seq, key_id in ((1, None), (2, "demo1"), (3, "demo1")):
        entry = AuditEntry(seq=seq, occurred_at=audit.utcnow(), actor_kind="system",
                           action="old.event", subject_kind="thing", detail={},
                           prev_hash=prev, key_id=key_id)
        entry.hash = audit.legacy_hash(entry)
        db.session.add(entry)
        prev = entry.hash
    db.session.execute(text("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 3, :h)"),
                       {"h": prev})
    db.session.execute(text("SELECT setval('audit_entry_seq', 3)"))
    path = next(Path("migrations/versions").glob("*_8c1d2e3f4a5b_audit_sealer.py"))
    spec = importlib.util.spec_from_file_location("audit_sealer_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(text(migration.CARRY_OVER))
    db.session.commit()
    _append(2)
    audit_seal.seal_pending()
    assert audit_verify.verify_chain() == (5, [])
    _tamper("UPDATE audit_entry SET subject_id = 'x' WHERE seq = 2")
    assert _has(_problems(), 2, "changed after it was written"), _problems()


def test_keys_rotate_old_entries_verify_with_their_own_key(ctx):
    from backend.security.audit_chain import AuditKeyring

    original = ctx.extensions["audit_keyring"]
    old_spec = ctx.config["AUDIT_HMAC_KEYS"]
    try:
        _append(2)
        audit_seal.seal_pending()
        ctx.extensions["audit_keyring"] = AuditKeyring.from_config(
            old_spec + ",next:" + "ab" * 32, "next")
        _append(2)
        audit_seal.seal_pending()
        assert [e.key_id for e in _entries()] == ["demo1", "demo1", "next", "next"]
        assert audit_verify.verify_chain() == (4, [])
        ctx.extensions["audit_keyring"] = AuditKeyring.from_config("next:" + "ab" * 32, "next")
        problems = _problems()
        assert {p.seq for p in problems} == {1, 2}
        assert "not configured" in problems[0].problem
    finally:
        ctx.extensions["audit_keyring"] = original


def test_a_rewrite_of_the_whole_chain_is_caught_by_the_checkpoint_outside_the_database(ctx):
    _append(4)
    count, problems, checkpoint = audit_verify.anchor()
    assert (count, problems, checkpoint.seq) == (4, [], 4)
    _tamper("UPDATE audit_seal SET hash = :h WHERE seq = 4",
            "UPDATE audit_chain_head SET hash = :h", params={"h": "f" * 64})
    assert _has(_problems(), 4, "rewritten"), _problems()


def test_a_changed_or_removed_checkpoint_line_is_detected(ctx):
    from pathlib import Path

    _append(2)
    audit_verify.anchor()
    _append(2)
    audit_verify.anchor()
    path = Path(ctx.config["AUDIT_CHECKPOINT_PATH"])
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    path.write_text(lines[0].replace('"seq": 2', '"seq": 3') + "\n" + lines[1] + "\n")
    assert any("line 1 has a bad signature" in p.problem for p in _problems()), _problems()
    path.write_text(lines[1] + "\n")
    assert any("line 1 does not follow" in p.problem for p in _problems()), _problems()


def test_audit_verify_command_seals_anchors_and_exits_non_zero_on_tampering(app, ctx):
    from pathlib import Path

    _append(3)
    runner = CliRunner()
    ok = runner.invoke(app.cli, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact: 3 entries" in ok.output and "anchored at seq 3" in ok.output
    assert len(Path(ctx.config["AUDIT_CHECKPOINT_PATH"]).read_text().splitlines()) == 1
    again = runner.invoke(app.cli, ["audit", "verify", "--no-anchor"])
    assert again.exit_code == 0 and "anchored" not in again.output
    _tamper("UPDATE audit_entry SET action = 'profile.read' WHERE seq = 2")
    broken = runner.invoke(app.cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "seq 2" in broken.output


def test_audit_seal_command_seals_what_is_pending(app, ctx):
    _append(3)
    result = CliRunner().invoke(app.cli, ["audit", "seal", "--once"])
    assert result.exit_code == 0, result.output
    assert "sealed 3 entries" in result.output and "chain head 3" in result.output


def test_a_refused_profile_read_takes_no_number_from_the_log(client, ctx):
    """A read's entry is numbered by the statement that finds the profile: a 404 (someone
    else's 就诊人) takes none, so the sealer never waits on a number nobody wrote."""
    mine, theirs = f.account(), f.account()
    headers = f.bearer(f.account_token(mine))
    own, other = f.profile(mine), f.profile(theirs)
    db.session.commit()
    assert client.get(f"/api/v1/mp/profiles/{other.external_id}",
                      headers=headers).status_code == 404
    assert client.get(f"/api/v1/mp/profiles/{own.external_id}",
                      headers=headers).status_code == 200
    db.session.expire_all()
    entries = _entries()
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + len(entries)))
    assert entries[-1].action == "profile.read" and entries[-1].subject_id == str(own.external_id)
    sealed = audit_seal.seal_pending()
    assert (sealed.gaps, sealed.waiting_on) == (0, None)
    assert audit_verify.verify_chain()[1] == []
