"""What `understand` returns: each term found with the context of its clause (`Mention`), the
length of the illness (`Duration`) and the whole reading of one utterance (`Understanding`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    """One lexicon concept in the utterance, with the context that changes what it means."""

    kind: str
    concept: str
    text: str
    negated: bool
    uncertain: bool
    allergy: bool
    history: bool
    family: bool
    start: int
    end: int
    resolved: bool = False  # was there and is gone (不咳了, 烧退了)
    hypothetical: bool = False  # asked or worried about, not said to be there (会不会是…)
    other_person: bool = False  # about a neighbour or a colleague, not the patient
    reaction: bool = False  # the reaction of an allergy, not a current symptom
    relative: str | None = None  # 母亲 in 我妈有高血压 (family history)
    relative_of: str = ""  # whose relative: typist (我妈), patient (她妈), spouse, '' (alone)


@dataclass(frozen=True)
class Duration:
    """How long the complaint has lasted; `approximate` keeps 两三天 apart from 3天 in the note."""

    days: float
    text: str
    approximate: bool
    of: str | None = None  # the symptom it was said of (烧了两天 → fever), when one was
    onset: bool = False  # said as when it began (前天开始的), not when it is worse (早上起来)


@dataclass(frozen=True)
class Understanding:
    """Everything read from one utterance; the dialogue, not this module, decides what to ask."""

    text: str
    mentions: tuple[Mention, ...]
    duration: Duration | None
    severity: int | None
    temperature: float | None
    times_per_day: int | None
    habits: dict[str, str]
    pregnant: bool | None
    uncertain: bool
    skip: bool
    back: bool
    correction: bool
    deny: bool
    affirm: bool
    no_known_allergy: bool = False  # 没有过敏 / 无药物过敏, and no allergy named in the answer
    # 尘螨, 猫毛 named with no allergy word: an allergy only in answer to the allergy question
    allergens: tuple[Mention, ...] = ()
    intensity: str | None = None  # 疼得受不了: the patient's words when no score was given
    since: Duration | None = None  # 昨天 / 前天: when it began, said without a length
    for_relative: bool = False  # 我妈头晕: a relative's symptoms, told by someone else (代述)
    # 不肿 / 又红又烫 with no site in the utterance: (kind, word, negated), placed by the dialogue
    unplaced_feelings: tuple[tuple[str, str, bool], ...] = ()
    sites: tuple[str, ...] = ()  # body sites named or inside a symptom's words, in order
