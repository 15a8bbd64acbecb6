"""Uploads in every recorder format become 16 kHz mono PCM; unusable ones are refused clearly."""

from __future__ import annotations

import pytest

from conversations.speech import Audio
from conversations.speech.audio import AudioLimits, AudioRejected, decode_audio, encode_audio
from tests import speech_support as speech


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "wav", "silk", "pcm", "ogg"])
def test_each_format_decodes_to_the_same_length_at_16_khz(fmt):
    original = speech.audio("bp01")
    decoded = decode_audio(speech.encoded("bp01", fmt), fmt)
    assert decoded.sample_rate == 16000
    assert abs(decoded.duration_s - original.duration_s) < 0.15


def test_aac_in_adts_as_wechat_records_it():
    clip = speech.audio("ok01")
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="adts") as container:
        stream = container.add_stream("aac", rate=16000)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.frombuffer(clip.pcm, "<i2").reshape(1, -1),
                                           format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    assert abs(decode_audio(buffer.getvalue(), "aac").duration_s - clip.duration_s) < 0.2


def test_raw_pcm_at_another_rate_is_resampled():
    tone = Audio(b"\x10\x00" * 8000, 8000)
    assert decode_audio(tone.pcm, "pcm", pcm_sample_rate=8000).duration_s == pytest.approx(1.0)


@pytest.mark.parametrize(("data", "fmt", "reason"), [
    (b"", "mp3", "empty"),
    (b"not audio at all" * 100, "mp3", "undecodable"),
    (b"\x02#!SILK_V3", "silk", "undecodable"),  # a header and no sound
    (b"RIFF" + b"\x00" * 100, "silk", "undecodable"),
    (b"\x00" * 3, "pcm", "undecodable"),
    (b"\x00\x00" * 100, "pcm", "too_short"),
    (b"anything", "flac", "unsupported_format"),
])
def test_unusable_uploads_say_why(data, fmt, reason):
    with pytest.raises(AudioRejected) as refused:
        decode_audio(data, fmt)
    assert refused.value.reason == reason
    assert str(refused.value)


def test_limits_on_size_and_length_are_checked():
    small = AudioLimits(max_bytes=1000, max_seconds=1.0)
    with pytest.raises(AudioRejected) as refused:
        decode_audio(b"\x00\x00" * 600, "pcm", limits=small)
    assert refused.value.reason == "too_large"
    two_seconds = encode_audio(Audio(b"\x00\x00" * 32000, 16000), "mp3", bit_rate=16000)
    with pytest.raises(AudioRejected) as refused:
        decode_audio(two_seconds, "mp3", limits=AudioLimits(max_seconds=1.0))
    assert refused.value.reason == "too_long"
