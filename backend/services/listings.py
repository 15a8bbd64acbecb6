"""Schedule listings (号源列表) served from a short-lived Redis cache of the rendered response.

Why: on 放号 day thousands of patients poll the same listing; rendering two weeks of slots
through the ORM and marshmallow for each of them is most of the server's work.

Each department and each hospital has a version number in Redis; a cached body is stored under
the version current when it was rendered. Whatever changes a count or a session — a hold, a
cancel, a lapsed hold, a refund, 停诊, a HIS push — calls `changed()`, and the versions move
right after that transaction commits, so the next request renders afresh. A listing is
therefore never older than the commit that changed it, and at most `LISTING_CACHE_SECONDS` old
for what no event announces (a session reaching its release time, a slot starting) or should
Redis miss a version bump. The hold itself stays the only judge of a free place: a listing can
only ever show a place that is then refused, never let anyone take one that is gone.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

import redis
from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from backend.extensions import db, get_redis
from backend.models import Department, Organization
from backend.timeutil import local_today

log = logging.getLogger(__name__)
_CHANGED = "frontdoor.listing_changes"
_PREFIX = "frontdoor:listing"
# One round trip: the scope's version, then the body cached under it (if any).
_LOOKUP = """
local version = redis.call('get', KEYS[1]) or '0'
return {version, redis.call('get', ARGV[1] .. version)}
"""
# The versions a commit moves, in one call (a script costs redis-py less than a pipeline).
_BUMP = "for _, key in ipairs(KEYS) do redis.call('incr', key) end"
_ids: dict[tuple[str, str], int] = {}  # external id → row id of hospitals and departments found


def changed(organization_id: int, department_id: int | None) -> None:
    """Note that a listing of this department (and so of its hospital) changes when the current
    transaction commits."""
    db.session.info.setdefault(_CHANGED, set()).add((organization_id, department_id))


def _version_keys(changes: set[tuple[int, int | None]]) -> set[str]:
    keys = set()
    for organization_id, department_id in changes:
        keys.add(f"{_PREFIX}:v:org:{organization_id}")
        if department_id is not None:
            keys.add(f"{_PREFIX}:v:dept:{department_id}")
    return keys


@event.listens_for(Session, "after_commit")
def _bump_versions(session: Session) -> None:
    changes = session.info.pop(_CHANGED, None)
    client = get_redis() if changes else None
    if client is None:
        return
    try:
        client.register_script(_BUMP)(keys=sorted(_version_keys(changes)))
    except redis.RedisError:
        log.warning("listing cache versions not moved; listings may lag by up to "
                    "LISTING_CACHE_SECONDS", exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_CHANGED, None)


def _row_id(kind: str, external_id) -> int | None:
    """Only ids that exist are remembered (a few hundred at most): guessed ids cost a query
    each, never memory."""
    key = (kind, str(external_id))
    if key not in _ids:
        model = {"org": Organization, "dept": Department}[kind]
        found = db.session.execute(select(model.id).where(
            model.external_id == external_id)).scalar_one_or_none()
        if found is None:
            return None
        _ids[key] = found
    return _ids[key]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def cached(hospital_id, args: dict[str, Any], render: Callable[[], bytes]) -> tuple[bytes, str]:
    """(body, ETag) of a listing: from the cache when its version is current, else rendered
    and stored. Without Redis (embedded mode) every listing is rendered."""
    client = get_redis()
    organization_id = _row_id("org", hospital_id)
    department_id = (_row_id("dept", args["department_id"]) if args.get("department_id")
                     else None)
    if client is None or organization_id is None or (args.get("department_id")
                                                      and department_id is None):
        body = render()
        return body, etag_of(body)
    scope = (f"dept:{department_id}" if department_id is not None
             else f"org:{organization_id}")
    query = ":".join(str(args.get(name) or "") for name in ("doctor_id", "date_from", "date_to"))
    key = f"{_PREFIX}:body:{scope}:{local_today()}:{query}:"
    try:
        version, hit = client.register_script(_LOOKUP)(keys=[f"{_PREFIX}:v:{scope}"],
                                                       args=[key])
    except redis.RedisError:
        log.warning("listing cache unreachable; rendering", exc_info=True)
        body = render()
        return body, etag_of(body)
    if hit:
        etag, _, body = hit.partition(b"\n")
        return body, etag.decode()
    body = render()
    etag = etag_of(body)
    try:
        client.set(key + version.decode(), etag.encode() + b"\n" + body,
                   ex=current_app.config["LISTING_CACHE_SECONDS"])
    except redis.RedisError:
        log.warning("listing not cached", exc_info=True)
    return body, etag
