"""What is known about reaching a resident (`followup.channels.Reach`), in one place for the
set-based reminder queue (SQL) and for one resident (an undelivered text's next channel)."""

from __future__ import annotations

from sqlalchemy import exists, select

from backend.extensions import db
from backend.models import Account, MessageSubscription, PatientProfile, Resident
from followup.channels import Reach


def miniprogram_consent(account_id):
    """SQL: the account has a follow-up subscribe grant left on a mini-program that can
    deliver it. Alipay delivers a message only after a payment (it names the trade): a
    follow-up reminder reaches the mini-program on WeChat only."""
    return exists(select(MessageSubscription.id).join(
        Account, Account.id == MessageSubscription.account_id).where(
        MessageSubscription.account_id == account_id, Account.wechat_openid.is_not(None),
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
