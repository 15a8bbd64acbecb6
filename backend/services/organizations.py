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


def set_location(code: str, province: str, region: str | None) -> Organization:
    """Where a centre is, for the China-PAR north/south term (regions.yaml): the province, and
    north or south only where the Yangtze crosses the province. Raises ValueError in words."""
    from backend.services import audit
    from backend.services.portraits.cvd_facts import regions

    organization = db.session.execute(select(Organization).where(
        Organization.code == code)).scalar_one_or_none()
    if organization is None:
        raise ValueError(f"no organization with code {code}")
    row = regions()["provinces"].get(province)
    if row is None:
        raise ValueError(f"unknown province code {province} (GB/T 2260, two digits, e.g. 11)")
    crossed = row["region"] == "crossed"
    if crossed and region not in ("north", "south"):
        raise ValueError(f"the Yangtze crosses {row['name']}: say --region north or south for "
                         f"this centre")
    if not crossed and region is not None:
        raise ValueError(f"{row['name']} lies wholly in the {row['region']}; leave out --region")
    organization.province, organization.cvd_region = province, region if crossed else None
    audit.record("organization.located", "organization", str(organization.external_id),
                 {"province": province, "region": region}, actor_kind="system",
                 actor_id="cli", organization_id=organization.id)
    db.session.commit()
    return organization
