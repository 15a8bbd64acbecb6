"""Numbers as people say them on the phone, in Chinese numerals or digits.

Callers run numbers together ("一百四十五八十八" is 145 over 88), drop the tens word
("一百五" is 150), read years digit by digit ("一九五八") and decimals with 点 ("七点八"). The
recogniser gives digits or hanzi depending on the engine, so both are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGITS = {"零": 0, "〇": 0, "幺": 1, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
_RUN = re.compile(r"[0-9０-９]+(?:[.．点][0-9０-９零〇一二两三四五六七八九]+)?|"
                  r"[零〇幺一二两三四五六七八九十百千点]+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


@dataclass(frozen=True)
class SpokenNumber:
    """One number found in an utterance, with where it was said (for labels like 高压)."""

    value: float
    start: int
    end: int
    digits_read: bool = False  # said digit by digit ("一九五八", "58")


def find_numbers(text: str) -> list[SpokenNumber]:
    """Every number in `text`, in the order said."""
    found: list[SpokenNumber] = []
    for run in _RUN.finditer(text or ""):
        chunk = run.group().translate(_FULLWIDTH)
        if chunk[0].isdigit():
            whole, _, fraction = chunk.replace("点", ".").partition(".")
            fraction = "".join(str(DIGITS.get(c, c)) for c in fraction)
            value = float(f"{whole}.{fraction}" if fraction else whole)
            found.append(SpokenNumber(value, run.start(), run.end(), digits_read=True))
        else:
            found.extend(_chinese_run(chunk, run.start()))
    return found


def _chinese_run(run: str, offset: int) -> list[SpokenNumber]:
    numbers, i = [], 0
    while i < len(run):
        parsed = _one_number(run, i)
        if parsed is None:
            i += 1
            continue
        value, end, digits_read = parsed
        numbers.append(SpokenNumber(value, offset + i, offset + end, digits_read))
        i = end
    return numbers


def _digit_at(run: str, i: int) -> int | None:
    return DIGITS.get(run[i]) if i < len(run) else None


def _multiplier_at(run: str, i: int) -> int | None:
    return _MULTIPLIERS.get(run[i]) if i < len(run) else None


def _one_number(run: str, i: int) -> tuple[float, int, bool] | None:
    """Read one number starting at `i`: (value, index after it, read digit by digit)."""
    start = i
    if run[i] == "点":
        return None
    # A bare run of digits without 十/百 ("一九五八", "五八"): read digit by digit.
    j = i
    while _digit_at(run, j) is not None and _multiplier_at(run, j + 1) is None:
        j += 1
    if j - i >= 2 and (j >= len(run) or run[j] != "点"):
        return float("".join(str(DIGITS[c]) for c in run[i:j])), j, True
    value = 0
    for unit in (1000, 100):
        digit = _digit_at(run, i)
        if digit is not None and _multiplier_at(run, i + 1) == unit:
            value += digit * unit
            i += 2
            if run[i:i + 1] == "零":
                i += 1
            elif unit == 100 and _is_bare_tens(run, i):
                # 一百五 = 150: after 百 a lone digit is the tens.
                return float(value + DIGITS[run[i]] * 10), i + 1, False
    digit = _digit_at(run, i)
    if run[i:i + 1] == "十":
        value += 10
        i += 1
    elif digit is not None and _multiplier_at(run, i + 1) == 10:
        value += digit * 10
        i += 2
    digit = _digit_at(run, i)
    if digit is not None and _multiplier_at(run, i + 1) is None:
        value += digit
        i += 1
    if i == start:
        return None
    if run[i:i + 1] == "点" and _digit_at(run, i + 1) is not None:
        j = i + 1
        while _digit_at(run, j) is not None:
            j += 1
        fraction = "".join(str(DIGITS[c]) for c in run[i + 1:j])
        return float(f"{value}.{fraction}"), j, False
    return float(value), i, False


def _is_bare_tens(run: str, i: int) -> bool:
    """A digit right after 百 with no 十 after it and not starting a following number's 十."""
    if _digit_at(run, i) is None or _multiplier_at(run, i + 1) is not None:
        return False
    return run[i + 1:i + 2] != "点"
