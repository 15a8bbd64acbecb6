"""The caller's words and questions (`data/call_script.yaml`), checked against the follow-up
rules so every symptom code it listens for is one the standard lists."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from followup.calls.intents import Expect
from followup.rules import FollowUpRules, default_rules

DATA_DIR = Path(__file__).parent / "data"
PROMPTS = ("greeting", "ask_birth_year", "birth_year_again", "identity_failed", "wrong_person",
           "repeat", "refused", "rescheduled", "reschedule_unspecified", "ask_person_transfer",
           "ask_person_callback", "red_flag", "red_flag_transfer", "red_flag_goodbye", "closing",
           "goodbye", "voicemail")
ANSWER_KINDS = ("blood_pressure", "glucose", "adherence", "side_effects", "hypoglycaemia",
                "symptoms")


class ScriptError(ValueError):
    """The script file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Question:
    id: str
    programmes: frozenset[str]
    expect: str  # one of ANSWER_KINDS
    ask: str
    follow_up: str | None = None  # asked when half an answer came (the low blood pressure)

    @property
    def expects(self) -> Expect:
        return {"blood_pressure": Expect.BLOOD_PRESSURE, "glucose": Expect.GLUCOSE,
                "adherence": Expect.ADHERENCE}.get(self.expect, Expect.FREE)


@dataclass(frozen=True)
class CallScript:
    source: str
    prompts: dict[str, str]
    questions: tuple[Question, ...]
    symptom_words: dict[str, tuple[str, ...]]
    emergency_words: dict[str, tuple[str, ...]]
    emergency_source: str
    side_effect_words: tuple[str, ...]

    def questions_for(self, programmes: frozenset[str]) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.programmes & programmes)


def parse_script(data: dict, rules: FollowUpRules | None = None) -> CallScript:
    rules = rules or default_rules()
    try:
        prompts = {name: str(data["prompts"][name]) for name in PROMPTS}
        questions = []
        for i, entry in enumerate(data["questions"]):
            where = f"questions[{i}]"
            programmes = frozenset(entry["programmes"])
            unknown = programmes - set(rules.programmes)
            if unknown:
                raise ScriptError(f"{where}: unknown programmes {sorted(unknown)}")
            if entry["expect"] not in ANSWER_KINDS:
                raise ScriptError(f"{where}: expect must be one of {', '.join(ANSWER_KINDS)}")
            questions.append(Question(str(entry["id"]), programmes, entry["expect"],
                                      str(entry["ask"]), entry.get("ask_missing_diastolic")))
        known = {code for p in rules.programmes.values() for code in p.symptoms}
        symptom_words = {code: tuple(words) for code, words in data["symptom_words"].items()}
        stray = set(symptom_words) - known
        if stray:
            raise ScriptError(f"symptom_words: codes not in the programme files {sorted(stray)}")
        return CallScript(
            source=str(data["source"]), prompts=prompts, questions=tuple(questions),
            symptom_words=symptom_words,
            emergency_words={k: tuple(v) for k, v in data["emergency_words"].items()},
            emergency_source=str(data["emergency_source"]),
            side_effect_words=tuple(data["side_effect_words"]))
    except KeyError as exc:
        raise ScriptError(f"call script: missing {exc.args[0]!r}") from exc


def load_script(path: Path = DATA_DIR / "call_script.yaml") -> CallScript:
    return parse_script(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def default_script() -> CallScript:
    return load_script()
