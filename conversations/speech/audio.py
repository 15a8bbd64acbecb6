"""Uploaded recordings → 16 kHz mono 16-bit PCM, the one shape every recognizer takes.

WeChat's RecorderManager records mp3, aac (in ADTS or an m4a container) or wav; older WeChat voice
messages are SILK (Tencent's "#!SILK_V3" files); Alipay records aac/mp3; tests and the telephony
side send raw PCM. Containers are decoded with PyAV (FFmpeg), SILK with pysilk. Limits are
checked before and after decoding, so a 2-hour file or a zip bomb never reaches the recognizer,
and every refusal says in plain words what was wrong.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from conversations.speech.base import ASR_SAMPLE_RATE, Audio, SpeechRejected

log = logging.getLogger(__name__)

# format name → the FFmpeg demuxer that reads it (None: not a container, handled here)
FORMATS = {"mp3": "mp3", "aac": "aac", "m4a": "mov", "mp4": "mov", "wav": "wav", "ogg": "ogg",
           "silk": None, "pcm": None}
SILK_MAGIC = b"#!SILK_V3"


class AudioRejected(SpeechRejected):
    """An upload that cannot be used; `reason` is a stable code for clients, `args[0]` says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class AudioLimits:
    """What an upload may be: bytes before decoding, seconds after."""

    max_bytes: int = 2 * 1024 * 1024
    max_seconds: float = 60.0
    min_seconds: float = 0.3


def decode_audio(data: bytes, audio_format: str, *, limits: AudioLimits | None = None,
                 pcm_sample_rate: int = ASR_SAMPLE_RATE) -> Audio:
    """`data` in `audio_format` (mp3, aac, m4a, mp4, wav, ogg, silk, pcm) as 16 kHz mono PCM.

    Raw `pcm` is 16-bit little-endian mono at `pcm_sample_rate`. Raises AudioRejected.
    """
    limits = limits or AudioLimits()
    fmt = (audio_format or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise AudioRejected("unsupported_format",
                            f"unsupported audio format {audio_format!r}; "
                            f"use one of {', '.join(sorted(FORMATS))}")
    if not data:
        raise AudioRejected("empty", "the recording is empty")
    if len(data) > limits.max_bytes:
        raise AudioRejected("too_large", f"the recording is {len(data)} bytes; "
                                         f"the limit is {limits.max_bytes} bytes")
    max_samples = int(limits.max_seconds * ASR_SAMPLE_RATE)
    if fmt == "pcm":
        pcm = _resample_pcm(data, pcm_sample_rate, max_samples)
    elif fmt == "silk":
        pcm = _decode_silk(data, max_samples)
    else:
        pcm = _decode_container(data, FORMATS[fmt], fmt, max_samples)
    audio = Audio(pcm=pcm, sample_rate=ASR_SAMPLE_RATE)
    if audio.duration_s < limits.min_seconds:
        raise AudioRejected("too_short", f"the recording is {audio.duration_s:.1f} s; "
                                         f"please speak for at least {limits.min_seconds} s")
    return audio


def _too_long(limit_samples: int) -> AudioRejected:
    return AudioRejected("too_long", f"the recording is longer than "
                                     f"{limit_samples / ASR_SAMPLE_RATE:.0f} s")


def _decode_container(data: bytes, demuxer: str | None, fmt: str, max_samples: int) -> bytes:
    import av

    out = bytearray()
    limit_bytes = 2 * max_samples
    try:
        with av.open(io.BytesIO(data), mode="r", format=demuxer) as container:
            streams = container.streams.audio
            if not streams:
                raise AudioRejected("no_audio", f"the {fmt} file has no sound track")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=ASR_SAMPLE_RATE)
            for frame in container.decode(streams[0]):
                for converted in resampler.resample(frame):
                    out += converted.to_ndarray().tobytes()
                if len(out) > limit_bytes:
                    raise _too_long(max_samples)
            for converted in resampler.resample(None):
                out += converted.to_ndarray().tobytes()
    except AudioRejected:
        raise
    except (av.error.FFmpegError, ValueError, EOFError) as exc:
        log.info("undecodable %s upload: %s", fmt, type(exc).__name__)
        raise AudioRejected("undecodable",
                            f"the recording could not be read as {fmt}") from exc
    if len(out) > limit_bytes:
        raise _too_long(max_samples)
    return bytes(out)


def _decode_silk(data: bytes, max_samples: int) -> bytes:
    import pysilk

    body = data[1:] if data.startswith(b"\x02" + SILK_MAGIC) else data  # WeChat's leading 0x02
    if not body.startswith(SILK_MAGIC):
        raise AudioRejected("undecodable", "the recording is not a SILK file")
    output = io.BytesIO()
    try:
        pysilk.decode(io.BytesIO(body), output, ASR_SAMPLE_RATE)
    except pysilk.SilkError as exc:
        raise AudioRejected("undecodable", "the SILK recording is damaged") from exc
    pcm = output.getvalue()
    if not pcm:
        raise AudioRejected("undecodable", "the SILK recording holds no sound")
    if len(pcm) > 2 * max_samples:
        raise _too_long(max_samples)
    return pcm


def _resample_pcm(data: bytes, sample_rate: int, max_samples: int) -> bytes:
    if sample_rate not in (8000, 16000, 22050, 24000, 32000, 44100, 48000):
        raise AudioRejected("bad_sample_rate", f"unsupported PCM sample rate {sample_rate} Hz")
    if len(data) % 2:
        raise AudioRejected("undecodable", "raw PCM must be 16-bit: an even number of bytes")
    if len(data) // 2 * ASR_SAMPLE_RATE // sample_rate > max_samples:
        raise _too_long(max_samples)
    if sample_rate == ASR_SAMPLE_RATE:
        return data
    return resample(data, sample_rate, ASR_SAMPLE_RATE)


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """16-bit mono PCM from one rate to another, with FFmpeg's resampler (used for TTS output
    that a telephone line or a recognizer needs at another rate)."""
    import av
    import numpy as np

    if from_rate == to_rate or not pcm:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2").reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
    frame.sample_rate = from_rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=to_rate)
    out = bytearray()
    for converted in resampler.resample(frame):
        out += converted.to_ndarray().tobytes()
    for converted in resampler.resample(None):
        out += converted.to_ndarray().tobytes()
    return bytes(out)


def encode_audio(audio: Audio, audio_format: str, *, bit_rate: int = 32000) -> bytes:
    """`audio` compressed as mp3 or ogg/opus (for the test corpus and for clients that want a
    small download); wav is `audio.to_wav()`."""
    import av
    import numpy as np

    codec, rate = {"mp3": ("libmp3lame", audio.sample_rate), "ogg": ("libopus", 48000),
                   "m4a": ("aac", audio.sample_rate)}.get(audio_format, (None, 0))
    if codec is None:
        raise AudioRejected("unsupported_format", f"cannot encode {audio_format!r}")
    pcm = resample(audio.pcm, audio.sample_rate, rate)
    buffer = io.BytesIO()
    container_format = "ipod" if audio_format == "m4a" else audio_format
    with av.open(buffer, mode="w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray(np.frombuffer(pcm, dtype="<i2").reshape(1, -1),
                                           format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()
