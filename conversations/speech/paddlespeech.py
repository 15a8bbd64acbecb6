"""The hospital's own PaddleSpeech server (`paddlespeech_server start`), reached over its HTTP API.

PaddleSpeech cannot run inside this process (its framework pins numpy < 2 and downloads models at
first use), so the hospital runs it on its own hardware and we speak its RESTful protocol:

    POST /paddlespeech/asr  {"audio": base64 WAV, "audio_format": "wav", "sample_rate": 16000,
                             "lang": "zh_cn", "punc": false}
        → {"success": true, "code": 200, "message": {...}, "result": {"transcription": "…"}}
    POST /paddlespeech/tts  {"text": "…", "spk_id": 0, "speed": 1.0, "volume": 1.0,
                             "sample_rate": 0, "save_path": null}
        → {"success": true, …, "result": {"sample_rate": 24000, "audio": base64 WAV, …}}

Failures come back as HTTP 200 with `"success": false`; both shapes are handled. An optional
bearer token is sent for the reverse proxy that usually guards such a server.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import wave
from typing import Any

import requests

from conversations.speech.base import (
    ASR_SAMPLE_RATE,
    Audio,
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
from conversations.speech.wav import pcm_to_wav

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 10.0
TTS_SAMPLE_RATES = (0, 8000, 16000)  # 0: the model's own rate


class _Client:
    def __init__(self, base_url: str, token: str = "", timeout: float = DEFAULT_TIMEOUT) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"PaddleSpeech base_url must be an http(s) URL, got {base_url!r}")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.session.post(self.base_url + path, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("PaddleSpeech %s unreachable: %s", path, type(exc).__name__)
            raise SpeechUnavailable(f"PaddleSpeech server unreachable ({type(exc).__name__})") \
                from exc
        if response.status_code in (401, 403):
            raise SpeechUnavailable(f"PaddleSpeech refused our token (HTTP {response.status_code})")
        if response.status_code == 422:
            raise SpeechRejected(f"PaddleSpeech rejected the request body ({path})")
        if response.status_code != 200:
            raise SpeechUnavailable(f"PaddleSpeech answered HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise SpeechUnavailable("PaddleSpeech answered with something other than JSON") \
                from exc
        if payload.get("success") is not True:
            code = payload.get("code")
            description = (payload.get("message") or {}).get("description", "")
            log.warning("PaddleSpeech %s failed: code=%s %s", path, code, description)
            raise SpeechUnavailable(f"PaddleSpeech failed (code {code}: {description})")
        result = payload.get("result")
        if not isinstance(result, dict):
            raise SpeechUnavailable("PaddleSpeech answered without a result")
        return result

    def close(self) -> None:
        self.session.close()


@register_recognizer("paddlespeech")
class PaddleSpeechRecognizer(SpeechRecognizer):
    """ASR on a paddlespeech_server (conformer/deepspeech2 models, 16 kHz WAV in)."""

    def __init__(self, *, base_url: str, token: str = "", timeout: float = DEFAULT_TIMEOUT,
                 lang: str = "zh_cn", punctuation: bool = True) -> None:
        self._client = _Client(base_url, token, timeout)
        self._lang = lang
        self._punctuation = punctuation

    def transcribe(self, pcm: bytes, sample_rate: int = ASR_SAMPLE_RATE) -> Transcript:
        if not pcm:
            raise SpeechRejected("no audio to recognise")
        if sample_rate != ASR_SAMPLE_RATE:
            raise SpeechRejected(f"PaddleSpeech models take 16 kHz audio, got {sample_rate} Hz")
        body = {"audio": base64.b64encode(pcm_to_wav(pcm, sample_rate)).decode("ascii"),
                "audio_format": "wav", "sample_rate": sample_rate, "lang": self._lang,
                "punc": self._punctuation}
        result = self._client.post("/paddlespeech/asr", body)
        text = result.get("transcription")
        if not isinstance(text, str):
            raise SpeechUnavailable("PaddleSpeech answered without a transcription")
        return Transcript(text=normalise_transcript(text), language="zh",
                          duration_s=len(pcm) / (2 * sample_rate), engine=self.name)

    def close(self) -> None:
        self._client.close()


@register_synthesizer("paddlespeech")
class PaddleSpeechSynthesizer(SpeechSynthesizer):
    """TTS on a paddlespeech_server; `speaker` is the model's spk_id (0 for single-voice models)."""

    def __init__(self, *, base_url: str, token: str = "", timeout: float = DEFAULT_TIMEOUT,
                 speaker: int = 0, speed: float = 1.0, volume: float = 1.0,
                 sample_rate: int = 0) -> None:
        if not 0 < speed <= 3 or not 0 < volume <= 3:
            raise ValueError("speed and volume must be in (0, 3]")
        if sample_rate not in TTS_SAMPLE_RATES:
            raise ValueError(f"sample_rate must be one of {TTS_SAMPLE_RATES}")
        self._client = _Client(base_url, token, timeout)
        self._settings = {"spk_id": speaker, "speed": speed, "volume": volume,
                          "sample_rate": sample_rate, "save_path": None}

    def synthesize(self, text: str) -> Audio:
        result = self._client.post("/paddlespeech/tts", {"text": check_text(text),
                                                         **self._settings})
        try:
            wav_bytes = base64.b64decode(result.get("audio") or "", validate=True)
            with wave.open(io.BytesIO(wav_bytes), "rb") as wav:
                if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                    raise SpeechUnavailable("PaddleSpeech returned audio that is not 16-bit mono")
                return Audio(pcm=wav.readframes(wav.getnframes()),
                             sample_rate=wav.getframerate())
        except (binascii.Error, wave.Error, EOFError) as exc:
            raise SpeechUnavailable("PaddleSpeech returned unreadable audio") from exc

    def close(self) -> None:
        self._client.close()
