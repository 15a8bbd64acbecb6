"""The assistant: start a triage or pre-consultation, talk, resume, review and confirm."""

from __future__ import annotations

from uuid import UUID

from flask import current_app, g

from backend.api.common import BEARER, session_key
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.extensions import limiter
from backend.schemas.common import envelope
from backend.schemas.conversation import (
    ConversationListArgsSchema,
    ConversationSchema,
    ConversationStartSchema,
    DraftNoteSchema,
    MessageSchema,
    NoteAmendSchema,
    NoteConfirmSchema,
    NoteSchema,
    TurnSchema,
)
from backend.services import conversations, notes


def _message_limit() -> str:
    return current_app.config["RATELIMIT_MESSAGES"]


@blp.route("/conversations", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ConversationStartSchema)
@blp.response(201, envelope(ConversationSchema))
def start_conversation(body):
    """Start talking to the assistant about one 就诊人; the first question is in `last_turn`."""
    session = conversations.start(g.principal, body["patient_id"], body["mode"],
                                  body.get("hospital_id"))
    return {"data": session}


@blp.route("/conversations", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ConversationListArgsSchema, location="query")
@blp.response(200, envelope(ConversationSchema, many=True))
def list_conversations(args):
    """Recent conversations (`unfinished=true` to offer "继续上次的对话")."""
    return {"data": conversations.list_for(g.principal, args.get("patient_id"),
                                           args["unfinished"])}


@blp.route("/conversations/<uuid:conversation_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(ConversationSchema))
def get_conversation(conversation_id: UUID):
    return {"data": conversations.get(g.principal, conversation_id)}


@blp.route("/conversations/<uuid:conversation_id>/messages", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@limiter.limit(_message_limit, key_func=session_key)  # after authentication: keyed on the session
@blp.arguments(MessageSchema)
@blp.response(200, envelope(TurnSchema))
def send_message(body, conversation_id: UUID):
    """Send what the patient typed or tapped; returns the assistant's next turn."""
    _, turn = conversations.send(g.principal, conversation_id, body["text"])
    return {"data": conversations.turn_view(turn)}


@blp.route("/conversations/<uuid:conversation_id>/note", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(DraftNoteSchema))
def draft_note(conversation_id: UUID):
    """The note as it stands, for the patient to review before confirming."""
    return {"data": conversations.draft_note(g.principal, conversation_id)}


@blp.route("/conversations/<uuid:conversation_id>/note/confirm", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(NoteConfirmSchema)
@blp.response(201, envelope(NoteSchema))
def confirm_note(body, conversation_id: UUID):
    """Confirm (optionally with edits): the note is fixed from now on."""
    return {"data": notes.confirm(g.principal, conversation_id, body["edits"])}


@blp.route("/notes/<uuid:note_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(NoteSchema))
def get_note(note_id: UUID):
    return {"data": notes.get(g.principal, note_id)}


@blp.route("/notes/<uuid:note_id>/amendments", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(NoteAmendSchema)
@blp.response(201, envelope(NoteSchema))
def amend_note(body, note_id: UUID):
    """Correct a confirmed note: a new version that supersedes this one."""
    return {"data": notes.amend(g.principal, note_id, body["edits"], body["reason"])}
