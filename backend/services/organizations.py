"""Read the group's organizations and departments (public reference data, not audited)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from backend.errors import NotFound
from backend.extensions import db
from backend.models import Department, Organization


def list_organizations() -> list[Organization]:
    return list(db.session.execute(select(Organization).order_by(Organization.code)).scalars())


def list_departments(organization_id: UUID) -> list[Department]:
    organization = db.session.execute(
        select(Organization).where(Organization.external_id == organization_id)
    ).scalar_one_or_none()
    if organization is None:
        raise NotFound("没有找到这家医院。")
    return list(organization.departments)
