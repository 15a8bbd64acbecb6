"""Scripted patients: play a list of utterances through the assistant and report the outcome.

The same format feeds the test corpus, the accuracy benchmark and `frontdoor converse`, which a
hospital runs to check its own question sets and department map before going live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.dialogue import Assistant
from conversations.evaluation import check
from conversations.state import MODES, DialogueState, PatientContext
from conversations.triage import TriageResult


class ScriptError(ValueError):
    """A scripted patient is malformed; the message names the patient and the field."""


@dataclass(frozen=True)
class ScriptedPatient:
    id: str
    age: int
    sex: str
    utterances: tuple[str, ...]
    mode: str = "pre_consultation"
    hospital: str | None = None
    pregnant: bool | None = None
    age_months: int | None = None
    expect: dict[str, Any] | None = None

    @classmethod
    def parse(cls, data: dict[str, Any], index: int) -> ScriptedPatient:
        where = f"patient {data.get('id', index)!r}"
        try:
            patient = cls(id=str(data.get("id", index)), age=int(data["age"]),
                          sex=str(data["sex"]), utterances=tuple(map(str, data["utterances"])),
                          mode=str(data.get("mode", "pre_consultation")),
                          hospital=data.get("hospital"), pregnant=data.get("pregnant"),
                          age_months=data.get("age_months"), expect=data.get("expect"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ScriptError(f"{where}: needs age, sex and utterances ({exc})") from exc
        if patient.sex not in {"male", "female"}:
            raise ScriptError(f"{where}: sex must be male or female")
        if patient.mode not in MODES:
            raise ScriptError(f"{where}: mode must be one of {MODES}")
        if not 0 <= patient.age <= 120 or not patient.utterances:
            raise ScriptError(f"{where}: age 0–120 and at least one utterance")
        if patient.age < 2 and patient.age_months is None:
            raise ScriptError(f"{where}: give age_months for a child under 2")
        return patient

    def context(self) -> PatientContext:
        return PatientContext(age_years=self.age, sex=self.sex, age_months=self.age_months,
                              pregnant=self.pregnant)


def play(assistant: Assistant, patient: ScriptedPatient,
         departments: dict[str, str] | None = None) -> tuple[DialogueState, dict[str, Any]]:
    """Run every utterance (stopping early if the conversation ends) and summarise."""
    state, _ = assistant.start(patient.mode, patient.context())
    for utterance in patient.utterances:
        if state.finished and not (state.red_flag and state.red_flag.level == "possible"):
            break  # a possible emergency keeps listening: a rule may still confirm it
        assistant.reply(state, utterance, departments)
    return state, outcome(assistant, patient, state, departments)


def outcome(assistant: Assistant, patient: ScriptedPatient, state: DialogueState,
            departments: dict[str, str] | None) -> dict[str, Any]:
    triage = assistant.triage(state, departments)
    result = _summary(assistant, patient, state, triage)
    if patient.expect is not None:
        failures = check(patient.expect, result)
        result["check"] = {"passed": not failures, "failures": failures}
    return result


def _summary(assistant: Assistant, patient: ScriptedPatient, state: DialogueState,
             triage: TriageResult) -> dict[str, Any]:
    note = assistant.note(state)
    flag = state.red_flag
    return {
        "id": patient.id,
        "stage": state.stage,
        "turns": state.turn,
        "triage": [{"code": r.code, "name": r.name, "confidence": r.confidence,
                    "reason": r.reason} for r in triage.recommendations],
        "triage_uncertain": triage.uncertain,
        "screened": list(state.screened),
        "red_flag": ({"rule": flag.rule_id, "name": flag.name, "words": flag.words}
                     if flag else None),
        "slots": {slot.key: slot.value for slot in note.slots},
        "symptoms": {concept: s.present for concept, s in state.symptoms.items()},
        "narrative": note.narrative,
    }
