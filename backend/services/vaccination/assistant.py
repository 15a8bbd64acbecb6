"""The assistant answers "下次打什么疫苗？" from the schedule (`vaccination.assess`).

`conversations/` knows nothing of vaccination: the backend recognises the question in the
parent's words after the dialogue has replied (so the red-flag rules have already run on the
message) and answers for the 就诊人 of the conversation. A red flag always wins: no schedule
answer is given on a turn that raised one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from backend.models import PatientProfile
from backend.services.vaccination.history import assessment_of, doses_of
from backend.timeutil import age_on, local_today
from conversations.dialogue import Turn
from conversations.state import DialogueState
from vaccination import Assessment, DoseState

SCHEDULE_QUESTION = re.compile(
    r"(?:下次|下一次|下一针|接下来|还|该|要|应该|需要)[^，,。？?]{0,8}(?:打|接种)[^，,。？?]{0,6}"
    r"(?:什么|啥|哪|几)"
    r"|(?:打|接种)(?:什么|啥|哪些|哪几)(?:疫苗|针)"
    r"|什么时候[^，,。？?]{0,4}(?:打|接种)[^，,。？?]{0,4}(?:疫苗|针|下一)"
    r"|(?:疫苗|针)[^，,。？?]{0,6}(?:什么时候|何时|哪天)(?:打|接种)"
    r"|(?:哪些|什么)疫苗还?没(?:打|接种)")
AFTER_A_DOSE = re.compile(r"打完|打了[^，,。]{0,6}(?:发烧|发热|红|肿|哭)")
MAX_LISTED = 6
CHILD_UNTIL_AGE = 18


def asks_about_schedule(text: str) -> bool:
    return bool(SCHEDULE_QUESTION.search(text)) and not AFTER_A_DOSE.search(text)


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _names(doses) -> str:
    listed = [f"{d.series_name}第{d.dose}剂" for d in doses[:MAX_LISTED]]
    more = f"等{len(doses)}剂" if len(doses) > MAX_LISTED else ""
    return "、".join(listed) + more


def schedule_answer(child: PatientProfile, result: Assessment, has_records: bool) -> str:
    """Plain sentences for the parent: overdue, due now, next, and who decides on the day."""
    lines = []
    if not has_records:
        lines.append(f"我们这里还没有{child.name}的接种记录，下面按出生日期推算，请以接种证为准。")
    overdue = [d for d in result.doses if d.state == DoseState.OVERDUE]
    due = [d for d in result.doses if d.state == DoseState.DUE]
    later = sorted((d for d in result.doses if d.state == DoseState.NOT_YET_DUE),
                   key=lambda d: d.earliest)
    if overdue:
        lines.append(f"已过推荐时间、要尽快补种的：{_names(overdue)}。")
    if due:
        lines.append(f"现在就可以打的：{_names(due)}。")
    if later:
        first = later[0].earliest
        together = [d for d in later if d.earliest == first]
        lines.append(f"下一次：{_day(first)}起可以打{_names(together)}。")
    if not (overdue or due or later):
        lines.append(f"{child.name}的国家免疫规划疫苗已经按程序打完了。")
    decides = [d for d in result.doses if d.state == DoseState.CLINIC_DECIDES]
    if decides:
        lines.append(f"{_names(decides)}要由接种门诊医生评估后决定。")
    if result.flagged:
        lines.append(f"有{len(result.flagged)}剂记录不能计入（比如打得过早），请接种门诊核对。")
    lines.append("能不能打，由接种门诊医生当天询问健康情况后决定。可以在小程序里预约接种门诊。")
    lines.append("（依据：国家免疫规划疫苗儿童免疫程序及说明，2021年版及2025年百白破程序调整）")
    return "\n".join(lines)


def answer(child: PatientProfile, text: str) -> str | None:
    """The schedule answer if `text` asks what is due next, else None."""
    if not asks_about_schedule(text):
        return None
    if age_on(child.birth_date, local_today()) >= CHILD_UNTIL_AGE:
        return (f"国家免疫规划疫苗是给18岁以下儿童打的，{child.name}已经成年。"
                "成人想打流感、HPV等疫苗，可以咨询社区卫生服务中心的预防保健科。")
    return schedule_answer(child, assessment_of(child), bool(doses_of(child.id)))


def with_schedule_answer(child: PatientProfile, text: str, state: DialogueState, turn: Turn,
                         unclear_before: int) -> Turn:
    """The dialogue's turn, answered from the schedule if the parent asked what is due.

    Nothing else understood in the message: the schedule answer replaces "没太听明白" (and the
    dialogue's count of unclear answers is put back). Something else said too (孩子发烧了): the
    answer comes first and the interview goes on."""
    if turn.red_flag is not None or state.red_flag is not None:
        return turn
    said = answer(child, text)
    if said is None:
        return turn
    understood_nothing = state.complaint is None and not state.positive_symptoms()
    if understood_nothing and turn.stage == "chief_complaint":
        state.unclear = unclear_before
        new = replace(turn, text=f"{said}\n如果孩子有哪里不舒服，也可以告诉我。")
    else:
        new = replace(turn, text=f"{said}\n\n{turn.text}")
    if state.transcript and state.transcript[-1].role == "assistant":
        state.transcript[-1].text = new.text
    return new
