"""The assistant's medical knowledge, loaded from the data files in `conversations/data/`.

Formats are described in `data/README.md`. Loading validates every file, so a hospital editing a
question set finds its mistake at start-up (or in `frontdoor converse`), not in a patient's chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from conversations import occupations

DATA_DIR = Path(__file__).resolve().parent / "data"
LEXICON_KINDS = ("symptoms", "body_sites", "characters", "chronic_diseases", "operations",
                 "infectious_diseases", "drugs", "foods", "other_allergens", "diseases")
PRESENT_ILLNESS_SLOTS = ("onset", "site", "character", "severity", "timing", "aggravating",
                         "relieving", "associated", "treatment", "medications", "course")
HISTORY_SECTIONS = ("past", "personal", "family", "allergy", "obstetric", "paediatric")
POPULATIONS = ("any", "child", "adult", "female")
# What a patient asks for rather than feels (想做康复, 看中医, 建档): a reason to come, which names
# the department, but no symptom of the illness in the note.
REQUESTS = frozenset({"rehab_request", "tcm_request", "antenatal_booking",
                      "vaccination_request"})


class KnowledgeError(ValueError):
    """A data file does not follow its format; the message names the file and the entry."""


@dataclass(frozen=True)
class Concept:
    kind: str
    id: str
    name: str
    terms: tuple[str, ...]
    departments: dict[str, int] = field(default_factory=dict)
    site: str | None = None
    drug_class: str | None = None
    code: str | None = None  # ICD-10 code of a disease or finding


@dataclass(frozen=True)
class Lexicon:
    source: str
    concepts: dict[str, dict[str, Concept]]  # kind -> id -> concept
    site_pain: dict[str, str] = field(default_factory=dict)  # body site -> its pain symptom
    short_forms: dict[str, str] = field(default_factory=dict)  # 痰 -> sputum, after a negator
    allergy_reactions: dict[str, str] = field(default_factory=dict)  # symptom -> 过敏史 wording
    allergy_reaction_words: dict[str, str] = field(default_factory=dict)  # 肿了一大块 (regex) -> …
    site_feelings: dict[str, str] = field(default_factory=dict)  # 麻 -> numbness, after a site
    site_swelling: dict[str, str] = field(default_factory=dict)  # knee -> joint_swelling
    site_lump: dict[str, str] = field(default_factory=dict)  # neck -> neck_lump
    site_tightness: dict[str, str] = field(default_factory=dict)  # chest -> chest_tightness
    site_redness: dict[str, str] = field(default_factory=dict)  # eye -> red_eye
    complaint_pain: dict[str, str] = field(default_factory=dict)  # 不疼, of urinary_frequency
    complaint_bleeding: dict[str, str] = field(default_factory=dict)  # 没见血, of the same
    site_foreign_body: dict[str, str] = field(default_factory=dict)  # ear -> foreign_body_ear
    normal_function: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 大小便 -> denied
    lesion_words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 结石 -> (石头, …)
    impaired_function: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 听力差 -> …

    def get(self, kind: str, concept_id: str) -> Concept:
        return self.concepts[kind][concept_id]

    def name(self, kind: str, concept_id: str) -> str:
        if not isinstance(concept_id, str):
            return str(concept_id)  # a malformed stored slot still reads as text
        concept = self.concepts.get(kind, {}).get(concept_id)
        return concept.name if concept else concept_id


@dataclass(frozen=True)
class Question:
    key: str  # "<section>.<slot>", e.g. "present_illness.onset", "allergy.drugs"
    ask: str
    options: tuple[str, ...] = ()
    multi: bool = False
    hint: str | None = None


@dataclass(frozen=True)
class TriageRule:
    slot: str
    contains: tuple[str, ...]
    add: dict[str, int]
    reason: str


@dataclass(frozen=True)
class Complaint:
    id: str
    name: str
    symptoms: tuple[str, ...]
    source: str
    population: str
    questions: tuple[Question, ...]
    triage: tuple[TriageRule, ...]


@dataclass(frozen=True)
class RedFlagRule:
    id: str
    name: str
    advice: str
    all_of: tuple[tuple[str, ...], ...]
    any_of: tuple[str, ...]
    when: dict[str, Any]
    level: str = "emergency"  # emergency: stop now | screen: ask `screen` first
    screen: str | None = None  # the screening question (a published item, named in the file)
    escalate: str | None = None  # the emergency rule a "yes" to the screening question raises
    unless: tuple[str, ...] = ()  # a benign explanation said with it (压着睡麻了) holds it back


@dataclass(frozen=True)
class DepartmentRules:
    source: str
    departments: dict[str, dict[str, str]]
    fallback: str
    paediatric_max_age: int
    paediatric_redirect: dict[str, str]
    pregnancy_redirect: dict[str, str]
    sex_limits: dict[str, str | None]


@dataclass(frozen=True)
class Knowledge:
    lexicon: Lexicon
    complaints: dict[str, Complaint]
    history: dict[str, tuple[Question, ...]]  # section -> questions
    red_flags: tuple[RedFlagRule, ...]
    departments: DepartmentRules
    history_source: str
    red_flag_source: str
    cues: dict[str, re.Pattern[str]] = field(default_factory=dict)  # slot key -> clause cue
    labels: dict[str, str] = field(default_factory=dict)  # slot key -> 病历 label
    occupations: tuple[occupations.Job, ...] = ()  # 病历 word, how it is said, broad

    def occupation(self, said: str) -> str:
        """送快递的 → 快递员: the 病历's word for a job (see `occupations.name_of`)."""
        return occupations.name_of(self.occupations, said)

    def label(self, key: str) -> str:
        """The 病历 label of a slot; an unknown extra slot shows its last word, never a key."""
        short = key.removeprefix("present_illness.")
        return self.labels.get(key) or self.labels.get(short) or "其他"


