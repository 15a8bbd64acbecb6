"""The follow-up call as a conversation, at the level of text: the caller says something, the
resident answers, the caller decides what to say next (`CallDialogue`).

It knows nothing of telephones or audio, so the same dialogue runs over FreeSWITCH (our own
speech engines), over a cloud call centre (theirs) and in tests. Safety first on every answer:
a danger (the standard's 危急情况 in a reading or symptom, or an emergency in the resident's
words) ends the questions with the advice to call 120, a transfer where one is configured and
an alert for the family doctor. No health detail is said before the name and birth year match.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from followup.calls.intents import Expect, Intent, IntentKind, recognise
from followup.calls.outcome import (
    CallAnswers,
    Callee,
    CallOutcome,
    CallStatus,
    Line,
    RedFlag,
)
from followup.calls.script import CallScript, Question, default_script
from followup.classify import find_emergencies
from followup.rules import FollowUpRules, default_rules

MAX_REPEATS = 1  # an unclear answer is asked once more, then recorded as not answered
_DENIAL = re.compile(r"(?:不|没有?|沒|无|未|别)[^，,。；;、]{0,2}$")
_OFTEN = re.compile(r"经常|总是|老是|天天|好几次")

RedFlagCheck = Callable[[str], RedFlag | None]


@dataclass(frozen=True)
class Turn:
    """What the caller does next: say `say`, then listen for an answer unless it transfers or
    hangs up."""

    say: str
    listen: bool = True
    transfer: bool = False
    hang_up: bool = False


class CallDialogue:
    """One call's conversation. `start()` gives the greeting; `hear(text)` each answer's reply;
    `outcome()` what was found once `finished`."""

    def __init__(self, callee: Callee, *, transfer_available: bool = False,
                 red_flag_check: RedFlagCheck | None = None, script: CallScript | None = None,
                 rules: FollowUpRules | None = None, today: dt.date | None = None) -> None:
        self.callee = callee
        self.script = script or default_script()
        self.rules = rules or default_rules()
        self.transfer_available = transfer_available
        self.red_flag_check = red_flag_check
        self.this_year = (today or dt.date.today()).year
        self.questions = self.script.questions_for(callee.programmes)
        self.answers = CallAnswers()
        self.transcript: list[Line] = []
        self.red_flags: list[RedFlag] = []
        self.status: CallStatus | None = None
        self.identity_confirmed = False
        self.reschedule = None
        self.callback_requested = False
        self._stage = "identity"
        self._question = 0
        self._repeats = 0
        self._asking = ""
        self._expect = Expect.YES_NO

    @property
    def finished(self) -> bool:
        return self.status is not None

    def start(self) -> Turn:
        return self._ask(self._prompt("greeting"), Expect.YES_NO)

    def hear(self, text: str) -> Turn:
        """The resident's answer (empty for silence) → the caller's next turn."""
        if self.finished:
            raise RuntimeError("the call is over")
        text = (text or "").strip()
        if text:
            self.transcript.append(Line("resident", text))
        danger = self._danger(text)
        if danger is not None:
            return danger
        intent = recognise(text, self._expect, this_year=self.this_year)
        ended = self._control(intent)
        if ended is not None:
            return ended
        if self._stage == "identity":
            return self._identity(intent)
        if self._stage == "birth_year":
            return self._birth_year(intent)
        return self._answer(intent, text)

    def voicemail_message(self) -> str:
        """What an answering machine is told: the centre and a request to call back, never
        the resident's name or anything about their health."""
        return self._prompt("voicemail")

    def hung_up(self) -> None:
        """The resident put the phone down."""
        if not self.finished:
            self.status = CallStatus.HUNG_UP

    def outcome(self) -> CallOutcome:
        return CallOutcome(
            status=self.status or CallStatus.HUNG_UP, identity_confirmed=self.identity_confirmed,
            answers=self.answers, red_flags=tuple(self.red_flags),
            emergencies=self._emergencies(), reschedule=self.reschedule,
            callback_requested=self.callback_requested, transcript=tuple(self.transcript))

    # --- the stages ---------------------------------------------------------------------

    def _identity(self, intent: Intent) -> Turn:
        if intent.kind is IntentKind.YES:
            self._stage = "birth_year"
            return self._ask(self._prompt("ask_birth_year"), Expect.YEAR)
        if intent.kind is IntentKind.NO:
            return self._end(CallStatus.WRONG_PERSON, "wrong_person")
        return self._unclear(CallStatus.NO_RESPONSE)

    def _birth_year(self, intent: Intent) -> Turn:
        if intent.kind is IntentKind.YEAR and intent.value == self.callee.birth_year:
            self.identity_confirmed = True
            self._stage = "questions"
            return self._next_question()
        if self._repeats < MAX_REPEATS:
            self._repeats += 1
            return self._ask(self._prompt("birth_year_again"), Expect.YEAR)
        return self._end(CallStatus.IDENTITY_FAILED, "identity_failed")

    def _answer(self, intent: Intent, text: str) -> Turn:
        question = self.questions[self._question]
        taken = _TAKERS[question.expect](self, question, intent, text)
        if taken is None:
            if self._repeats < MAX_REPEATS:
                self._repeats += 1
                return self._ask(self._prompt("repeat", question=self._asking), self._expect)
            self.answers.unanswered.append(question.id)
        elif isinstance(taken, Turn):
            return taken
        danger = self._reading_danger()
        if danger is not None:
            return danger
        self._question += 1
        return self._next_question()

    def _next_question(self) -> Turn:
        self._repeats = 0
        if self._question >= len(self.questions):
            return self._end(CallStatus.COMPLETED, "closing")
        question = self.questions[self._question]
        return self._ask(question.ask, question.expects)

    # --- answers to each kind of question (None: not understood) --------------------------

    def _blood_pressure(self, question: Question, intent: Intent, text: str):
        if intent.kind in (IntentKind.NOT_MEASURED, IntentKind.NO):
            self.answers.notes.append("今日未测血压")
            return True
        if intent.kind is not IntentKind.BLOOD_PRESSURE:
            return None
        systolic, diastolic = intent.value
        if systolic is not None:
            self.answers.readings["systolic"] = systolic
        if diastolic is not None:
            self.answers.readings["diastolic"] = diastolic
        if "systolic" in self.answers.readings and "diastolic" not in self.answers.readings:
            if self._reading_danger() is None and self._expect is not Expect.DIASTOLIC:
                return self._ask(question.follow_up or question.ask, Expect.DIASTOLIC)
        return True

    def _glucose(self, question: Question, intent: Intent, text: str):
        if intent.kind in (IntentKind.NOT_MEASURED, IntentKind.NO):
            self.answers.notes.append("近期未测空腹血糖")
            return True
        if intent.kind is not IntentKind.GLUCOSE:
            return None
        self.answers.readings["fasting_glucose"] = intent.value
        return True

    def _adherence(self, question: Question, intent: Intent, text: str):
        if intent.kind is not IntentKind.ADHERENCE:
            return None
        self.answers.adherence = intent.value
        return True

    def _side_effects(self, question: Question, intent: Intent, text: str):
        words = [w for w in self.script.side_effect_words if _said(text, w)]
        if words:
            self.answers.adverse_reactions.extend(words)
            return True
        if intent.kind is IntentKind.NO:
            return True
        if intent.kind is IntentKind.YES:
            self.answers.adverse_reactions.append(text)
            return True
        return None

    def _hypoglycaemia(self, question: Question, intent: Intent, text: str):
        if _OFTEN.search(text) or intent.kind is IntentKind.YES:
            self.answers.hypoglycaemia = "frequent" if _OFTEN.search(text) else "occasional"
        elif intent.kind is IntentKind.NO:
            self.answers.hypoglycaemia = "none"
        else:
            return None
        return True

    def _symptoms(self, question: Question, intent: Intent, text: str):
        found = self._symptom_codes(text)
        if found:
            self.answers.symptoms |= found
            return True
        if intent.kind is IntentKind.NO:
            return True
        if intent.kind is IntentKind.YES:
            self.answers.notes.append(f"诉有不适：{text}")
            return True
        return None

    # --- safety -------------------------------------------------------------------------

    def _danger(self, text: str) -> Turn | None:
        """An emergency in the words just said, whoever is speaking and whatever was asked."""
        if not text:
            return None
        for rule, words in self.script.emergency_words.items():
            hits = tuple(w for w in words if _said(text, w))
            if hits:
                return self._red_flag(RedFlag(rule, "急症表现", hits))
        symptoms = self._symptom_codes(text)
        for programme in self._programmes():
            for decision in find_emergencies(programme, {}, frozenset(symptoms), frozenset()):
                self.answers.symptoms |= symptoms
                return self._red_flag(RedFlag(decision.rule, decision.says, decision.basis))
        if self.red_flag_check is not None:
            flag = self.red_flag_check(text)
            if flag is not None:
                return self._red_flag(flag)
        return None

    def _reading_danger(self) -> Turn | None:
        for decision in self._emergencies():
            return self._red_flag(RedFlag(decision.rule, decision.says, decision.basis))
        return None

    def _emergencies(self):
        found = []
        for programme in self._programmes():
            for decision in find_emergencies(programme, self.answers.readings,
                                             frozenset(self.answers.symptoms), frozenset()):
                if decision not in found:
                    found.append(decision)
        return tuple(found)

    def _red_flag(self, flag: RedFlag) -> Turn:
        self.red_flags.append(flag)
        self.status = CallStatus.RED_FLAG
        advice = self._prompt("red_flag")
        if self.transfer_available:
            return self._say(advice + self._prompt("red_flag_transfer"), transfer=True)
        return self._say(advice + self._prompt("red_flag_goodbye"), hang_up=True)

    # --- the resident steering the call -----------------------------------------------------

    def _control(self, intent: Intent) -> Turn | None:
        kind = intent.kind
        if kind is IntentKind.WRONG_PERSON:
            return self._end(CallStatus.WRONG_PERSON, "wrong_person")
        if kind is IntentKind.REFUSE:
            return self._end(CallStatus.REFUSED, "refused")
        if kind is IntentKind.RESCHEDULE:
            self.reschedule = intent.value
            return self._end(CallStatus.RESCHEDULED, "rescheduled",
                             when=_when_words(intent.value))
        if kind is IntentKind.HANG_UP:
            return self._end(CallStatus.HUNG_UP, "goodbye")
        if kind is IntentKind.ASK_PERSON:
            if self.transfer_available:
                self.status = CallStatus.TRANSFERRED
                return self._say(self._prompt("ask_person_transfer"), transfer=True)
            self.callback_requested = True
            return self._ask(self._prompt("ask_person_callback") + self._asking_again(),
                             self._expect)
        if kind is IntentKind.SILENCE:
            return self._unclear(CallStatus.NO_RESPONSE if not self.identity_confirmed
                                 else None)
        return None

    def _unclear(self, status_when_given_up: CallStatus | None) -> Turn:
        if self._repeats < MAX_REPEATS:
            self._repeats += 1
            return self._ask(self._prompt("repeat", question=self._asking), self._expect)
        if status_when_given_up is not None or self._stage != "questions":
            return self._end(status_when_given_up or CallStatus.NO_RESPONSE, "goodbye")
        self.answers.unanswered.append(self.questions[self._question].id)
        self._question += 1
        return self._next_question()

    def _asking_again(self) -> str:
        return "" if self._stage == "identity" else self._asking

    # --- speaking -----------------------------------------------------------------------

    def _programmes(self):
        return [self.rules.programme(p) for p in sorted(self.callee.programmes)]

    def _symptom_codes(self, text: str) -> set[str]:
        known = {code for p in self._programmes() for code in p.symptoms}
        return {code for code, words in self.script.symptom_words.items()
                if code in known and any(_said(text, w) for w in words)}

    def _prompt(self, name: str, **extra: str) -> str:
        values = {"name": self.callee.name, "centre": self.callee.centre,
                  "doctor": self.callee.doctor, "when": "", "question": ""} | extra
        return self.script.prompts[name].format(**values)

    def _ask(self, text: str, expect: Expect) -> Turn:
        self._asking, self._expect = text, expect
        return self._say(text)

    def _say(self, text: str, *, transfer: bool = False, hang_up: bool = False) -> Turn:
        self.transcript.append(Line("caller", text))
        return Turn(text, listen=not (transfer or hang_up), transfer=transfer, hang_up=hang_up)

    def _end(self, status: CallStatus, prompt: str, **extra: str) -> Turn:
        self.status = status
        return self._say(self._prompt(prompt, **extra), hang_up=True)


def _said(text: str, word: str) -> bool:
    """`word` was said and not denied just before it in the same clause (没有胸闷)."""
    start = text.find(word)
    while start >= 0:
        if not _DENIAL.search(text[max(0, start - 3):start]):
            return True
        start = text.find(word, start + 1)
    return False


_DAY_WORDS = {0: "今天", 1: "明天", 2: "后天", 3: "过几天", 7: "下周"}
_PERIOD_WORDS = {"morning": "上午", "noon": "下午", "afternoon": "下午", "evening": "晚上"}


def _when_words(reschedule) -> str:
    if reschedule is None or (reschedule.day_offset is None and reschedule.period is None):
        return "晚些时候"
    day = _DAY_WORDS.get(reschedule.day_offset, "") if reschedule.day_offset is not None else ""
    return day + _PERIOD_WORDS.get(reschedule.period or "", "")


_TAKERS = {"blood_pressure": CallDialogue._blood_pressure, "glucose": CallDialogue._glucose,
           "adherence": CallDialogue._adherence, "side_effects": CallDialogue._side_effects,
           "hypoglycaemia": CallDialogue._hypoglycaemia, "symptoms": CallDialogue._symptoms}
