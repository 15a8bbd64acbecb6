"""The AI follow-up caller in the demo: a local FreeSWITCH (the simulator) whose scripted
resident, 刘桂芳, answers the questions in the offline voice — so `make demo` rings her at the
first dispatch inside the dialling hours and her answers appear as a 电话随访 record waiting
for doctor.li's confirmation."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from simulators.freeswitch import FreeSwitchSimulator, Reply, ScriptedCallee, to_line

log = logging.getLogger(__name__)
DEMO_ESL_PASSWORD = "demo-esl-password"  # noqa: S105 - the demo simulator's own
LIU_GUIFANG = "13700000002"
# What she says, in order: identity, birth year, today's blood pressure (over the question:
# barge-in), medication, side effects, symptoms.
HER_ANSWERS = ("是的，我就是", "我是一九四八年出生的", "高压一百四十六，低压八十六",
               "每天都按时吃药", "都没有", "都没有")


def start_telephony(root: Path) -> tuple[FreeSwitchSimulator, dict[str, object]]:
    simulator = FreeSwitchSimulator(password=DEMO_ESL_PASSWORD)
    simulator.callees[LIU_GUIFANG] = ScriptedCallee(["no_answer", "answer"])
    threading.Thread(target=_her_voice, args=(simulator,), daemon=True,
                     name="demo-callee-voice").start()
    return simulator, {
        "TELEPHONY_PROVIDER": "freeswitch", "FREESWITCH_ESL_HOST": "127.0.0.1",
        "FREESWITCH_ESL_PORT": simulator.port, "FREESWITCH_ESL_PASSWORD": DEMO_ESL_PASSWORD,
        "CALL_MEDIA_DIR": str(root / "instance" / "call-media"),
        "CALL_RECORDINGS_DIR": str(root / "instance" / "call-recordings"),
        "CALL_CALLER_ID": "057100000001"}


def _her_voice(simulator: FreeSwitchSimulator) -> None:
    """Synthesise her answers in the background (the voice takes seconds to load)."""
    from backend.services.voice.engines import shared_synthesizer

    try:
        voice = shared_synthesizer("offline", ())
        replies = []
        for index, text in enumerate(HER_ANSWERS):
            audio = voice.synthesize(text)
            replies.append(Reply(text, to_line(audio.pcm, audio.sample_rate),
                                 barge_in_ms=1500 if index == 2 else None))
        simulator.callees[LIU_GUIFANG].replies = replies
    except Exception:  # the demo goes on; her calls then meet silence and are retried
        log.exception("demo callee voice unavailable")
