"""Findings counted or read off an instrument: a blood pressure (高压170 低压105, 140/90) and
how many times a night the patient gets up to pass water (晚上起夜四五回). A number decides
whether the finding is there or denied, so these are read by pattern, not by term."""

from __future__ import annotations

import re

from conversations.knowledge import Lexicon
from conversations.nlu_numbers import NUM, number_range

# -- a blood pressure read off the cuff: 高压170 低压105, 血压160多, 140/95 ---------------------

BP_READING = re.compile(
    r"(?:血压|高压|收缩压)[^0-9，,。；;]{0,5}(?P<s>[1-2]?[0-9]{2})(?:多)?"
    r"(?:\s*[/／]\s*|[^0-9，,。；;]{0,3}(?:低压|舒张压)[^0-9，,。；;]{0,2})?(?P<d>[0-9]{2,3})?"
    r"|(?<![0-9./])(?P<s2>1[0-9]{2}|[89][0-9])\s*[/／]\s*(?P<d2>[4-9][0-9]|1[0-4][0-9])(?![0-9./])")
ELEVATED_BP = "elevated_blood_pressure"


def blood_pressure(text: str, lexicon: Lexicon) -> tuple[list[tuple[int, int, str, str]], set[int]]:
    """A reading is a finding: 140/90 or more is raised blood pressure; a lower one denies it.
    Returns the hits and the starts of those that deny."""
    if ELEVATED_BP not in lexicon.concepts.get("symptoms", {}):
        return [], set()
    found, normal = [], set()
    for m in BP_READING.finditer(text):
        s, d = (m["s"], m["d"]) if m["s"] else (m["s2"], m["d2"])
        systolic, diastolic = int(s), int(d) if d else 0
        if not 70 <= systolic <= 300 or (diastolic and not 40 <= diastolic <= 200):
            continue
        found.append((m.start(), m.end(), "symptoms", ELEVATED_BP))
        if systolic < 140 and diastolic < 90:
            normal.add(m.start())
    return found, normal


# -- getting up at night to pass water: 夜里起来四五回, 晚上起来尿两三次, 起夜特别多 ---------------

NIGHT_VOIDING = re.compile(
    r"(?:晚上|夜里|夜间|半夜|一晚上?|一夜|每晚|每天晚上|睡下以后)[^，,。；;\s咳疼痛憋醒喘哭]{0,3}?"
    r"(?:起夜|起来(?:尿尿?|解手|小便|上厕所)?|尿|解手|上厕所)[^，,。；;\s0-9]{0,3}?"
    rf"(?P<n>{NUM}|好几|几)(?:多|来)?(?:次|回|趟|遍)"
    r"|起夜(?:特别|非常|很|挺|老|越来越)?(?:多|频繁|勤)")
NOCTURIA = "nocturia"


def night_voiding(text: str, lexicon: Lexicon) -> list[tuple[int, int, str, str]]:
    """Up twice or more a night to pass water is nocturia (ICS 2002: one or more; twice is when
    patients and guidelines start to count it as a complaint)."""
    if NOCTURIA not in lexicon.concepts.get("symptoms", {}):
        return []
    found = []
    for m in NIGHT_VOIDING.finditer(text):
        counted = number_range(m["n"]) if m["n"] not in (None, "好几", "几") else None
        if counted is None or counted[1] >= 2:
            found.append((m.start(), m.end(), "symptoms", NOCTURIA))
    return found
