"""A local `paddlespeech_server`: its RESTful ASR and TTS endpoints, backed by real engines.

Speaks the server's protocol (paddlespeech/server/restful: request bodies as its pydantic models
define them, HTTP 422 for a body that does not validate, and `{"success": false, "code",
"message": {"description"}}` with HTTP 200 for engine and parameter errors), so our client is
tested against the shapes a hospital's server returns. Behind the protocol it runs whichever
recognizer/synthesizer it is given (the offline engines in tests and the demo), so a transcript
is a real recognition, not a canned string.

    POST /paddlespeech/asr, POST /paddlespeech/tts, GET /paddlespeech/{asr,tts}/help

When `token` is set it insists on `Authorization: Bearer <token>` (the hospital's reverse proxy).
Control endpoints for tests: ``POST /_sim/fail`` ``{"code": int|null}`` makes the engines fail
with that code until reset; ``GET /_sim/requests`` lists the paths and bodies received.
"""

from __future__ import annotations

import base64
import binascii
import io
import threading
import wave
from typing import Any

from flask import Flask, Response, jsonify, request

from conversations.speech.base import SpeechError, SpeechRecognizer, SpeechSynthesizer

PARAM_ERROR, ENGINE_ERROR, UNKNOWN_ERROR = 201, 205, 502  # paddlespeech.server.utils.errors


def _failed(code: int, description: str) -> Response:
    return jsonify({"success": False, "code": code, "message": {"description": description}})


def _invalid(field: str, kind: str) -> Response:
    """FastAPI's validation error for a body that does not match the pydantic model."""
    return jsonify({"detail": [{"loc": ["body", field], "msg": f"field required ({kind})",
                                "type": "value_error.missing"}]}), 422


def _wav_pcm(data: bytes) -> tuple[bytes, int]:
    with wave.open(io.BytesIO(data), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError("only 16-bit mono WAV")
        return wav.readframes(wav.getnframes()), wav.getframerate()


def create_paddlespeech_simulator(recognizer: SpeechRecognizer, synthesizer: SpeechSynthesizer,
                                  token: str = "") -> Flask:
    app = Flask("paddlespeech-simulator")
    state: dict[str, Any] = {"fail": None, "requests": []}
    lock = threading.Lock()

    @app.before_request
    def _guard() -> Response | None:
        if request.path.startswith("/_sim/"):
            return None
        with lock:
            state["requests"].append({"path": request.path, "body": request.get_json(silent=True)})
        if token and request.headers.get("Authorization") != f"Bearer {token}":
            return jsonify({"detail": "Not authenticated"}), 401
        return None

    @app.get("/paddlespeech/asr/help")
    def asr_help():
        return jsonify({"success": "True", "code": 200, "message": {"global": "success"},
                        "result": {"description": "asr server", "input": "base64 string of wavfile",
                                   "output": "transcription"}})

    @app.get("/paddlespeech/tts/help")
    def tts_help():
        return jsonify({"success": "True", "code": 200, "message": {"global": "success"},
                        "result": {"description": "tts server",
                                   "text": "sentence to be synthesized",
                                   "audio": "the base64 of audio"}})

    @app.post("/paddlespeech/asr")
    def asr():
        body = request.get_json(silent=True) or {}
        for name, kind in (("audio", str), ("audio_format", str), ("sample_rate", int),
                           ("lang", str)):
            if not isinstance(body.get(name), kind):
                return _invalid(name, kind.__name__)
        if state["fail"]:
            return _failed(state["fail"], "engine failed")
        if body["audio_format"] != "wav" or body["lang"] != "zh_cn":
            return _failed(PARAM_ERROR, "parameter error")
        try:
            pcm, rate = _wav_pcm(base64.b64decode(body["audio"], validate=True))
        except (binascii.Error, wave.Error, EOFError, ValueError):
            return _failed(PARAM_ERROR, "audio is not a 16-bit mono wav")
        if rate != body["sample_rate"]:
            return _failed(PARAM_ERROR, "sample rate does not match the audio")
        try:
            heard = recognizer.transcribe(pcm, rate)
        except SpeechError:
            return _failed(ENGINE_ERROR, "asr engine failed")
        return jsonify({"success": True, "code": 200, "message": {"description": "success"},
                        "result": {"transcription": heard.text}})

    @app.post("/paddlespeech/tts")
    def tts():
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("text"), str):
            return _invalid("text", "str")
        speed, volume = body.get("speed", 1.0), body.get("volume", 1.0)
        sample_rate, save_path = body.get("sample_rate", 0), body.get("save_path")
        if (not 0 < speed <= 3 or not 0 < volume <= 3 or sample_rate not in (0, 16000, 8000)
                or (save_path is not None and not save_path.endswith(("pcm", "wav")))):
            return _failed(PARAM_ERROR, "parameter error")
        if state["fail"]:
            return _failed(state["fail"], "engine failed")
        try:
            spoken = synthesizer.synthesize(body["text"])
        except SpeechError:
            return _failed(ENGINE_ERROR, "tts engine failed")
        audio = spoken
        if sample_rate:
            from conversations.speech.audio import resample
            from conversations.speech.base import Audio

            audio = Audio(resample(spoken.pcm, spoken.sample_rate, sample_rate), sample_rate)
        return jsonify({"success": True, "code": 200, "message": {"description": "success."},
                        "result": {"lang": "zh", "spk_id": body.get("spk_id", 0), "speed": speed,
                                   "volume": volume, "sample_rate": audio.sample_rate,
                                   "save_path": save_path,
                                   "audio": base64.b64encode(audio.to_wav()).decode("ascii")}})

    @app.post("/_sim/fail")
    def fail():
        with lock:
            state["fail"] = (request.get_json(silent=True) or {}).get("code")
        return jsonify({"fail": state["fail"]})

    @app.get("/_sim/requests")
    def requests_received():
        with lock:
            return jsonify({"requests": list(state["requests"])})

    return app