# libyaml's safe loader when PyYAML was built with it: the same data, about five times faster,
# which keeps the first conversation of a worker quick now the lexicon runs to ~60 files.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or not str(data.get("source", "")).strip():
        raise KnowledgeError(f"{path.name}: must be a mapping that names its `source`")
    return data


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise KnowledgeError(f"{where}: {message}")


def _lexicon(files: list[tuple[str, dict[str, Any]]]) -> Lexicon:
    """One lexicon from `lexicon.yaml` and the files of `lexicon/`: a term belongs to one
    concept per kind across all of them, and a concept id is defined once."""
    concepts: dict[str, dict[str, Concept]] = {kind: {} for kind in LEXICON_KINDS}
    owners: dict[str, dict[str, str]] = {kind: {} for kind in LEXICON_KINDS}
    tables: dict[str, dict[str, str]] = {"site_pain": {}, "short_forms": {},
                                         "allergy_reactions": {}, "allergy_reaction_words": {},
                                         "site_feelings": {},
                                         "site_swelling": {}, "site_lump": {},
                                         "site_tightness": {}, "site_foreign_body": {},
                                         "site_redness": {}, "complaint_pain": {},
                                         "complaint_bleeding": {}}
    normal: dict[str, tuple[str, ...]] = {}
    lesions: dict[str, tuple[str, ...]] = {}
    impaired: dict[str, tuple[str, ...]] = {}
    for where, data in files:
        unknown = set(data) - {*LEXICON_KINDS, *tables, "normal_function", "lesion_words",
                               "impaired_function", "source"}
        _require(not unknown, where, f"unknown sections {sorted(unknown)}")
        for table, entries in tables.items():
            entries.update({str(k): str(v) for k, v in (data.get(table) or {}).items()})
        normal.update({str(k): tuple(map(str, v)) for k, v in
                       (data.get("normal_function") or {}).items()})
        impaired.update({str(k): tuple(map(str, v)) for k, v in
                         (data.get("impaired_function") or {}).items()})
        lesions.update({str(k): tuple(map(str, v or ())) for k, v in
                        (data.get("lesion_words") or {}).items()})
        for kind in LEXICON_KINDS:
            for concept_id, entry in (data.get(kind) or {}).items():
                at = f"{where} {kind}.{concept_id}"
                _require(concept_id not in concepts[kind], at, "defined twice")
                concepts[kind][concept_id] = _concept(kind, concept_id, entry, owners[kind], at)
    for table, entries in tables.items():
        for key, symptom in entries.items() if not table.startswith("allergy_") else ():
            _require(symptom in concepts["symptoms"], f"lexicon {table}.{key}",
                     f"unknown symptom {symptom!r}")
    _require(set(tables["site_pain"]) <= set(concepts["body_sites"]), "lexicon site_pain",
             "keys must be body sites")
    _require(set(tables["allergy_reactions"]) <= set(concepts["symptoms"]),
             "lexicon allergy_reactions", "keys must be symptoms")
    for subject, denied in [*normal.items(), *impaired.items(),
                            *((w, ()) for w in tables["allergy_reaction_words"])]:
        _require(all(d in concepts["symptoms"] for d in denied), f"lexicon normal_function "
                 f"{subject}", "values must be symptoms")
        try:
            re.compile(subject)
        except re.error as exc:
            raise KnowledgeError(f"lexicon {subject}: bad regex: {exc}") from exc
    sources = "; ".join(str(data["source"]) for _where, data in files)
    return Lexicon(source=sources, concepts=concepts, normal_function=normal,
                   lesion_words=lesions, impaired_function=impaired, **tables)


