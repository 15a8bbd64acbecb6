"""The assistant's red-flag rules on every answer of a follow-up call, as on typed text: each
utterance is read by a fresh triage dialogue about the resident (age, sex), and an emergency it
raises (or a possible one, which nothing may lower) ends the call's questions with the 120
advice. The call's own checks (the standard's 危急情况, stroke signs) run first regardless."""

from __future__ import annotations

from conversations.state import PatientContext
from followup.calls.dialogue import RedFlagCheck
from followup.calls.outcome import RedFlag

RAISING = ("emergency", "possible")  # "screen" asks a question first: not a call's business


def assistant_red_flags(age: int, sex: str) -> RedFlagCheck:
    from backend.services.conversations import assistant

    engine = assistant()
    patient = PatientContext(age_years=age, sex=sex)

    def check(text: str) -> RedFlag | None:
        state, _ = engine.start("triage", patient)
        hit = engine.reply(state, text).red_flag
        if hit is None or hit.level not in RAISING:
            return None
        return RedFlag(hit.rule_id, hit.name, tuple(hit.words) or (text,))

    return check
