"""Plain words for a result and a report, for a 70-year-old: what it measures, what this value
means, and what to do next. Explanations explain; they never diagnose and never name a drug.

Every explanation carries its basis (the value, the interval and whose interval it is) and the
source of its words, so a person and a clinician can see why it says what it says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from reports.flags import Assessment
from reports.knowledge import TestInfo
from reports.model import Flag, ResultIn
from reports.values import display, interval, qualitative


class Level(enum.IntEnum):
    """How soon to act; a report takes the most urgent level of its results."""

    NORMAL = 0
    UNKNOWN = 1  # we cannot say: show the value and ask the doctor
    MILD = 2  # 下次看病时带给医生看
    MARKED = 3  # 建议一周内复查
    CRITICAL = 4  # 请尽快与医院联系或到急诊科就诊


ADVICE = {
    Level.NORMAL: "",
    Level.UNKNOWN: "看病时请问问医生。",
    Level.MILD: "下次看病时带给医生看。",
    Level.MARKED: "建议一周内复查，或找医生看看。",
    Level.CRITICAL: "请尽快与医院联系或到急诊科就诊。",
}
# A value this far beyond its interval is "marked": twice the upper limit, or half the lower.
# Front Door convention (not from a guideline), reviewed with the hospital's laboratory.
MARKED_HIGH_FACTOR = 2.0
MARKED_LOW_FACTOR = 0.5
FLAG_WORDS = {Flag.HIGH: "偏高", Flag.LOW: "偏低", Flag.CRITICAL_HIGH: "明显偏高",
              Flag.CRITICAL_LOW: "明显偏低", Flag.ABNORMAL: "异常", Flag.NORMAL: "正常"}
NO_WORDS = "这项检查我们还没有通俗的解释。"


@dataclass(frozen=True)
class ResultExplanation:
    code: str
    name: str
    value: str
    unit: str
    flag: str | None
    flag_words: str
    level: Level
    text: str
    advice: str
    basis: str
    source: str
    critical: bool


def _level(result: ResultIn, assessment: Assessment) -> Level:
    if assessment.critical:
        return Level.CRITICAL
    flag = assessment.flag
    if flag is None:
        return Level.UNKNOWN
    if flag == Flag.NORMAL:
        return Level.NORMAL
    amount, limits = assessment.quantity, _limits(assessment.interval_text)
    if amount is not None and limits is not None:
        low, high = limits
        if flag == Flag.HIGH and high and amount.value >= high * MARKED_HIGH_FACTOR:
            return Level.MARKED
        if flag == Flag.LOW and low and amount.value <= low * MARKED_LOW_FACTOR:
            return Level.MARKED
    return Level.MILD


def _limits(text: str) -> tuple[float | None, float | None] | None:
    parsed = interval(text)
    return None if parsed is None else (parsed.low, parsed.high)


def _meaning(test: TestInfo, result: ResultIn, flag: Flag | None) -> str:
    if test.qualitative:
        reading = qualitative(result.value)
        if reading == "positive":
            return test.positive
        if reading == "negative":
            return test.negative
        return ""
    if flag in {Flag.HIGH, Flag.CRITICAL_HIGH}:
        return "这次结果比参考范围高。" + test.high
    if flag in {Flag.LOW, Flag.CRITICAL_LOW}:
        return "这次结果比参考范围低。" + test.low
    if flag == Flag.NORMAL:
        return "这次结果在参考范围内。"
    if flag == Flag.ABNORMAL:
        return "化验室标记这项结果不正常。"
    return "这项没有参考范围可以比较。"


def explain_result(result: ResultIn, test: TestInfo | None,
                   assessment: Assessment) -> ResultExplanation:
    level = _level(result, assessment)
    shown = display(result.value_type, result.value)
    if test is None:
        text, source = NO_WORDS, ""
        if assessment.flag not in (None, Flag.NORMAL):
            text += "化验室标记这项结果" + FLAG_WORDS[assessment.flag] + "。"
    else:
        text = test.measures + _meaning(test, result, assessment.flag)
        source = test.source
    if assessment.note:
        text += assessment.note
    basis = f"您的结果：{shown}{(' ' + result.unit) if result.unit else ''}"
    if assessment.interval_text:
        basis += f"；参考范围：{assessment.interval_text}（{_whose(assessment)}）"
    if assessment.critical:
        basis += "；属于危急值"
    return ResultExplanation(
        code=test.code if test else result.code, name=result.name or (test.names[0] if test
                                                                      else result.code),
        value=shown, unit=result.unit, flag=assessment.flag.value if assessment.flag else None,
        flag_words=FLAG_WORDS.get(assessment.flag, "") if assessment.flag else "",
        level=level, text=text, advice=ADVICE[level], basis=basis, source=source,
        critical=assessment.critical)


def _whose(assessment: Assessment) -> str:
    if assessment.interval_source == "化验室提供":
        return "化验室提供"
    return f"国家标准：{assessment.interval_source}"


@dataclass(frozen=True)
class ReportSummary:
    level: Level
    headline: str
    advice: str
    abnormal: int
    total: int


def summarise(explanations: list[ResultExplanation], imaging_level: Level | None = None,
              corrected: bool = False) -> ReportSummary:
    """The one or two sentences at the top of a report."""
    levels = [e.level for e in explanations] + ([imaging_level] if imaging_level else [])
    level = max(levels, default=Level.UNKNOWN)
    abnormal = sum(1 for e in explanations if e.flag not in (None, Flag.NORMAL.value))
    total = len(explanations)
    if level == Level.CRITICAL:
        headline = "这份报告里有需要尽快处理的结果，医院已经通知了医生。"
    elif total and abnormal:
        headline = f"这份报告共{total}项，其中{abnormal}项不在参考范围内。"
    elif total:
        headline = f"这份报告共{total}项，都在参考范围内。"
    else:
        headline = "这是一份检查报告，下面是医生写的意见和通俗解释。"
    if corrected:
        headline = "报告已更正。" + headline
    return ReportSummary(level, headline, ADVICE[level] or "请继续保持，按时体检。", abnormal,
                         total)