def _concept(kind: str, concept_id: str, entry: dict[str, Any], owner: dict[str, str],
             at: str) -> Concept:
    _require(re.fullmatch(r"[a-z][a-z0-9_]*", concept_id) is not None, at, "ids are snake_case")
    terms = tuple(str(t) for t in entry.get("terms", ()))
    _require(bool(entry.get("name")) and bool(terms), at, "needs a name and terms")
    for term in terms:
        _require(owner.get(term, concept_id) == concept_id, at,
                 f"term {term!r} also belongs to {owner.get(term)}")
        owner[term] = concept_id
    _require(kind != "diseases" or bool(entry.get("icd10")), at, "a disease needs `icd10`")
    return Concept(
        kind=kind, id=concept_id, name=str(entry["name"]), terms=terms,
        departments={str(k): int(v) for k, v in (entry.get("departments") or {}).items()},
        site=entry.get("site"), drug_class=entry.get("class"), code=entry.get("icd10"))


def _lexicon_files(data_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    paths = [data_dir / "lexicon.yaml", *sorted((data_dir / "lexicon").glob("*.yaml"))]
    return [(path.relative_to(data_dir).as_posix(), _read(path)) for path in paths]


def _question(entry: dict[str, Any], section: str, at: str) -> Question:
    slot = str(entry.get("slot", ""))
    _require(bool(slot) and bool(entry.get("ask")), at, "a question needs `slot` and `ask`")
    if section == "present_illness":
        _require(slot in PRESENT_ILLNESS_SLOTS or slot.startswith("extra.") or slot == "duration",
                 at, f"unknown slot {slot!r}")
    return Question(key=f"{section}.{slot}", ask=str(entry["ask"]),
                    options=tuple(str(o) for o in entry.get("options", ())),
                    multi=bool(entry.get("multi", False)), hint=entry.get("hint"))


def _complaint(path: Path, lexicon: Lexicon) -> Complaint:
    data = _read(path)
    where = path.name
    _require(data.get("id") == path.stem, where, "`id` must equal the file name")
    symptoms = tuple(data.get("symptoms") or ())
    _require(bool(symptoms), where, "needs `symptoms`")
    for symptom in symptoms:
        _require(symptom in lexicon.concepts["symptoms"], where,
                 f"symptom {symptom!r} is not in the lexicon")
    population = data.get("population", "any")
    _require(population in POPULATIONS, where, f"population must be one of {POPULATIONS}")
    questions = tuple(_question(q, "present_illness", f"{where} question {i + 1}")
                      for i, q in enumerate(data.get("questions") or ()))
    _require(len(questions) >= 3, where, "needs at least three questions")
    rules = tuple(
        TriageRule(slot=str(rule["when"]["slot"]),
                   contains=tuple(str(c) for c in rule["when"]["contains"]),
                   add={str(k): int(v) for k, v in rule["add"].items()},
                   reason=str(rule["reason"]))
        for rule in data.get("triage") or ())
    return Complaint(id=path.stem, name=str(data["name"]), symptoms=symptoms,
                     source=str(data["source"]), population=population, questions=questions,
                     triage=rules)


_VOCAB_REF = re.compile(r"@([a-z_]+)")
_GAP = "[^不没无未否别]{"


def _expand(pattern: str, vocab: dict[str, str], at: str) -> str:
    """`@limb` in a rule's regex stands for the vocabulary entry `limb` (as a group)."""
    def one(match: re.Match[str]) -> str:
        _require(match[1] in vocab, at, f"unknown vocabulary @{match[1]}")
        return f"(?:{vocab[match[1]]})"
    # Between composed parts no negator may stand: 脖子不硬 is not 脖子…硬 (vocabulary included).
    return _VOCAB_REF.sub(one, pattern).replace(".{", _GAP)


def _red_flags(data: dict[str, Any], lexicon: Lexicon) -> tuple[RedFlagRule, ...]:
    vocab = {str(k): str(v) for k, v in (data.get("vocab") or {}).items()}
    rules = []
    for entry in data.get("rules") or ():
        at = f"red_flags.yaml {entry.get('id')}"
        all_of = tuple(tuple(_expand(str(i), vocab, at) for i in group)
                       for group in entry.get("all_of") or ())
        any_of = tuple(_expand(str(i), vocab, at) for i in entry.get("any_of") or ())
        unless = tuple(_expand(str(i), vocab, at) for i in entry.get("unless") or ())
        _require(bool(all_of) or bool(any_of), at, "needs `all_of` or `any_of`")
        _require(bool(entry.get("advice")), at, "needs `advice`")
        level = str(entry.get("level", "emergency"))
        _require(level in {"emergency", "screen"}, at, "level is emergency or screen")
        _require(level == "emergency" or bool(entry.get("screen")), at,
                 "a screening rule needs its `screen` question")
        found = {"symptom", "text"}
        unless_kinds = {"text", "settled"}  # settled: holds even when its message names a day
        for item, kinds in [(i, found) for group in all_of for i in group] + [
                (i, found) for i in any_of] + [(i, unless_kinds) for i in unless]:
            kind, _, value = str(item).partition(":")
            _require(kind in kinds, at, f"item {item!r} must be one of {sorted(kinds)}")
            if kind == "symptom":
                _require(value in lexicon.concepts["symptoms"], at, f"unknown symptom {value!r}")
            else:
                try:
                    re.compile(value)
                except re.error as exc:
                    raise KnowledgeError(f"{at}: bad regex {value!r}: {exc}") from exc
        rules.append(RedFlagRule(id=str(entry["id"]), name=str(entry["name"]),
                                 advice=str(entry["advice"]), all_of=all_of, any_of=any_of,
                                 when=dict(entry.get("when") or {}), level=level,
                                 screen=entry.get("screen"), escalate=entry.get("escalate"),
                                 unless=unless))
    ids = {rule.id for rule in rules}
    for rule in rules:
        _require(rule.escalate is None or rule.escalate in ids, f"red_flags.yaml {rule.id}",
                 f"escalates to unknown rule {rule.escalate!r}")
    return tuple(rules)


def _departments(data: dict[str, Any]) -> DepartmentRules:
    departments = {str(k): dict(v) for k, v in data["departments"].items()}
    rules = DepartmentRules(
        source=str(data["source"]), departments=departments, fallback=str(data["fallback"]),
        paediatric_max_age=int(data["paediatric_max_age"]),
        paediatric_redirect=dict(data.get("paediatric_redirect") or {}),
        pregnancy_redirect=dict(data.get("pregnancy_redirect") or {}),
        sex_limits=dict(data.get("sex_limits") or {}))
    for code in [rules.fallback, *rules.paediatric_redirect.values(),
                 *rules.pregnancy_redirect.values()]:
        _require(code in departments, "departments.yaml", f"unknown department code {code!r}")
    return rules


def load(data_dir: Path = DATA_DIR) -> Knowledge:
    lexicon = _lexicon(_lexicon_files(data_dir))
    departments = _departments(_read(data_dir / "departments.yaml"))
    for kind_concepts in lexicon.concepts.values():
        for concept in kind_concepts.values():
            for code in concept.departments:
                _require(code in departments.departments, f"lexicon.yaml {concept.id}",
                         f"unknown department code {code!r}")
    complaints = {path.stem: _complaint(path, lexicon)
                  for path in sorted((data_dir / "complaints").glob("*.yaml"))}
    for complaint in complaints.values():
        for rule in complaint.triage:
            for code in rule.add:
                _require(code in departments.departments, f"{complaint.id}.yaml",
                         f"unknown department code {code!r}")
    history_data = _read(data_dir / "history.yaml")
    history = {section: tuple(_question(q, section, f"history.yaml {section} {i + 1}")
                              for i, q in enumerate(history_data.get(section) or ()))
               for section in HISTORY_SECTIONS}
    red_flag_data = _read(data_dir / "red_flags.yaml")
    return Knowledge(lexicon=lexicon, complaints=complaints, history=history,
                     red_flags=_red_flags(red_flag_data, lexicon), departments=departments,
                     history_source=str(history_data["source"]),
                     red_flag_source=str(red_flag_data["source"]),
                     cues=_cues(_read(data_dir / "cues.yaml")),
                     occupations=_occupations(_read(data_dir / "occupations.yaml")),
                     labels={str(k): str(v) for k, v in
                             (_read(data_dir / "slot_labels.yaml").get("labels") or {}).items()})


def _occupations(data: dict[str, Any]) -> tuple[occupations.Job, ...]:
    found = []
    for i, entry in enumerate(data.get("occupations") or ()):
        at = f"occupations.yaml entry {i + 1}"
        _require(isinstance(entry, dict) and bool(entry.get("name"))
                 and bool(entry.get("pattern")), at, "needs a name and a pattern")
        try:
            found.append((str(entry["name"]), re.compile(str(entry["pattern"]), re.IGNORECASE),
                          bool(entry.get("broad"))))
        except re.error as exc:
            raise KnowledgeError(f"{at}: bad regex: {exc}") from exc
    return tuple(found)


def _cues(data: dict[str, Any]) -> dict[str, re.Pattern[str]]:
    cues = {}
    for key, pattern in (data.get("cues") or {}).items():
        _require(str(key).split(".")[0] in {"present_illness", *HISTORY_SECTIONS}, "cues.yaml",
                 f"unknown slot {key!r}")
        try:
            cues[str(key)] = re.compile(str(pattern))
        except re.error as exc:
            raise KnowledgeError(f"cues.yaml {key}: bad regex: {exc}") from exc
    return cues


@cache
def default_knowledge() -> Knowledge:
    """The shipped knowledge, loaded once per process."""
    return load()
