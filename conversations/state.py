"""What a conversation knows so far, as plain data that survives a JSON round trip.

A session may pause for a day (the patient leaves the mini-program) and resume in another web
process, so the whole dialogue state is serialisable and nothing lives only in memory.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MODES = ("triage", "pre_consultation")


@dataclass
class PatientContext:
    """Who the conversation is about (就诊人), as far as the rules need to know."""

    age_years: int
    sex: str  # "male" | "female"
    age_months: int | None = None  # total months, for infants
    pregnant: bool | None = None

    @property
    def months(self) -> int:
        return self.age_months if self.age_months is not None else self.age_years * 12

    @property
    def is_child(self) -> bool:
        return self.age_years <= 13

    @property
    def reproductive_age_woman(self) -> bool:
        return self.sex == "female" and 12 <= self.age_years <= 55


@dataclass
class Fact:
    """One filled slot: the value, the patient's own words, and the turn it came from."""

    key: str
    value: Any
    words: str
    turn: int
    source: str = "patient"  # patient | known | model
    uncertain: bool = False


@dataclass
class SymptomFact:
    concept: str
    present: bool
    words: str
    turn: int
    uncertain: bool = False
    source: str = "patient"  # patient (rule-extracted from their words) | model | known
    resolved: bool = False  # had it in this illness, gone now (烧退了)
    history: bool = False  # before this illness (小时候抽过风): past history, not a complaint


@dataclass
class RedFlagHit:
    rule_id: str
    name: str
    advice: str
    words: list[str]
    turn: int
    level: str = "emergency"  # emergency | screen (ask first) | possible (a model's reading)


@dataclass
class Recommendation:
    code: str
    name: str
    confidence: float
    reason: str


@dataclass
class Message:
    role: str  # patient | assistant
    text: str
    turn: int
    # Spans (start, end) of the normalised text that told an allergy's past reaction in answer to
    # the allergy question (头孢吃了拉肚子): history for the red flags, not what happens now.
    allergy_told: list[list[int]] = field(default_factory=list)


@dataclass
class DialogueState:
    mode: str
    patient: PatientContext
    stage: str = "chief_complaint"
    turn: int = 0
    complaint: str | None = None
    current: str | None = None  # question key awaiting an answer
    asked: list[str] = field(default_factory=list)
    facts: dict[str, Fact] = field(default_factory=dict)
    symptoms: dict[str, SymptomFact] = field(default_factory=dict)
    diseases: dict[str, SymptomFact] = field(default_factory=dict)  # named diseases and findings
    sites: dict[str, str] = field(default_factory=dict)  # body sites the patient named -> words
    last_site: str | None = None  # the site last spoken of: 不肿 said alone is of it
    known: dict[str, Fact] = field(default_factory=dict)  # offered for confirmation
    red_flag: RedFlagHit | None = None
    triage: list[Recommendation] = field(default_factory=list)
    triage_uncertain: bool = False
    unclear: int = 0
    confirming: str | None = None  # a known fact being offered for confirmation
    retries: dict[str, int] = field(default_factory=dict)  # question key -> times left unanswered
    screened: list[str] = field(default_factory=list)  # screening rules already asked
    screening: RedFlagHit | None = None  # a screening question awaiting its answer
    transcript: list[Message] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.stage in {"emergency", "done", "triage_result"}

    def positive_symptoms(self) -> list[str]:
        """Symptoms of this illness, present or resolved (history of earlier illness left out)."""
        return [c for c, s in self.symptoms.items() if s.present and not s.history]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DialogueState:
        data = dict(data)
        data["patient"] = PatientContext(**data["patient"])
        data["facts"] = {k: Fact(**v) for k, v in data.get("facts", {}).items()}
        data["known"] = {k: Fact(**v) for k, v in data.get("known", {}).items()}
        data["symptoms"] = {k: SymptomFact(**v) for k, v in data.get("symptoms", {}).items()}
        data["diseases"] = {k: SymptomFact(**v) for k, v in data.get("diseases", {}).items()}
        data["red_flag"] = RedFlagHit(**data["red_flag"]) if data.get("red_flag") else None
        data["screening"] = RedFlagHit(**data["screening"]) if data.get("screening") else None
        data["triage"] = [Recommendation(**r) for r in data.get("triage", [])]
        data["transcript"] = [Message(**m) for m in data.get("transcript", [])]
        return cls(**data)
