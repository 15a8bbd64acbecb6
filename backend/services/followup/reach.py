"""What is known about reaching a resident (`followup.channels.Reach`), in one place for the
set-based reminder queue (SQL) and for one resident (an undelivered text's next channel)."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from backend.extensions import db
from backend.models import Account, MessageSubscription, PatientProfile, Resident
from followup.channels import Reach


def miniprogram_consent(account_id):
    """SQL: the account (WeChat or Alipay mini-program) has a follow-up subscribe grant left:
    a WeChat subscribe message, or an Alipay subscription message (订阅消息, no payment
    needed)."""
    return exists(select(MessageSubscription.id).join(
        Account, Account.id == MessageSubscription.account_id).where(
        MessageSubscription.account_id == account_id,
        or_(Account.wechat_openid.is_not(None), Account.alipay_user_id.is_not(None)),
        MessageSubscription.kind == "followup", MessageSubscription.grants > 0,
        MessageSubscription.declined.is_(False)))


def reach_of(resident: Resident) -> Reach:
    account_id = db.session.execute(select(PatientProfile.account_id).where(
        PatientProfile.id == resident.patient_id, PatientProfile.archived_at.is_(None))
    ).scalar_one_or_none()
    app = account_id is not None and db.session.execute(
        select(miniprogram_consent(account_id))).scalar_one()
    return Reach(miniprogram_consent=bool(app),
                 phone_reachable=bool(resident.phone) and resident.phone_unreachable_at is None,
                 sms_consent=resident.sms_consented_at is not None,
                 call_consent=resident.call_consented_at is not None)
