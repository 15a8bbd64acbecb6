"""The speech test corpus and the offline engines, loaded once per test process.

The engines take seconds to load (Whisper ≈ 2 s, the TFLite voice ≈ 5–10 s), so every test that
needs one shares the same instance, as a web process does.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from conversations.speech import Audio, SpeechRecognizer, SpeechSynthesizer
from conversations.speech.audio import decode_audio

CORPUS = Path(__file__).parent / "speech" / "corpus"


@cache
def utterances() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load((CORPUS / "utterances.yaml").read_text("utf-8"))
    return tuple(data["utterances"])


def utterance(utterance_id: str) -> dict[str, Any]:
    return next(u for u in utterances() if u["id"] == utterance_id)


def recording(utterance_id: str) -> bytes:
    """The corpus file as uploaded (Ogg/Opus)."""
    return (CORPUS / f"{utterance_id}.ogg").read_bytes()


def audio(utterance_id: str) -> Audio:
    return decode_audio(recording(utterance_id), "ogg")


@cache
def recognizer() -> SpeechRecognizer:
    from backend.services.voice.engines import shared_recognizer

    return shared_recognizer("offline", ())


@cache
def synthesizer() -> SpeechSynthesizer:
    from backend.services.voice.engines import shared_synthesizer

    return shared_synthesizer("offline", ())


def audio_of_wav(audio: Audio) -> Audio:
    """`audio` at the recognizer's 16 kHz."""
    from conversations.speech.audio import resample

    return Audio(resample(audio.pcm, audio.sample_rate, 16000), 16000)


def encoded(utterance_id: str, fmt: str) -> bytes:
    """The corpus recording as another recorder would have written it."""
    import io as _io

    import pysilk

    from conversations.speech.audio import encode_audio

    clip = audio(utterance_id)
    if fmt == "wav":
        return clip.to_wav()
    if fmt == "pcm":
        return clip.pcm
    if fmt == "silk":
        out = _io.BytesIO()
        pysilk.encode(_io.BytesIO(clip.pcm), out, 16000, 24000, tencent=True)
        return out.getvalue()
    return encode_audio(clip, fmt)
