"""Which length of time a patient says is how long the complaint has lasted.

Patients say many lengths in one breath: how old the baby is (宝宝拉肚子 十个月), how long a
remedy was used (冰敷了几天), when an old illness came (去年得过面瘫), how long the nursery has
been attended (托育园上了一个月). Only one is the complaint's; these rules decide when a new one
replaces what is already written.
"""

from __future__ import annotations

import re

from conversations.nlu import Understanding, normalise
from conversations.nlu_context import ANTECEDENT_EVENTS
from conversations.nlu_numbers import said_as_a_day
from conversations.state import DialogueState

_VAGUE_SINCE = {"这几天", "这两天", "最近", "前几天", "近来", "近几天", "这段时间", "这阵子"}
_FILLER = re.compile(r"[了吧啊呀吗呢嘛左右差不多大概约有已经都快\s，,。.]")
_BEFORE_NOW = re.compile(r"以前|之前|过去|早年|年轻|小时候|上回|那回|那次")  # 以前也疼过几年
# 冰敷了几天 / 吃了三天: how long a remedy was used, not how long the complaint has lasted
_REMEDY = re.compile(r"[敷吃服用贴涂抹擦输挂打做住练歇养泡熏按揉]")

# 托育园上了一个月 / 退休五年了 / 降压药吃了三年: how long something else has gone on
_ACTIVITY_BEFORE = re.compile(
    r"(?:上了|干了|做了|住了|学了|练了|用了|吃了|喝了|抽了|工作了|退休|搬来|搬过来)"
    r"(?:快|差不多|大概|将近|有)?$")
_LENGTH_SAID = re.compile(r"^(?:了|多了|以来|来|开始|起|左右了|的时候开始)")


def _old_illness_said(u: Understanding) -> bool:
    """以前也疼过几年: an earlier illness; a cold the complaint began with (开始是感冒) is not."""
    return any(m.history and m.concept not in ANTECEDENT_EVENTS for m in u.mentions)


def dates_an_old_illness(u: Understanding) -> bool:
    """我妈前年脑梗过 / 我去年得过面瘫: the day names when an old illness was, not this one."""
    said = normalise(u.since.text) if u.since else ""
    at = u.text.find(said) if said else -1
    return at >= 0 and any(m.history and abs(m.start - at) <= 8 for m in u.mentions)


def _of_an_activity(u: Understanding) -> bool:
    said = normalise(u.duration.text) if u.duration else ""
    at = u.text.find(said) if said else -1
    return at > 0 and bool(_ACTIVITY_BEFORE.search(u.text, 0, at))


def is_age(state: DialogueState, u: Understanding) -> bool:
    """宝宝拉肚子 十个月: a child's age in months, said beside the complaint, is no length."""
    months = state.patient.age_months
    if months is None or u.duration is None or abs(u.duration.days - 30 * months) > 15:
        return False
    said = normalise(u.duration.text)
    at = u.text.find(said)
    return at >= 0 and not _LENGTH_SAID.match(u.text[at + len(said):])


def length_wins(state: DialogueState, u: Understanding, current: str | None) -> bool:
    """A new length replaces the old one when asked for, corrected, said on its own ("三个多月
    了" after "躺下两三个小时都睡不着"), or when the old one was only a vague time of day."""
    known = state.facts.get("chief_complaint.duration")
    rest = u.text.replace(normalise(u.duration.text), "")
    left = _FILLER.sub("", rest)
    said_alone = not u.mentions and not u.habits and len(left) <= 2 and not _REMEDY.search(left)
    chief = state.facts.get("chief_complaint.symptom")
    # 咳了一个多月 … 之前阳过 烧了两天: a length said of another symptom is not the complaint's
    of_the_complaint = chief is None or u.duration.of == chief.value or (
        u.duration.of is None and any(m.kind == "symptoms" and m.concept == chief.value
                                      for m in u.mentions))
    # 早上起来眼屎多 … 前天开始的: a time of day said first only told when it is worse
    began_earlier = known is not None and isinstance(known.value, int | float) \
        and known.value < 1 <= u.duration.days and not _BEFORE_NOW.search(u.text) \
        and not _old_illness_said(u) and (
            u.duration.onset or (said_as_a_day(known.words) and not said_as_a_day(u.duration.text)))
    # 有二十来天了 / 差不多三个月了 after 昨天早上… or 半个多钟头: how long it has lasted wins
    lasting = known is not None and isinstance(known.value, int | float) \
        and (known.value < 1 or said_as_a_day(known.words)) \
        and u.duration.days >= 3 * max(float(known.value), 1.0) and not u.duration.onset \
        and not _BEFORE_NOW.search(u.text) and not _old_illness_said(u) \
        and bool(re.search(re.escape(normalise(u.duration.text)) + "(?:了|以来|多了)", u.text))
    if current != "chief_complaint.duration" and (_of_an_activity(u) or is_age(state, u)):
        return False
    return (known is None or current == "chief_complaint.duration" or u.correction
            or said_alone or began_earlier or lasting
            or (known.uncertain and not u.duration.approximate and u.mentions
                and of_the_complaint)
            or (known.words in _VAGUE_SINCE and (not u.duration.approximate
                                                 or u.duration.onset)))
