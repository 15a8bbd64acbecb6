"""What one follow-up call said and found, for the backend to store and classify."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from followup.calls.intents import Reschedule
from followup.records import Decision


class CallStatus(StrEnum):
    """How the talk with the person who answered ended."""

    COMPLETED = "completed"  # identity confirmed, every question asked
    WRONG_PERSON = "wrong_person"
    IDENTITY_FAILED = "identity_failed"
    REFUSED = "refused"
    RESCHEDULED = "rescheduled"
    RED_FLAG = "red_flag"  # told to call 120; the doctor is alerted
    TRANSFERRED = "transferred"  # handed to a person at the resident's wish
    HUNG_UP = "hung_up"  # the resident ended the call before the questions were done
    NO_RESPONSE = "no_response"  # answered but nothing understandable was said


@dataclass(frozen=True)
class Callee:
    """Who the call is for. Only the name and birth year are checked on the phone, never the
    identity number."""

    name: str
    birth_year: int
    age: int
    programmes: frozenset[str]
    centre: str  # 东城社区卫生服务中心
    doctor: str  # how the resident knows their doctor: 李医生


@dataclass(frozen=True)
class Line:
    speaker: str  # caller | resident
    text: str


@dataclass(frozen=True)
class RedFlag:
    """A danger heard during the call, with the words or values that raised it."""

    rule: str
    name: str
    basis: tuple[str, ...]


@dataclass
class CallAnswers:
    """The record form's items as the resident answered them (None: not answered)."""

    readings: dict[str, float] = field(default_factory=dict)
    adherence: str | None = None  # regular | intermittent | none
    adverse_reactions: list[str] = field(default_factory=list)
    hypoglycaemia: str | None = None  # none | occasional | frequent
    symptoms: set[str] = field(default_factory=set)  # codes of the programme files
    unanswered: list[str] = field(default_factory=list)  # question ids
    notes: list[str] = field(default_factory=list)  # what the doctor should read in words


@dataclass(frozen=True)
class CallOutcome:
    status: CallStatus
    identity_confirmed: bool
    answers: CallAnswers
    red_flags: tuple[RedFlag, ...]
    emergencies: tuple[Decision, ...]  # the standard's 危急情况 found in the answers
    reschedule: Reschedule | None
    callback_requested: bool  # the resident asked for a person and none could take the call
    transcript: tuple[Line, ...]
