"""Speaking with the assistant: hold-to-talk turns, dictation for forms, replies read aloud."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, current_app, g, url_for

from backend.api.common import BEARER, session_key
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.extensions import limiter
from backend.schemas.common import envelope
from backend.schemas.voice import (
    RecordingFileSchema,
    RecordingFormatSchema,
    SpeakSchema,
    SpeechSchema,
    TranscriptSchema,
    VoiceTurnSchema,
)
from backend.services.voice import clips, turn


def _message_limit() -> str:
    return current_app.config["RATELIMIT_MESSAGES"]


def _read(files: dict[str, Any]) -> bytes:
    """The upload's bytes, at most one byte past the limit (the service says it is too large)."""
    return files["audio"].stream.read(current_app.config["SPEECH_MAX_UPLOAD_BYTES"] + 1)


def _with_urls(speech: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"url": url_for("mp.speech_audio", token=clip["token"]), "text": clip["text"]}
            for clip in speech]


@blp.route("/conversations/<uuid:conversation_id>/voice", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@limiter.limit(_message_limit, key_func=session_key)
@blp.arguments(RecordingFormatSchema, location="query")
@blp.arguments(RecordingFileSchema, location="files")
@blp.response(200, envelope(VoiceTurnSchema))
def voice_message(query, files, conversation_id: UUID):
    """Say it instead of typing: the transcript is answered exactly as typed text (red flags
    included) and the reply comes back as text and as audio clips."""
    result = turn.voice_turn(g.principal, str(conversation_id), _read(files), query["format"])
    result["speech"] = _with_urls(result["speech"])
    return {"data": result}


@blp.route("/speech/transcriptions", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@limiter.limit(_message_limit, key_func=session_key)
@blp.arguments(RecordingFormatSchema, location="query")
@blp.arguments(RecordingFileSchema, location="files")
@blp.response(200, envelope(TranscriptSchema))
def transcribe(query, files):
    """Dictation for a form field (questionnaires): the transcript only, for the patient to check
    and correct before submitting. The recording is not kept."""
    heard = turn.transcribe_upload(_read(files), query["format"])
    return {"data": {"transcript": heard.text.strip()[:turn.MAX_TRANSCRIPT_CHARS]}}


@blp.route("/speech", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@limiter.limit(_message_limit, key_func=session_key)
@blp.arguments(SpeakSchema)
@blp.response(201, envelope(SpeechSchema))
def speak(body):
    """Read a text aloud (the first question, the reply to a corrected message)."""
    return {"data": {"speech": _with_urls(clips.clips_for(body["text"]))}}


@blp.route("/speech/<string:token>", methods=["GET"])
@blp.response(200, content_type="audio/wav", description="The clip as 16-bit mono WAV.")
def speech_audio(token: str):
    """One spoken sentence. The unguessable link is the credential (audio players cannot send
    our Authorization header); it expires after SPEECH_AUDIO_TTL_SECONDS."""
    response = Response(clips.audio_for(token), mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
