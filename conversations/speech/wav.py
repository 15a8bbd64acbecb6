"""RIFF/WAVE framing of 16-bit mono PCM, with the standard library's `wave` module."""

from __future__ import annotations

import io
import wave


def pcm_to_wav(pcm: bytes, sample_rate: int) -> bytes:
    """16-bit mono PCM wrapped in a WAV header."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()
