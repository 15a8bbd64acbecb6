"""The offline speech engines and scripted callees that the call tests share (loaded once per
test process: the voice takes seconds to load)."""

from __future__ import annotations

from functools import cache

from followup.calls.runner import PromptVoice
from simulators.freeswitch import Reply, to_line


@cache
def engines():
    """(synthesizer, recognizer, the caller's cached voice) — the app's shared offline ones."""
    from backend.services.voice.engines import shared_recognizer, shared_synthesizer

    synthesizer = shared_synthesizer("offline", ())
    return synthesizer, shared_recognizer("offline", ()), PromptVoice(synthesizer)


@cache
def _spoken(text: str) -> bytes:
    audio = engines()[0].synthesize(text)
    return to_line(audio.pcm, audio.sample_rate)


def say(text: str, **how) -> Reply:
    """A callee's reply, spoken by the offline voice onto the 16 kHz line."""
    return Reply(text, _spoken(text), **how)
