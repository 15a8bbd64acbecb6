"""Rows read with Core, joined to the session as the ORM would have loaded them.

Why: on the busiest requests (a hold, a 就诊人 read) the ORM's loading machinery cost more
CPU than the statement itself; filling the mapped object from the row is all it did.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class

from backend.extensions import db


def as_loaded(entity: type, values: dict[str, Any]) -> Any:
    """The session's persistent object for `values` (column attribute -> value, the primary
    key `id` among them): the one the session already holds, else a new one filled as the
    ORM's loader fills it (straight into the instance's dict, no attribute events), with its
    identity and everything committed. Attributes not in `values` load on first use."""
    session = db.session()  # the request's, looked up once
    held = session.identity_map.get(session.identity_key(entity, values["id"]))
    if held is not None:
        return held
    instance = manager_of_class(entity).new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
