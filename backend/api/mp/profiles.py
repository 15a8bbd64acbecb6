"""就诊人: the people an account books and answers for."""

from __future__ import annotations

from uuid import UUID

from flask import current_app, g

from backend.api.common import BEARER
from backend.api.mp.blueprint import blp
from backend.auth import require_account
from backend.schemas.account import ProfileCreateSchema, ProfileSchema, ProfileUpdateSchema
from backend.schemas.common import OkSchema, envelope
from backend.services import profiles


@blp.route("/profiles", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(ProfileSchema, many=True))
def list_profiles():
    """The account's family members, identifiers masked."""
    return {"data": profiles.list_profiles(g.principal)}


@blp.route("/profiles", methods=["POST"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ProfileCreateSchema)
@blp.response(201, envelope(ProfileSchema))
def add_profile(body):
    """Add a family member with real-name data (the ID number is checked and encrypted)."""
    return {"data": profiles.add_profile(g.principal, body)}


@blp.route("/profiles/<uuid:profile_id>", methods=["GET"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(ProfileSchema))
def get_profile(profile_id: UUID):
    profile = profiles.get_profile(g.principal, profile_id)
    return current_app.json.response({"data": profiles.profile_json(profile)})


@blp.route("/profiles/<uuid:profile_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@require_account
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, envelope(ProfileSchema))
def update_profile(body, profile_id: UUID):
    """Change the relationship or the phone; identity fields are fixed."""
    return {"data": profiles.update_profile(g.principal, profile_id, body)}


@blp.route("/profiles/<uuid:profile_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@require_account
@blp.response(200, envelope(OkSchema))
def remove_profile(profile_id: UUID):
    """Remove a family member from the account (records are kept)."""
    profiles.remove_profile(g.principal, profile_id)
    return {"data": {"ok": True}}
