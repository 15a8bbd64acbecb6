"""Checking a scripted patient's outcome against what a clinician expected.

Used by the test corpus, the accuracy benchmark, and `frontdoor converse` when a script carries
an `expect` block, so a hospital sees at once which of its own cases the assistant gets wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DURATION_TOLERANCE = 0.35
EXPECT_KEYS = {"department_in_top3", "red_flag", "red_flag_words", "slots"}


@dataclass(frozen=True)
class SlotScore:
    true_positive: int
    false_positive: int
    false_negative: int


def _duration_ok(expected: float, actual: Any) -> bool:
    if not isinstance(actual, int | float):
        return False
    return abs(actual - expected) <= max(DURATION_TOLERANCE * expected, 0.5)


def _slot_failure(key: str, expected: Any, outcome: dict[str, Any]) -> str | None:
    slots = outcome["slots"]
    if key == "chief_complaint.duration_days":
        actual = slots.get("chief_complaint.duration")
        return None if _duration_ok(float(expected), actual) else \
            f"duration: expected ≈{expected} days, got {actual}"
    actual = slots.get(key)
    if isinstance(expected, list):
        missing = [item for item in expected if not isinstance(actual, list) or item not in actual]
        return f"{key}: missing {missing} (got {actual})" if missing else None
    if isinstance(expected, bool | int | float) and not isinstance(expected, str):
        return None if actual == expected else f"{key}: expected {expected}, got {actual}"
    text = actual if isinstance(actual, str) else "、".join(map(str, actual or []))
    if str(expected) in text:
        return None
    return f"{key}: expected to contain {expected!r}, got {actual!r}"


def check(expect: dict[str, Any], outcome: dict[str, Any]) -> list[str]:
    """Every way the outcome falls short of the expectation (empty: it passed)."""
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        return [f"unknown expectation keys {sorted(unknown)}"]
    failures = []
    department = expect.get("department_in_top3")
    codes = [r["code"] for r in outcome["triage"]]
    if department and department not in codes:
        failures.append(f"department: expected {department} in top 3, got {codes}")
    flag = outcome["red_flag"]
    if expect.get("red_flag") == "screen" and not (outcome.get("screened") or flag):
        failures.append("red flag: expected a screening question, none asked")
    if expect.get("red_flag") is True and flag is None:
        failures.append("red flag: expected one, none raised")
    if expect.get("red_flag") is False and flag is not None:
        failures.append(f"red flag: none expected, raised {flag['rule']} on {flag['words']}")
    if flag and expect.get("red_flag_words"):
        quoted = "".join(flag["words"])
        if not any(word in quoted or any(w in word for w in flag["words"])
                   for word in expect["red_flag_words"]):
            failures.append(f"red flag words: expected {expect['red_flag_words']}, "
                            f"got {flag['words']}")
    for key, expected in (expect.get("slots") or {}).items():
        failure = _slot_failure(key, expected, outcome)
        if failure:
            failures.append(failure)
    return failures


def slot_score(expect: dict[str, Any], outcome: dict[str, Any]) -> SlotScore:
    """Precision/recall counts over the annotated slots (list items count one by one)."""
    tp = fp = fn = 0
    for key, expected in (expect.get("slots") or {}).items():
        if key == "chief_complaint.duration_days":
            actual = outcome["slots"].get("chief_complaint.duration")
            ok = _duration_ok(float(expected), actual)
            tp, fp, fn = tp + ok, fp + (not ok and actual is not None), fn + (not ok)
            continue
        actual = outcome["slots"].get(key)
        if isinstance(expected, list):
            predicted = set(actual) if isinstance(actual, list) else set()
            tp += len(predicted & set(expected))
            fp += len(predicted - set(expected))
            fn += len(set(expected) - predicted)
        else:
            ok = _slot_failure(key, expected, outcome) is None
            tp, fp, fn = tp + ok, fp + (not ok and actual is not None), fn + (not ok)
    return SlotScore(tp, fp, fn)
