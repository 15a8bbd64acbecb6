"""Shapes of the voice endpoints: uploaded recordings in, transcripts and spoken clips out."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from backend.schemas.common import MaskedText, StrictSchema
from backend.schemas.conversation import TurnSchema
from conversations.speech.audio import FORMATS

AUDIO_FORMATS = sorted(FORMATS)


class RecordingFileSchema(StrictSchema):
    audio = Upload(required=True, metadata={
        "description": "The recording as the recorder wrote it (mp3, aac, m4a, wav, silk, ogg; "
                       "raw 16 kHz 16-bit mono pcm)."})


class RecordingFormatSchema(StrictSchema):
    """In the query string: uploadFile's form fields cannot be described beside the file."""

    format = fields.String(required=True, validate=validate.OneOf(AUDIO_FORMATS),
                           metadata={"description": "The recorder's format setting."})


class SpeechClipSchema(StrictSchema):
    url = fields.String(required=True, metadata={
        "description": "Path of the WAV audio (no token needed: the link itself is the key, and "
                       "it expires)."})
    text = MaskedText(required=True, metadata={"description": "The sentence it speaks."})


class VoiceTurnSchema(StrictSchema):
    transcript = MaskedText(required=True, metadata={
        "description": "What was heard, shown as 您说的是：… so the patient can correct it."})
    turn = fields.Nested(TurnSchema, required=True)
    speech = fields.List(fields.Nested(SpeechClipSchema), required=True, metadata={
        "description": "The reply, sentence by sentence, to play in order."})


class TranscriptSchema(StrictSchema):
    transcript = MaskedText(required=True)


class SpeakSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(1, 500))


class SpeechSchema(StrictSchema):
    speech = fields.List(fields.Nested(SpeechClipSchema), required=True)
