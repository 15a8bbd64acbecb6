"""AI follow-up calls (AI电话随访): the dispatcher that queues due calls and the worker step that
places one — build who is called, talk through the configured gateway, write down the result.

The call itself runs outside any database transaction (it lasts minutes); the claim before it
and the result after it are each one short transaction.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from flask import current_app

from backend.extensions import db
from backend.jobs import enqueue_many
from backend.models import FollowUpCall, Organization
from backend.services.followup import call_results, call_schedule
from backend.services.followup.call_exchange import RedisExchange
from backend.services.followup.call_safety import assistant_red_flags
from backend.services.voice.engines import recognizer, synthesizer
from backend.timeutil import age_on, local_today, utcnow
from followup.calls.dialogue import CallDialogue
from followup.calls.outcome import Callee
from followup.calls.policy import Disposition, default_policy
from followup.calls.runner import CallReport, PromptVoice, run_call
from followup.calls.telephony.aliyun import AliyunSmartCallGateway, VmsClient
from followup.calls.telephony.base import (
    CallRequest,
    GatewayRegistry,
    TelephonyError,
    TelephonyGateway,
)
from followup.calls.telephony.freeswitch import FreeSwitchGateway

log = logging.getLogger(__name__)
_lock = threading.Lock()


def gateways(config) -> GatewayRegistry:
    """The call providers this configuration can build (nothing connects until a call)."""
    registry = GatewayRegistry()
    registry.register("freeswitch", lambda: _freeswitch(config))
    registry.register("aliyun", lambda: _aliyun(config))
    return registry


def _aliyun(config) -> AliyunSmartCallGateway:
    client = VmsClient(config["ALIYUN_VMS_ACCESS_KEY_ID"], config["ALIYUN_VMS_ACCESS_KEY_SECRET"],
                       endpoint=config["ALIYUN_VMS_ENDPOINT"])
    return AliyunSmartCallGateway(client, exchange(), show_number=config["ALIYUN_VMS_SHOW_NUMBER"],
                                  voice_code=config["ALIYUN_VMS_VOICE_CODE"])


def exchange() -> RedisExchange:
    """Aliyun's callbacks and the dialogue meet in Redis (required for this provider)."""
    client = current_app.extensions.get("redis")
    if client is None:
        raise TelephonyError("TELEPHONY_PROVIDER=aliyun needs REDIS_URL", transient=False)
    return RedisExchange(client)


def _freeswitch(config) -> FreeSwitchGateway:
    host, _, port = config["CALL_AUDIO_BIND"].rpartition(":")
    return FreeSwitchGateway(
        host=config["FREESWITCH_ESL_HOST"], port=config["FREESWITCH_ESL_PORT"],
        password=config["FREESWITCH_ESL_PASSWORD"], dial_string=config["FREESWITCH_DIAL_STRING"],
        media_dir=Path(config["CALL_MEDIA_DIR"]), audio_host=host, audio_port=int(port),
        audio_url=config["CALL_AUDIO_URL"] or None)


def gateway() -> TelephonyGateway | None:
    """This process's gateway (its audio server lives as long as the process), or None when
    calls are off."""
    config = current_app.config
    if not config["TELEPHONY_PROVIDER"]:
        return None
    with _lock:
        built = current_app.extensions.get("telephony")
        if built is None:
            built = gateways(config).create(config["TELEPHONY_PROVIDER"])
            current_app.extensions["telephony"] = built
        return built


def voice() -> PromptVoice:
    with _lock:
        cached = current_app.extensions.get("call_voice")
        if cached is None:
            cached = PromptVoice(synthesizer(current_app.config))
            current_app.extensions["call_voice"] = cached
        return cached


def dispatch(now: datetime | None = None) -> dict[str, int]:
    """Open the calls owed, take back those of lost workers, and queue those due now."""
    from backend.jobs.followup import place_call

    now = now or utcnow()
    if not current_app.config["TELEPHONY_PROVIDER"]:
        return {"opened": 0, "recovered": 0, "queued": 0}
    opened = call_schedule.open_calls(now)
    recovered = call_schedule.recover_stale(now)
    due = call_schedule.due_call_ids(now, default_policy(),
                                     current_app.config["CALLS_PER_DISPATCH"])
    enqueue_many([(place_call, (call_id,)) for call_id in due], queue="calls")
    counts = {"opened": opened, "recovered": recovered, "queued": len(due)}
    log.info("follow-up calls dispatched", extra=counts)
    return counts


def place(call_id: int, now: datetime | None = None) -> str | None:
    """Place one due call and record what happened; returns the call's state, or None when
    there was nothing to do (another worker has it, it is not due, calls are off)."""
    provider = gateway()
    if provider is None:
        return None
    now = now or utcnow()
    policy = default_policy()
    if not policy.allows(now):
        return None
    attempt = call_schedule.claim(call_id, now, provider.name)
    if attempt is None:
        return None
    call = attempt.call
    request = CallRequest(call_id=str(attempt.external_id), number=call.resident.phone,
                          caller_id=current_app.config["CALL_CALLER_ID"],
                          ring_seconds=policy.ring_seconds)
    callee = _callee(call)
    dialogue = CallDialogue(callee, today=local_today(),
                            transfer_available=bool(current_app.config["CALL_TRANSFER_TO"]),
                            red_flag_check=assistant_red_flags(callee.age, call.resident.sex))
    attempt_id = attempt.id
    db.session.commit()  # no transaction stays open while the phone rings
    try:
        report = run_call(provider, request, dialogue,
                          voice=None if provider.speaks_itself else voice(),
                          recognizer=None if provider.speaks_itself
                          else recognizer(current_app.config),
                          transfer_to=current_app.config["CALL_TRANSFER_TO"] or None)
    except TelephonyError as exc:
        log.warning("follow-up call could not be placed", extra={"call": call_id,
                                                                 "reason": str(exc)})
        report = CallReport(Disposition.FAILED, None, None, 0, str(exc)[:64])
    return call_results.record_report(attempt_id, report, policy, utcnow()).status


def _callee(call: FollowUpCall) -> Callee:
    resident = call.resident
    enrolments = [e for e in resident.enrolments if e.ended_on is None]
    doctor = min(enrolments, key=lambda e: e.id).doctor if enrolments else None
    centre = db.session.get(Organization, resident.organization_id)
    return Callee(name=resident.name, birth_year=resident.birth_date.year,
                  age=age_on(resident.birth_date, local_today()),
                  programmes=frozenset(e.programme for e in enrolments),
                  centre=centre.name,
                  doctor=f"{doctor.display_name[0]}医生" if doctor else "家庭医生")
