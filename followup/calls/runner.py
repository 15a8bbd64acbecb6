"""One follow-up call from dialling to goodbye: the text dialogue spoken over a telephony
gateway. With a media gateway our synthesizer speaks each turn and our recognizer hears each
answer; a cloud call centre does both itself. What comes back is a `CallReport` for the backend
to store — nothing here touches a database.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from followup.calls.dialogue import CallDialogue
from followup.calls.outcome import CallOutcome, CallStatus
from followup.calls.policy import Disposition
from followup.calls.telephony.base import (
    CallRequest,
    Recognizer,
    SpeechAudio,
    Synthesizer,
    TelephonyGateway,
)

log = logging.getLogger(__name__)
FIRST_LISTEN_MS = 2500  # after answering, people say "喂"; a machine plays its greeting


@dataclass(frozen=True)
class CallReport:
    disposition: Disposition
    outcome: CallOutcome | None  # None when nobody talked (busy, no answer, voicemail…)
    recording: bytes | None
    barge_ins: int
    cause: str


class PromptVoice:
    """The synthesizer with a small cache: the same prompts are said on every call."""

    def __init__(self, synthesizer: Synthesizer, size: int = 128) -> None:
        self.synthesizer, self.size = synthesizer, size
        self._cache: OrderedDict[str, SpeechAudio] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> SpeechAudio:
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        audio = self.synthesizer.synthesize(text)
        with self._lock:
            self._cache[text] = audio
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return audio


def run_call(gateway: TelephonyGateway, request: CallRequest, dialogue: CallDialogue, *,
             voice: PromptVoice | None = None, recognizer: Recognizer | None = None,
             transfer_to: str | None = None) -> CallReport:
    """Dial, talk and hang up. Raises TelephonyError only when the provider fails before the
    call is answered; anything after that ends the call and is reported."""
    if not gateway.speaks_itself and (voice is None or recognizer is None):
        raise ValueError(f"{gateway.name} needs our synthesizer and recognizer")
    dialled = gateway.dial(request)
    if dialled.disposition is not Disposition.ANSWERED or dialled.call is None:
        return CallReport(dialled.disposition, None, None, 0, dialled.cause)
    call, barge_ins, cut_off = dialled.call, 0, False
    try:
        hello = call.say("", None, listen=True, wait_ms=FIRST_LISTEN_MS)
        if call.answered_by_machine:
            text = dialogue.voicemail_message()
            call.say(text, None if voice is None else voice(text), listen=False)
            call.hang_up()
            return CallReport(Disposition.VOICEMAIL, None, call.recording(), 0, "avmd::beep")
        cut_off = hello.hung_up
        turn = None if cut_off else dialogue.start()
        while turn is not None:
            audio = None if gateway.speaks_itself else voice(turn.say)
            heard = call.say(turn.say, audio, listen=turn.listen)
            barge_ins += heard.barged_in
            if turn.transfer and transfer_to:
                call.transfer(transfer_to)
                break
            if turn.hang_up or turn.transfer:
                break
            if heard.hung_up:
                cut_off = True
                if heard.pcm:  # words said as the phone went down still count (a red flag)
                    dialogue.hear(_text(heard, recognizer))
                dialogue.hung_up()
                break
            turn = dialogue.hear(_text(heard, recognizer))
    finally:
        call.hang_up()
    outcome = dialogue.outcome()
    disposition = Disposition.DROPPED if cut_off and outcome.status in (
        CallStatus.HUNG_UP, CallStatus.NO_RESPONSE) else Disposition.ANSWERED
    log.info("follow-up call ended", extra={"call": request.call_id, "status": outcome.status,
                                            "barge_ins": barge_ins})
    return CallReport(disposition, outcome, call.recording(), barge_ins, dialled.cause)


def _text(heard, recognizer: Recognizer | None) -> str:
    if heard.text is not None:
        return heard.text
    if not heard.pcm or recognizer is None:
        return ""
    return recognizer.transcribe(heard.pcm, heard.sample_rate).text
