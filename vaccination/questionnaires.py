"""The two question sets of a vaccination visit, as data: the health enquiry before the dose
(`data/health_enquiry.yaml`) and the after-care questions a day later (`data/after_care.yaml`).

Loading checks every file (ids unique, levels known, a source named); checking answers names the
question that is wrong. What the answers mean is decided here, so it is tested without Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).with_name("data")
LEVELS = ("ok", "watch", "aefi", "emergency")  # in rising order
MAX_DETAIL = 200


class QuestionnaireError(ValueError):
    """A question file does not follow its format."""


class AnswerError(ValueError):
    """An answer set is incomplete or malformed; `question` names where."""

    def __init__(self, question: str, message: str) -> None:
        super().__init__(message)
        self.question = question


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    for_doctor: bool = False
    choices: tuple[tuple[str, str, str], ...] = ()  # (id, text, level)


@dataclass(frozen=True)
class QuestionSet:
    version: str
    source: str
    questions: tuple[Question, ...]
    advice: dict[str, str]
    window_hours: tuple[int, int] | None = None

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


@dataclass(frozen=True)
class Screening:
    answers: dict[str, dict[str, Any]]  # id -> {"yes": bool, "detail": str | None}
    for_doctor: tuple[str, ...]  # question ids answered yes that the doctor must weigh


@dataclass(frozen=True)
class AfterCare:
    answers: dict[str, str]  # question id -> choice id
    level: str
    serious: tuple[str, ...]  # question ids at the aefi or emergency level
    advice: str


def _read(name: str) -> dict[str, Any]:
    path = DATA_DIR / name
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or not str(data.get("source", "")).strip() \
            or not str(data.get("version", "")).strip():
        raise QuestionnaireError(f"{name}: must name its `source` and `version`")
    if not data.get("questions"):
        raise QuestionnaireError(f"{name}: no questions")
    ids = [q.get("id") for q in data["questions"]]
    if len(set(ids)) != len(ids) or not all(isinstance(i, str) and i for i in ids):
        raise QuestionnaireError(f"{name}: question ids must be unique non-empty strings")
    return data


def load_health_enquiry(name: str = "health_enquiry.yaml") -> QuestionSet:
    data = _read(name)
    questions = tuple(Question(q["id"], q["text"], bool(q.get("for_doctor")))
                      for q in data["questions"])
    return QuestionSet(str(data["version"]), data["source"].strip(), questions, {})


def load_after_care(name: str = "after_care.yaml") -> QuestionSet:
    data = _read(name)
    questions = []
    for q in data["questions"]:
        choices = tuple((c["id"], c["text"], c["level"]) for c in q.get("choices") or ())
        if len(choices) < 2 or any(level not in LEVELS for _, _, level in choices):
            raise QuestionnaireError(f"{name}: {q['id']}: needs ≥2 choices with known levels")
        if len({c[0] for c in choices}) != len(choices):
            raise QuestionnaireError(f"{name}: {q['id']}: choice ids must be unique")
        questions.append(Question(q["id"], q["text"], choices=choices))
    advice = data.get("advice") or {}
    if set(advice) != set(LEVELS):
        raise QuestionnaireError(f"{name}: advice must be given for {', '.join(LEVELS)}")
    window = data.get("window_hours")
    if not (isinstance(window, list) and len(window) == 2 and 0 <= window[0] < window[1]):
        raise QuestionnaireError(f"{name}: window_hours must be [from, until]")
    return QuestionSet(str(data["version"]), data["source"].strip(), tuple(questions),
                       {k: "".join(str(v).split()) for k, v in advice.items()},
                       (int(window[0]), int(window[1])))


@cache
def health_enquiry() -> QuestionSet:
    return load_health_enquiry()


@cache
def after_care() -> QuestionSet:
    return load_after_care()


def check_screening(answers: dict[str, Any], questions: QuestionSet | None = None
                    ) -> Screening:
    """Every question answered yes or no (a "yes" may say more); the doctor's items first."""
    questions = questions or health_enquiry()
    known = {q.id for q in questions.questions}
    for key in answers:
        if key not in known:
            raise AnswerError(key, "没有这个问题。")
    clean: dict[str, dict[str, Any]] = {}
    for question in questions.questions:
        given = answers.get(question.id)
        if not isinstance(given, dict) or not isinstance(given.get("yes"), bool):
            raise AnswerError(question.id, "请回答“有”或“没有”。")
        detail = given.get("detail")
        if detail is not None and (not isinstance(detail, str) or len(detail) > MAX_DETAIL):
            raise AnswerError(question.id, f"补充说明最多{MAX_DETAIL}字。")
        clean[question.id] = {"yes": given["yes"], "detail": (detail or "").strip() or None}
    flagged = tuple(q.id for q in questions.questions if q.for_doctor and clean[q.id]["yes"])
    return Screening(clean, flagged)


def check_after_care(answers: dict[str, Any], questions: QuestionSet | None = None
                     ) -> AfterCare:
    """One choice per question; the highest level decides the advice."""
    questions = questions or after_care()
    known = {q.id for q in questions.questions}
    for key in answers:
        if key not in known:
            raise AnswerError(key, "没有这个问题。")
    levels: dict[str, str] = {}
    for question in questions.questions:
        choice = answers.get(question.id)
        match = next((c for c in question.choices if c[0] == choice), None)
        if match is None:
            raise AnswerError(question.id, "请选择一个答案。")
        levels[question.id] = match[2]
    level = max(levels.values(), key=LEVELS.index)
    serious = tuple(q for q, lv in levels.items() if LEVELS.index(lv) >= LEVELS.index("aefi"))
    return AfterCare({q: answers[q] for q in levels}, level, serious, questions.advice[level])
