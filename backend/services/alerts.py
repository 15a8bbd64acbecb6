"""Admin alerts and the EMR outbox as hospital admins see them (their organization only)."""

from __future__ import annotations

from sqlalchemy import or_, select

from backend.auth import Principal
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.models import AdminAlert, EmrDelivery
from backend.services import audit, emr
from backend.services.access import parse_id
from backend.timeutil import utcnow


def list_alerts(principal: Principal, open_only: bool) -> list[AdminAlert]:
    """The admin's hospital's alerts, and group-wide ones (a payment merchant serves them all)."""
    query = select(AdminAlert).where(or_(AdminAlert.organization_id == principal.organization_id,
                                         AdminAlert.organization_id.is_(None)))
    if open_only:
        query = query.where(AdminAlert.acknowledged_at.is_(None))
    return list(db.session.execute(query.order_by(AdminAlert.created_at.desc()).limit(200))
                .scalars())


def acknowledge(principal: Principal, alert_id) -> AdminAlert:
    alert = db.session.execute(select(AdminAlert).where(
        AdminAlert.external_id == parse_id(alert_id),
        or_(AdminAlert.organization_id == principal.organization_id,
            AdminAlert.organization_id.is_(None)))).scalar_one_or_none()
    if alert is None:
        raise NotFound("没有找到这条提醒。")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = utcnow(), principal.staff_id
        audit.record("alert.acknowledge", "admin_alert", str(alert.external_id))
        db.session.commit()
    return alert


def list_deliveries(principal: Principal, status: str | None) -> list[EmrDelivery]:
    query = select(EmrDelivery).where(EmrDelivery.organization_id == principal.organization_id)
    if status:
        query = query.where(EmrDelivery.status == status)
    return list(db.session.execute(query.order_by(EmrDelivery.created_at.desc()).limit(200))
                .scalars())


def redrive(principal: Principal, delivery_id) -> EmrDelivery:
    delivery = db.session.execute(select(EmrDelivery).where(
        EmrDelivery.external_id == parse_id(delivery_id),
        EmrDelivery.organization_id == principal.organization_id)).scalar_one_or_none()
    if delivery is None:
        raise NotFound("没有找到这条发送记录。")
    if delivery.status != "dead":
        raise Conflict("只有发送失败的记录才能重新发送。", code="not_dead_lettered")
    emr.redrive([delivery.id])
    db.session.refresh(delivery)
    return delivery
