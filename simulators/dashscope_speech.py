"""A local DashScope speech endpoint: the duplex WebSocket protocol of paraformer and CosyVoice.

``GET /api-ws/v1/inference`` upgraded to a WebSocket, as the dashscope SDK speaks it:

- every message is ``{"header": {"action"|"event", "task_id", …}, "payload": {…}}``;
- the client sends ``run-task`` (payload: model, task_group "audio", task "asr"/"tts", function,
  parameters), the server answers ``task-started``;
- ASR: the client streams binary PCM/WAV frames, then ``finish-task``; the server answers one
  ``result-generated`` per sentence (``output.sentence`` with begin_time/end_time in ms, text,
  sentence_end) with ``usage.duration``, then ``task-finished``;
- TTS: the client sends ``continue-task`` with ``input.text``; the server streams the audio as
  binary frames in the requested format and sample rate, with ``result-generated`` events; after
  ``finish-task`` it answers ``task-finished``;
- errors are ``task-failed`` with ``error_code``/``error_message`` in the header; a wrong key is
  refused at the handshake with HTTP 401, as the real service does.

Recognition and synthesis are done by the engines it is given (the offline ones in tests), so
results are real. Runs aiohttp on its own thread and event loop.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
import wave
from typing import Any

from aiohttp import WSMsgType, web

from conversations.speech.audio import resample
from conversations.speech.base import Audio, SpeechError, SpeechRecognizer, SpeechSynthesizer

PATH = "/api-ws/v1/inference"
VOICES = ("longxiaochun_v2", "longwan_v2", "longcheng_v2", "longhua_v2", "longshu_v2")
TTS_FORMATS = ("pcm", "wav", "mp3", "opus")


def _event(event: str, task_id: str, payload: dict | None = None, **header: Any) -> str:
    message: dict[str, Any] = {"header": {"event": event, "task_id": task_id, **header}}
    message["payload"] = payload if payload is not None else {}
    return json.dumps(message, ensure_ascii=False)


def _failed(task_id: str, code: str, message: str) -> str:
    return _event("task-failed", task_id, error_code=code, error_message=message)


class DashScopeSpeechSimulator:
    """`with DashScopeSpeechSimulator(asr, tts, api_keys={"sk-test"}) as sim: sim.url`."""

    def __init__(self, recognizer: SpeechRecognizer, synthesizer: SpeechSynthesizer,
                 api_keys: set[str]) -> None:
        self.recognizer, self.synthesizer = recognizer, synthesizer
        self.api_keys = set(api_keys)
        self.tasks: list[dict[str, Any]] = []  # run-task payloads received, oldest first
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{PATH}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.api_keys:
            raise web.HTTPUnauthorized(text=json.dumps({"code": "InvalidApiKey",
                                                        "message": "Invalid API-key provided."}))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        task: dict[str, Any] | None = None
        audio = bytearray()
        async for message in ws:
            if message.type == WSMsgType.BINARY:
                audio += message.data
                continue
            if message.type != WSMsgType.TEXT:
                break
            frame = json.loads(message.data)
            header, payload = frame.get("header", {}), frame.get("payload", {})
            action, task_id = header.get("action"), header.get("task_id", "")
            if action == "run-task":
                task = payload
                self.tasks.append(payload)
                problem = self._check_task(payload)
                if problem:
                    await ws.send_str(_failed(task_id, "InvalidParameter", problem))
                    break
                await ws.send_str(_event("task-started", task_id))
            elif task is None:
                await ws.send_str(_failed(task_id, "InvalidParameter", "task not started"))
                break
            elif action == "continue-task" and task.get("task") == "tts":
                if not await self._speak(ws, task, task_id, payload.get("input", {})):
                    break
            elif action == "finish-task":
                if task.get("task") == "asr" and not await self._recognise(
                        ws, task, task_id, bytes(audio)):
                    break
                await ws.send_str(_event("task-finished", task_id, {"output": {}}))
                break
        await ws.close()
        return ws

    @staticmethod
    def _check_task(payload: dict[str, Any]) -> str:
        parameters = payload.get("parameters", {})
        if payload.get("task_group") != "audio" or payload.get("task") not in ("asr", "tts"):
            return "unknown task"
        if payload["task"] == "asr":
            if parameters.get("format") not in ("pcm", "wav"):
                return "unsupported audio format"
            if parameters.get("sample_rate") not in (8000, 16000):
                return "unsupported sample rate"
        else:
            if parameters.get("voice") not in VOICES:
                return f"voice {parameters.get('voice')!r} not found"
            if parameters.get("format") not in TTS_FORMATS:
                return "unsupported audio format"
        return ""

    async def _recognise(self, ws, task: dict[str, Any], task_id: str, data: bytes) -> bool:
        parameters = task["parameters"]
        rate = parameters["sample_rate"]
        if parameters["format"] == "wav":
            with wave.open(io.BytesIO(data), "rb") as wav:
                rate, data = wav.getframerate(), wav.readframes(wav.getnframes())
        if rate != 16000:
            data = resample(data, rate, 16000)
        try:
            heard = await asyncio.to_thread(self.recognizer.transcribe, data, 16000)
        except SpeechError as exc:
            await ws.send_str(_failed(task_id, "InternalError", str(exc)))
            return False
        duration_ms = int(heard.duration_s * 1000)
        sentence = {"begin_time": 0, "end_time": duration_ms, "text": heard.text,
                    "sentence_end": True, "words": []}
        await ws.send_str(_event("result-generated", task_id,
                                 {"output": {"sentence": sentence},
                                  "usage": {"duration": max(1, duration_ms // 1000)}}))
        return True

    async def _speak(self, ws, task: dict[str, Any], task_id: str, given: dict) -> bool:
        text = given.get("text", "")
        if not text.strip():
            return True
        parameters = task["parameters"]
        try:
            spoken = await asyncio.to_thread(self.synthesizer.synthesize, text)
        except SpeechError as exc:
            await ws.send_str(_failed(task_id, "InvalidParameter", str(exc)))
            return False
        rate = parameters.get("sample_rate", 22050)
        pcm = resample(spoken.pcm, spoken.sample_rate, rate)
        if parameters["format"] not in ("pcm", "wav"):
            await ws.send_str(_failed(task_id, "InvalidParameter",
                                      "the simulator streams pcm and wav only"))
            return False
        body = pcm if parameters["format"] == "pcm" else Audio(pcm, rate).to_wav()
        for start in range(0, len(body), 9600):
            await ws.send_bytes(body[start:start + 9600])
        await ws.send_str(_event("result-generated", task_id,
                                 {"output": {"sentence": {"words": []}},
                                  "usage": {"characters": len(text)}}))
        return True

    def start(self) -> DashScopeSpeechSimulator:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_get(PATH, self._handle)
            self._runner = web.AppRunner(app)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # aiohttp exposes no getter
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="dashscope-speech-sim", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the DashScope speech simulator did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._loop = self._thread = None

    def __enter__(self) -> DashScopeSpeechSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
