"""A spoken turn with the assistant: recording → transcript → the typed-text turn → spoken reply.

The transcript goes through `conversations.send` exactly as typed text does, so the red-flag
rules, the dialogue and the audit log see the same words the patient sees as "您说的是：…".
The recording itself is never stored: it lives in memory for the length of the request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import current_app

from backend.auth import Principal
from backend.errors import ServiceUnavailable, ValidationFailed
from backend.extensions import db
from backend.services import conversations
from backend.services.voice import clips, engines
from conversations.speech import SpeechError, SpeechRejected, Transcript
from conversations.speech.audio import AudioLimits, AudioRejected, decode_audio

log = logging.getLogger(__name__)
MAX_TRANSCRIPT_CHARS = 500  # what a typed message may hold
AUDIO_FIELD = "audio"
_REFUSALS = {
    "unsupported_format": "这种录音格式暂时不支持，请重新录一次。",
    "empty": "没有收到录音，请按住按钮说话。",
    "too_large": "录音太大了，请说短一点。",
    "too_long": "录音太长了，请分几次说。",
    "too_short": "录音太短了，请按住按钮，说完再松开。",
    "no_audio": "录音里没有声音，请再说一遍。",
    "undecodable": "录音打不开，请重新录一次。",
    "bad_sample_rate": "录音格式不对，请重新录一次。",
}


def _limits() -> AudioLimits:
    config = current_app.config
    return AudioLimits(max_bytes=config["SPEECH_MAX_UPLOAD_BYTES"],
                       max_seconds=float(config["SPEECH_MAX_SECONDS"]))


def transcribe_upload(data: bytes, audio_format: str) -> Transcript:
    """What the patient said in the uploaded recording; 422 with a plain reason when unusable,
    503 when the recognizer cannot be reached."""
    try:
        audio = decode_audio(data, audio_format, limits=_limits())
    except AudioRejected as exc:
        raise ValidationFailed(_REFUSALS.get(exc.reason, "录音有问题，请重新录一次。"),
                               code=f"audio_{exc.reason}", field=AUDIO_FIELD) from exc
    started = time.perf_counter()
    try:
        heard = engines.recognizer(current_app.config).transcribe(audio.pcm, audio.sample_rate)
    except SpeechRejected as exc:
        raise ValidationFailed("录音有问题，请重新录一次。", code="audio_rejected",
                               field=AUDIO_FIELD) from exc
    except SpeechError as exc:
        log.warning("speech recognition failed: %s", exc)
        raise ServiceUnavailable("语音识别暂时不可用，请打字告诉我。",
                                 code="speech_unavailable") from exc
    log.info("transcribed %.1f s of audio in %.2f s with %s", audio.duration_s,
             time.perf_counter() - started, heard.engine)
    if heard.is_empty:
        raise ValidationFailed("没有听清，请靠近一点再说一遍。", code="nothing_heard",
                               field=AUDIO_FIELD)
    return heard


def voice_turn(principal: Principal, conversation_id: str, data: bytes,
               audio_format: str) -> dict[str, Any]:
    """Transcribe, answer as if typed, and give the reply's spoken clips."""
    conversations.load_session(principal, conversation_id)  # 404 before spending CPU on audio
    db.session.rollback()  # nothing written: no transaction stays open while the audio is heard
    heard = transcribe_upload(data, audio_format)
    text = heard.text.strip()[:MAX_TRANSCRIPT_CHARS]
    _, turn = conversations.send(principal, conversation_id, text)
    view = conversations.turn_view(turn)
    return {"transcript": text, "turn": view, "speech": clips.clips_for(view["text"])}
