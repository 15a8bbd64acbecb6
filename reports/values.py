"""Reading a value as labs write it: 5.6, <0.01, >1000, 1:80, +++, 阴性(-), "3-5/HP"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\s*([<>≤≥]=?|=)?\s*([-+]?\d+(?:\.\d+)?)\s*$")
_SN = re.compile(
    r"^\s*(<=|>=|<>|<|>|=)?\^?([-+]?\d+(?:\.\d+)?)(?:\^([:+/-])\^?(\d+(?:\.\d+)?))?\s*$")
_RANGE = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(?:-|–|~|～|—|－)\s*([-+]?\d+(?:\.\d+)?)\s*$")
_UPPER = re.compile(r"^\s*(?:<|<=|≤|＜)\s*([-+]?\d+(?:\.\d+)?)\s*$")
_LOWER = re.compile(r"^\s*(?:>|>=|≥|＞)\s*([-+]?\d+(?:\.\d+)?)\s*$")
NEGATIVE_WORDS = ("阴性", "-", "neg", "negative", "未检出", "正常")
POSITIVE_WORDS = ("阳性", "+", "pos", "positive", "检出")


@dataclass(frozen=True)
class Quantity:
    """A number, possibly only a bound (`<0.01` is comparator "<", value 0.01)."""

    value: float
    comparator: str = ""  # "", "<", ">", "<=", ">="

    def text(self) -> str:
        number = f"{self.value:g}"
        return f"{self.comparator}{number}"


def quantity(value_type: str, raw: str) -> Quantity | None:
    """The number in an NM or SN value (SN is `comparator^num1^separator^num2`), else None."""
    raw = raw.strip()
    if not raw:
        return None
    if value_type == "SN" or "^" in raw:
        match = _SN.match(raw)
        if match and not match.group(3):
            comparator = match.group(1) or ""
            return Quantity(float(match.group(2)), "" if comparator == "=" else comparator)
        return None  # a ratio (1:80) or range is not a single quantity
    match = _NUMBER.match(raw.replace("＜", "<").replace("＞", ">"))
    if not match:
        return None
    comparator = (match.group(1) or "").replace("≤", "<=").replace("≥", ">=")
    return Quantity(float(match.group(2)), "" if comparator == "=" else comparator)


def display(value_type: str, raw: str) -> str:
    """How the value is shown to a person: SN `<^0.01` as `<0.01`, `^1^:^80` as `1:80`."""
    if value_type == "SN":
        return "".join(part for part in raw.split("^") if part)
    return raw.strip()


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None

    def text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g}-{self.high:g}"
        if self.high is not None:
            return f"<{self.high:g}"
        if self.low is not None:
            return f">{self.low:g}"
        return ""


def interval(text: str) -> Interval | None:
    """The lab's printed interval: "3.5-5.3", "<5.2", ">1.0", "3.5～5.3"; else None."""
    if not text:
        return None
    for pattern, build in ((_RANGE, lambda m: Interval(float(m[1]), float(m[2]))),
                           (_UPPER, lambda m: Interval(None, float(m[1]))),
                           (_LOWER, lambda m: Interval(float(m[1]), None))):
        match = pattern.match(text)
        if match:
            return build(match)
    return None


def qualitative(raw: str) -> str | None:
    """"negative" / "positive" for 阴性/阳性 style results, else None."""
    text = raw.strip().lower().replace("（", "(").replace("）", ")")
    if not text:
        return None
    if text.startswith(("阴性", "neg", "negative", "未检出")) or text in {"-", "(-)", "阴性(-)"}:
        return "negative"
    if text.startswith(("阳性", "弱阳性", "pos", "positive", "检出")) or re.fullmatch(
            r"\(?[+]{1,4}\)?|[1-4]\+|\+-|±", text):
        return "positive"
    return None
