"""Hearing the resident on a live line: voice activity detection (webrtcvad) finds where speech
starts — which is what stops the caller's playback at once (barge-in) — and where it ends.

Counted in frames of audio, never in wall-clock time, so the same audio always gives the same
utterance whatever the machine's load.
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum

import webrtcvad

FRAME_MS = 20
SAMPLE_RATE = 16000
FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2


class Heard(StrEnum):
    NOTHING = "nothing"  # keep listening
    ONSET = "onset"  # speech started (stop playback now)
    UTTERANCE = "utterance"  # speech ended: the utterance is complete
    SILENCE = "silence"  # no speech before the limit


class UtteranceListener:
    """Feed 20 ms frames of 16 kHz 16-bit mono PCM; it says when speech starts and ends.

    Speech starts after `onset_ms` of voiced frames (a cough or click is shorter); it ends
    after `end_silence_ms` without voice. The utterance keeps `preroll_ms` before the onset so
    the first syllable is not cut."""

    def __init__(self, *, aggressiveness: int = 2, onset_ms: int = 60, end_silence_ms: int = 700,
                 no_speech_ms: int = 6000, max_utterance_ms: int = 15000,
                 preroll_ms: int = 300) -> None:
        self._vad = webrtcvad.Vad(aggressiveness)
        self._onset = onset_ms // FRAME_MS
        self._end = end_silence_ms // FRAME_MS
        self._no_speech = no_speech_ms // FRAME_MS
        self._max = max_utterance_ms // FRAME_MS
        self._preroll: deque[bytes] = deque(maxlen=max(1, preroll_ms // FRAME_MS))
        self._frames: list[bytes] = []
        self._voiced_run = 0
        self._silent_run = 0
        self._waited = 0
        self.speaking = False
        self.onset_frame: int | None = None  # frames fed before speech started

    def reset_wait(self) -> None:
        """Start counting the no-speech limit again (the caller just finished speaking)."""
        self._waited = 0

    def feed(self, frame: bytes) -> Heard:
        if len(frame) != FRAME_BYTES:
            raise ValueError(f"a frame is {FRAME_BYTES} bytes of 16 kHz PCM, not {len(frame)}")
        voiced = self._vad.is_speech(frame, SAMPLE_RATE)
        if not self.speaking:
            self._waited += 1
            self._preroll.append(frame)
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            if self._voiced_run >= self._onset:
                self.speaking = True
                self.onset_frame = self._waited - self._onset
                self._frames = list(self._preroll)
                self._silent_run = 0
                return Heard.ONSET
            return Heard.SILENCE if self._waited >= self._no_speech else Heard.NOTHING
        self._frames.append(frame)
        self._silent_run = 0 if voiced else self._silent_run + 1
        if self._silent_run >= self._end or len(self._frames) >= self._max:
            return Heard.UTTERANCE
        return Heard.NOTHING

    @property
    def pcm(self) -> bytes:
        """The utterance so far, without the trailing silence that ended it."""
        frames = self._frames[:len(self._frames) - self._silent_run] if self._silent_run \
            else self._frames
        return b"".join(frames)
