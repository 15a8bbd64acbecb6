"""When a follow-up reminder could not reach the resident by its channel (an SMS the carrier
reports undelivered, a mini-program message Alipay or WeChat would not deliver), the reminder
passes to the next channel of `followup/data/channels.yaml` after it that the resident allows;
with none left, the doctor's worklist says why. Always forward in the order, so never a loop.
"""

from __future__ import annotations

import logging

from backend.extensions import db
from backend.models import FollowUpContact, FollowUpTask, PatientMessage, TaskStatus
from backend.services.deferred import defer
from backend.services.followup.contacts import available_channels
from backend.services.followup.reach import reach_of
from followup.channels import fallback_channel

log = logging.getLogger(__name__)
SUFFIX = {"sms": ":after-sms", "miniprogram": ":after-app"}
FAILED_WORDS = {"sms": "提醒短信未送达", "miniprogram": "小程序提醒未送达"}


def pass_on(task: FollowUpTask, kind: str, failed: str, dedupe_key: str,
            reason: str) -> str | None:
    """Queue the reminder on the next channel in the current transaction; returns that
    channel, "doctor", or None when the follow-up is no longer open."""
    if task.status != TaskStatus.OPEN.value:
        return None  # done or cancelled meanwhile: nothing to remind of
    resident = task.enrolment.resident
    choice = fallback_channel(kind, failed, reach_of(resident), available_channels(kind))
    key = dedupe_key + SUFFIX[failed]
    if choice.channel == "miniprogram":
        message = PatientMessage(dedupe_key=key, account_id=resident.patient.account_id,
                                 followup_task_id=task.id, kind=kind, status="pending",
                                 data={}, attempts=0)
        db.session.add(message)
        defer("backend.jobs.messages:send_message", message)
    elif choice.channel in ("sms", "ai_call"):
        db.session.add(FollowUpContact(dedupe_key=key, resident_id=resident.id, task_id=task.id,
                                       kind=kind, channel=choice.channel, status="pending",
                                       attempts=0))
    else:
        task.unreached_note = f"{FAILED_WORDS[failed]}（{reason}），请电话或上门联系居民。"[:200]
    log.info("undelivered follow-up reminder passed on", extra={
        "follow_up_task": task.id, "from": failed, "to": choice.channel or "doctor",
        "why": choice.why})
    return choice.channel or "doctor"
