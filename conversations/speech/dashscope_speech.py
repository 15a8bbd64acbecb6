"""DashScope (阿里云百炼) speech: paraformer real-time ASR and CosyVoice TTS via the dashscope SDK.

Both run over DashScope's duplex WebSocket protocol (run-task → task-started → audio or text →
finish-task → result-generated … task-finished); the SDK handles the framing, we pass the endpoint
(`url`, e.g. the simulator's) and the key. Audio sent to the cloud leaves the hospital: the README
says when that is acceptable. CosyVoice voices are licensed per Alibaba Cloud's service terms for
commercial use by the account holder.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from http import HTTPStatus

from conversations.speech.base import (
    ASR_SAMPLE_RATE,
    Audio,
    Segment,
    SpeechRecognizer,
    SpeechRejected,
    SpeechSynthesizer,
    SpeechUnavailable,
    Transcript,
    check_text,
    register_recognizer,
    register_synthesizer,
)
from conversations.speech.normalise import normalise_transcript

log = logging.getLogger(__name__)
ASR_MODEL = "paraformer-realtime-v2"
TTS_MODEL = "cosyvoice-v2"
TTS_VOICE = "longxiaochun_v2"
TTS_SAMPLE_RATE = 24000
# The SDK's synthesizer reads its key from the module-global `dashscope.api_key`: one synthesis at
# a time sets it, so two engines with different keys cannot mix them up.
_GLOBAL_KEY_LOCK = threading.Lock()


def _check_settings(api_key: str, url: str) -> None:
    if not api_key:
        raise ValueError("DashScope speech needs an api_key")
    if url and not url.startswith(("ws://", "wss://")):
        raise ValueError(f"DashScope speech url must be ws:// or wss://, got {url!r}")


@register_recognizer("dashscope")
class ParaformerRecognizer(SpeechRecognizer):
    """paraformer-realtime-v2 through `dashscope.audio.asr.Recognition` (16 kHz PCM in)."""

    def __init__(self, *, api_key: str, url: str = "", model: str = ASR_MODEL) -> None:
        _check_settings(api_key, url)
        self._api_key, self._url, self._model = api_key, url, model

    def transcribe(self, pcm: bytes, sample_rate: int = ASR_SAMPLE_RATE) -> Transcript:
        from dashscope.audio.asr import Recognition, RecognitionCallback

        if not pcm:
            raise SpeechRejected("no audio to recognise")
        if sample_rate not in (8000, 16000):
            raise SpeechRejected(f"paraformer takes 8 or 16 kHz audio, got {sample_rate} Hz")
        extra = {"base_address": self._url} if self._url else {}
        recognition = Recognition(model=self._model, callback=RecognitionCallback(),
                                  format="pcm", sample_rate=sample_rate,
                                  api_key=self._api_key, **extra)
        # The SDK's one-shot call reads a file; it lives only for this call, readable by us only.
        with tempfile.NamedTemporaryFile(suffix=".pcm") as handle:
            handle.write(pcm)
            handle.flush()
            os.chmod(handle.name, 0o600)
            result = recognition.call(handle.name)
        if result.status_code != HTTPStatus.OK:
            log.warning("paraformer failed: %s %s", result.code, result.message)
            raise SpeechUnavailable(f"DashScope ASR failed ({result.code}: {result.message})")
        sentences = result.get_sentence() or []
        if isinstance(sentences, dict):
            sentences = [sentences]
        segments = tuple(Segment(s.get("begin_time", 0) / 1000, (s.get("end_time") or 0) / 1000,
                                 normalise_transcript(s.get("text", ""))) for s in sentences)
        return Transcript(text="".join(s.text for s in segments), language="zh",
                          duration_s=len(pcm) / (2 * sample_rate), segments=segments,
                          engine=self.name)


@register_synthesizer("dashscope")
class CosyVoiceSynthesizer(SpeechSynthesizer):
    """cosyvoice-v2 through `dashscope.audio.tts_v2.SpeechSynthesizer`, 24 kHz PCM out."""

    def __init__(self, *, api_key: str, url: str = "", model: str = TTS_MODEL,
                 voice: str = TTS_VOICE, timeout_s: float = 15.0) -> None:
        _check_settings(api_key, url)
        if not voice:
            raise ValueError("CosyVoice needs a voice name")
        self._api_key, self._url, self._model, self._voice = api_key, url, model, voice
        self._timeout_ms = int(timeout_s * 1000)

    def synthesize(self, text: str) -> Audio:
        import dashscope
        from dashscope.audio.tts_v2 import AudioFormat
        from dashscope.audio.tts_v2 import SpeechSynthesizer as CosyVoice

        cleaned = check_text(text)
        with _GLOBAL_KEY_LOCK:
            previous = dashscope.api_key
            dashscope.api_key = self._api_key
            try:
                synthesizer = CosyVoice(model=self._model, voice=self._voice,
                                        format=AudioFormat.PCM_24000HZ_MONO_16BIT,
                                        url=self._url or None)
                pcm = synthesizer.call(cleaned, timeout_millis=self._timeout_ms)
            except TimeoutError as exc:
                raise SpeechUnavailable("DashScope TTS timed out") from exc
            except Exception as exc:  # the SDK raises its own RequestFailure and plain Exception
                log.warning("CosyVoice failed: %s", type(exc).__name__)
                raise SpeechUnavailable(f"DashScope TTS failed ({exc})") from exc
            finally:
                dashscope.api_key = previous
        if not pcm:
            raise SpeechUnavailable("DashScope TTS returned no audio")
        if len(pcm) % 2:
            pcm = pcm[:-1]
        return Audio(pcm=bytes(pcm), sample_rate=TTS_SAMPLE_RATE)
