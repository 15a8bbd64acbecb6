"""Jobs go through Redis to a real RQ worker process, and are safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from backend.extensions import db
from backend.jobs import enqueue, maintenance
from backend.models import AuthSession
from backend.timeutil import utcnow
from tests import factories as f
from tests.helpers_process import frontdoor


def test_a_real_worker_purges_old_sessions_and_a_rerun_changes_nothing(ctx):
    acct = f.account()
    f.account_token(acct)
    old = AuthSession(kind="account", channel="wechat", account_id=acct.id,
                      expires_at=utcnow() - timedelta(days=40))
    db.session.add(old)
    db.session.commit()

    for _ in range(2):
        job_id = enqueue(maintenance.purge_expired_sessions, queue="maintenance")
        assert job_id
        worker = frontdoor("worker", "--burst", "--queue", "maintenance")
        output, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0, output
        assert job_id in output
        db.session.expire_all()
        assert db.session.execute(select(func.count(AuthSession.id))).scalar_one() == 1


def test_the_nightly_audit_verification_anchors_a_checkpoint_outside_the_database(ctx):
    from pathlib import Path

    from backend.services import audit

    for index in range(3):
        audit.record("test.event", "thing", str(index), actor_kind="system")
    db.session.commit()
    job_id = enqueue(maintenance.verify_audit_chain, queue="maintenance")
    worker = frontdoor("worker", "--burst", "--queue", "maintenance")
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0 and job_id in output, output
    lines = Path(ctx.config["AUDIT_CHECKPOINT_PATH"]).read_text().splitlines()
    assert len(lines) == 1 and '"seq": 3' in lines[0]


def test_jobs_deferred_together_reach_the_worker_in_one_round_trip_and_all_run(ctx):
    """A batch of stored HL7 messages defers one push job per report: they are enqueued with
    one Redis pipeline after the commit, and a real worker runs every one."""
    from backend.models import PatientMessage
    from backend.services.deferred import commit, defer

    acct = f.account()
    rows = [PatientMessage(dedupe_key=f"batch:{n}", account_id=acct.id, kind="report_ready",
                           status="pending", data={}, attempts=0) for n in range(3)]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        defer("backend.jobs.messages:send_message", row.id)
    commit()
    worker = frontdoor("worker", "--burst", "--queue", "default")
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    db.session.expire_all()
    statuses = db.session.execute(select(PatientMessage.status)).scalars().all()
    assert statuses == ["skipped"] * 3  # each job ran: no subscription, so nothing was sent
