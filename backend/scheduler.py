"""The one scheduler: APScheduler in its own process, leader elected through a Redis lease.

Every instance runs `run_scheduler`; the one holding the lease schedules, the others wait. The
leader renews the lease every third of its TTL; if it dies the lease expires and a standby takes
over within one TTL. A leader that fails to renew stops scheduling at once (no split brain).
Scheduled work only enqueues jobs: per-person due dates are rows scanned by "dispatch due" jobs.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import redis
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from backend.jobs import bookings as booking_jobs
from backend.jobs import emr as emr_jobs
from backend.jobs import enqueue, maintenance
from backend.jobs import followup as followup_jobs
from backend.jobs import messages as message_jobs
from backend.jobs import payments as payment_jobs
from backend.jobs import portraits as portrait_jobs
from backend.jobs import reports as report_jobs
from backend.jobs import vaccination as vaccination_jobs
from backend.timeutil import CLINIC_TZ

log = logging.getLogger(__name__)
LOCK_KEY = "frontdoor:scheduler:leader"

_RENEW_LUA = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE_LUA = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class Schedule:
    name: str
    job: Any
    cron: dict[str, Any]
    queue: str = "maintenance"


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("dispatch-emr-deliveries", emr_jobs.dispatch_due_deliveries, {"minute": "*"},
             queue="emr"),
    Schedule("expire-lapsed-holds", booking_jobs.expire_due_holds, {"minute": "*"},
             queue="payments"),
    Schedule("repair-payments", payment_jobs.dispatch_repairs, {"minute": "*/5"},
             queue="payments"),
    Schedule("escalate-critical-values", report_jobs.dispatch_critical_escalations,
             {"minute": "*"}, queue="default"),
    Schedule("match-waiting-reports", report_jobs.match_waiting_reports, {"minute": "*/10"}),
    Schedule("reconcile-report-delivery", report_jobs.reconcile_report_delivery,
             {"hour": 7, "minute": 30}),
    Schedule("refresh-stale-portraits", portrait_jobs.dispatch_stale_portraits,
             {"minute": "*/10"}),
    Schedule("send-pending-messages", message_jobs.dispatch_pending_messages, {"minute": "*/5"}),
    Schedule("send-vaccination-due", vaccination_jobs.dispatch_due, {"minute": "*"},
             queue="default"),
    Schedule("send-visit-reminders", booking_jobs.send_reminders, {"hour": 18, "minute": 0}),
    Schedule("mark-no-shows", booking_jobs.mark_no_shows, {"hour": 23, "minute": 30}),
    Schedule("reconcile-payments", payment_jobs.reconcile_yesterday, {"hour": 10, "minute": 0},
             queue="payments"),
    Schedule("scan-due-followups", followup_jobs.scan_due_followups, {"hour": 1, "minute": 15}),
    Schedule("remind-followups", followup_jobs.remind_residents, {"hour": 9, "minute": 0}),
    Schedule("remind-hba1c-checks", followup_jobs.remind_hba1c, {"hour": 9, "minute": 5}),
    Schedule("remind-doses", followup_jobs.remind_doses, {"minute": "*/5"}, queue="default"),
    Schedule("send-followup-contacts", followup_jobs.dispatch_pending_contacts,
             {"hour": "9-19", "minute": "*/5"}),
    Schedule("pull-sms-receipts", followup_jobs.pull_sms_receipts, {"minute": "*/10"},
             queue="default"),
    Schedule("dispatch-followup-calls", followup_jobs.dispatch_calls, {"minute": "*/5"},
             queue="default"),
    Schedule("purge-call-recordings", followup_jobs.purge_call_recordings,
             {"hour": 3, "minute": 45}),
    Schedule("purge-expired-sessions", maintenance.purge_expired_sessions,
             {"hour": 3, "minute": 30}),
    Schedule("seal-audit-log", maintenance.seal_audit_log, {"minute": "*"}),
    Schedule("verify-audit-chain", maintenance.verify_audit_chain, {"hour": 4, "minute": 0}),
)


class LeaderLease:
    """A Redis key holding this instance's token with a TTL; only the holder may renew it."""

    def __init__(self, client: redis.Redis, ttl_seconds: float, key: str = LOCK_KEY) -> None:
        self.client, self.key, self.ttl_ms = client, key, int(ttl_seconds * 1000)
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._renew = client.register_script(_RENEW_LUA)
        self._release = client.register_script(_RELEASE_LUA)

    def acquire(self) -> bool:
        return bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def renew(self) -> bool:
        try:
            return bool(self._renew(keys=[self.key], args=[self.token, self.ttl_ms]))
        except redis.RedisError:
            log.warning("scheduler lease renewal failed")
            return False

    def release(self) -> None:
        try:
            self._release(keys=[self.key], args=[self.token])
        except redis.RedisError:
            log.warning("scheduler lease release failed; it will expire by itself")


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=CLINIC_TZ, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    for schedule in SCHEDULES:
        scheduler.add_job(_dispatch, CronTrigger(timezone=CLINIC_TZ, **schedule.cron),
                          args=[app, schedule], id=schedule.name, name=schedule.name)
    return scheduler


def _dispatch(app: Flask, schedule: Schedule) -> None:
    with app.app_context():
        try:
            enqueue(schedule.job, queue=schedule.queue)
        except Exception:  # a failed dispatch must not kill the scheduler thread
            log.exception("scheduled dispatch failed", extra={"schedule": schedule.name})


def run_scheduler(app: Flask, stop: threading.Event) -> None:
    """Block until `stop` is set, scheduling only while this instance holds the lease."""
    client = app.extensions["redis"]
    ttl = app.config["SCHEDULER_LOCK_TTL_SECONDS"]
    lease = LeaderLease(client, ttl)
    log.info("scheduler standing by", extra={"token": lease.token})
    while not stop.is_set():
        try:
            acquired = lease.acquire()
        except redis.RedisError:
            log.warning("redis unreachable; scheduler waiting")
            acquired = False
        if not acquired:
            stop.wait(min(ttl / 3, 5))
            continue
        log.info("became scheduler leader", extra={"token": lease.token})
        scheduler = build_scheduler(app)
        scheduler.start()
        try:
            while not stop.wait(ttl / 3):
                if not lease.renew():
                    log.error("lost scheduler leadership", extra={"token": lease.token})
                    break
        finally:
            scheduler.shutdown(wait=False)
    lease.release()
    log.info("scheduler stopped", extra={"token": lease.token})
