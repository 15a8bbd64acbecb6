"""The offline speech engines and scripted callees that the call tests share (loaded once per
test process: the voice takes seconds to load).

Callees speak committed recordings (tests/followup/calls/callee/), never a fresh synthesis: the
offline voice is not deterministic, so synthesizing in each test process gave each run different
audio and made the calls' outcome a draw.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from conversations.speech.audio import decode_audio
from followup.calls.runner import PromptVoice
from simulators.freeswitch import Reply

CALLEE_LINES = Path(__file__).parent / "followup" / "calls" / "callee"


@cache
def engines():
    """(synthesizer, recognizer, the caller's cached voice) — the app's shared offline ones."""
    from backend.services.voice.engines import shared_recognizer, shared_synthesizer

    synthesizer = shared_synthesizer("offline", ())
    return synthesizer, shared_recognizer("offline", ()), PromptVoice(synthesizer)


@cache
def _recordings() -> dict[str, str]:
    """Each callee line's text → its recording's id."""
    lines = yaml.safe_load((CALLEE_LINES / "utterances.yaml").read_text("utf-8"))["utterances"]
    return {line["reference"]: line["id"] for line in lines}


@cache
def _spoken(text: str) -> bytes:
    line = _recordings().get(text)
    if line is None:
        raise LookupError(f"no callee recording says {text!r}: add it to {CALLEE_LINES}/"
                          "utterances.yaml and run scripts/make_speech_corpus.py --corpus "
                          f"{CALLEE_LINES.relative_to(Path(__file__).parent.parent)}")
    return decode_audio((CALLEE_LINES / f"{line}.ogg").read_bytes(), "ogg").pcm


def say(text: str, **how) -> Reply:
    """A callee's reply: the committed recording of `text`, on the 16 kHz line."""
    return Reply(text, _spoken(text), **how)
