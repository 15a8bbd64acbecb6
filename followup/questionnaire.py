"""The between-visit questionnaire (随访问卷): its questions are data (`data/questionnaire.yaml`),
and the resident's answers become a `FollowUpVisit` that `classify` reads by the same rules as a
doctor's visit. It counts as a follow-up only after the doctor reviews it (in `backend`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from followup.records import FollowUpInputError, FollowUpVisit, ProgrammeFindings
from followup.rules import FollowUpRules, RulesError, default_rules

QUESTIONNAIRE_FILE = Path(__file__).resolve().parent / "data" / "questionnaire.yaml"
KINDS = ("symptoms", "choice", "number", "text")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    options: dict[str, str]  # choice: code → words; symptoms: filled per resident
    programmes: tuple[str, ...]  # empty: every programme
    required: bool
    minimum: float | None
    maximum: float | None
    max_length: int


@dataclass(frozen=True)
class Questionnaire:
    edition: str
    effective: dt.date
    source: str
    readings_within_days: int
    submitted: dict[str, str]  # title, text: what the resident is told after answering
    questions: tuple[Question, ...]

    def for_programmes(self, programmes: set[str], rules: FollowUpRules | None = None
                       ) -> tuple[Question, ...]:
        """The questions a resident in these programmes is asked, symptoms from their files."""
        rules = rules or default_rules()
        asked = []
        for question in self.questions:
            if question.programmes and not programmes & set(question.programmes):
                continue
            if question.kind == "symptoms":
                options = {code: name for programme in sorted(programmes)
                           for code, name in rules.programme(programme).symptoms.items()}
                question = Question(**{**question.__dict__, "options": options})
            asked.append(question)
        return tuple(asked)


@dataclass(frozen=True)
class Answered:
    """The answers checked and sorted into the record form's fields."""

    symptoms: frozenset[str]
    adherence: str
    adverse_reactions: tuple[str, ...]
    hypoglycaemia: str | None
    lifestyle: dict[str, Any]
    body: dict[str, float]


def check_answers(answers: Mapping[str, Any], questions: tuple[Question, ...]) -> Answered:
    """Refuse what the questionnaire does not ask or allow; the message names the question."""
    by_id = {q.id: q for q in questions}
    unknown = sorted(set(answers) - set(by_id))
    if unknown:
        raise FollowUpInputError(f"answers.{unknown[0]}: 问卷里没有这个问题。")
    values: dict[str, Any] = {}
    for question in questions:
        value = answers.get(question.id)
        if value is None or value == "" or value == []:
            if question.required:
                raise FollowUpInputError(f"answers.{question.id}: 请回答：{question.text}")
            continue
        values[question.id] = _checked(question, value)
    lifestyle = {key: values[key] for key in (
        "cigarettes_per_day", "alcohol_ml_per_day", "exercise_times_per_week",
        "exercise_minutes", "salt", "staple_grams_per_day", "psychological") if key in values}
    return Answered(
        symptoms=frozenset(values.get("symptoms", ())), adherence=values["adherence"],
        adverse_reactions=(values["side_effect"],) if values.get("side_effect") else (),
        hypoglycaemia=values.get("hypoglycaemia"), lifestyle=lifestyle,
        body={"weight_kg": values["weight_kg"]} if "weight_kg" in values else {})


def _checked(question: Question, value: Any) -> Any:
    where = f"answers.{question.id}"
    if question.kind == "symptoms":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FollowUpInputError(f"{where}: 请从列表里选择。")
        wrong = [v for v in value if v not in question.options]
        if wrong:
            raise FollowUpInputError(f"{where}: 没有“{wrong[0]}”这个选项。")
        return sorted(set(value))
    if question.kind == "choice":
        if not isinstance(value, str) or value not in question.options:
            raise FollowUpInputError(f"{where}: 请从{'、'.join(question.options.values())}"
                                     "中选一个。")
        return value
    if question.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FollowUpInputError(f"{where}: 请填一个数字。")
        if not question.minimum <= value <= question.maximum:
            raise FollowUpInputError(f"{where}: 请填{question.minimum:g}到{question.maximum:g}"
                                     "之间的数。")
        return value
    if not isinstance(value, str) or len(value.strip()) > question.max_length:
        raise FollowUpInputError(f"{where}: 请用不超过{question.max_length}个字说明。")
    return value.strip()


def visit_from_answers(answered: Answered, programmes: set[str], answered_on: dt.date, age: int,
                       readings: Mapping[str, float]) -> FollowUpVisit:
    """The visit `classify` reads: the resident's answers and readings; complications and
    medication changes are the doctor's to add at review."""
    return FollowUpVisit(
        visited_on=answered_on, age=age, readings=dict(readings), symptoms=answered.symptoms,
        programmes={p: ProgrammeFindings(adverse_reactions=answered.adverse_reactions)
                    for p in sorted(programmes)})


@cache
def questionnaire(path: Path = QUESTIONNAIRE_FILE) -> Questionnaire:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        questions = []
        for entry in data["questions"]:
            if entry["kind"] not in KINDS:
                raise RulesError(f"{path.name}: questions.{entry['id']}: unknown kind")
            if entry["kind"] == "number" and not entry["min"] <= entry["max"]:
                raise RulesError(f"{path.name}: questions.{entry['id']}: min > max")
            if entry["kind"] == "choice" and not entry.get("options"):
                raise RulesError(f"{path.name}: questions.{entry['id']}: no options")
            questions.append(Question(
                id=entry["id"], text=entry["text"], kind=entry["kind"],
                options=dict(entry.get("options") or {}),
                programmes=tuple(entry.get("programmes", ())),
                required=bool(entry.get("required", False)), minimum=entry.get("min"),
                maximum=entry.get("max"), max_length=int(entry.get("max_length", 0))))
        if "adherence" not in {q.id for q in questions}:
            raise RulesError(f"{path.name}: questions: adherence is required by the form")
        return Questionnaire(str(data["edition"]), data["effective"], str(data["source"]),
                             int(data["readings_within_days"]),
                             {"title": str(data["submitted"]["title"]),
                              "text": str(data["submitted"]["text"])}, tuple(questions))
    except (KeyError, TypeError) as error:
        raise RulesError(f"{path.name}: missing or malformed {error}") from error
