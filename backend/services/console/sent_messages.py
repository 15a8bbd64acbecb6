"""Messages sent to a resident (订阅消息 / 支付宝消息) in their console timeline: what kind, by
which channel, and whether it reached them, so the doctor knows what the resident was told."""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.models import PatientMessage, PatientProfile
from backend.services.console import timeline
from backend.services.messages import TEMPLATE_OF

KIND_WORDS = {"booked": "预约成功通知", "reminder": "就诊提醒", "cancelled": "取消预约通知",
              "stopped": "停诊通知", "refunded": "退款通知", "report_ready": "报告已出通知",
              "report_corrected": "报告更正通知", "critical_value": "危急值请联系医院",
              "followup_due": "随访提醒", "followup_overdue": "随访逾期提醒",
              "education": "健康知识推送"}
TEMPLATE_WORDS = {"vaccination": "疫苗接种消息"}
STATUS_WORDS = {"sent": "已送达", "pending": "等待发送", "failed": "发送失败"}
STATUS_LEVELS = {"failed": "marked"}
CHANNEL_WORDS = {"wechat": "微信", "alipay": "支付宝"}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind) or TEMPLATE_WORDS.get(TEMPLATE_OF.get(kind, ""), "消息")


def _status_words(message: PatientMessage) -> str:
    if message.status == "skipped":  # the platform would not take it: say why
        return f"未发送（{message.last_error or '居民未订阅'}）"
    return STATUS_WORDS.get(message.status, message.status)


@timeline.source
def messages_sent(profile: PatientProfile) -> list[timeline.Entry]:
    rows = db.session.execute(select(PatientMessage).where(
        PatientMessage.patient_id == profile.id)
        .order_by(PatientMessage.created_at.desc()).limit(timeline.MAX_ENTRIES_PER_SOURCE)
    ).scalars()
    return [timeline.Entry(m.sent_at or m.created_at, "message", kind_words(m.kind),
                           _status_words(m), STATUS_LEVELS.get(m.status),
                           data={"channel": CHANNEL_WORDS.get(m.channel or "", "")})
            for m in rows]
