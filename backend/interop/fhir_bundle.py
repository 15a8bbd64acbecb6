"""A confirmed pre-visit note (预问诊记录) as an HL7 FHIR R4 transaction Bundle.

What the EMR receives, all patient-reported and so `unconfirmed` until a clinician says otherwise:

- Patient, Encounter (planned, ambulatory), Organization: conditional creates on our identifiers,
  so a patient or visit the EMR already has is matched, not duplicated or overwritten.
- QuestionnaireResponse: one item per note slot, linkId = slot key, the Chinese rendering as the
  answer, and extensions carrying the exact slot (JSON value, the patient's words, turn, source,
  uncertain), so `bundle_to_slots` rebuilds the note's slots exactly.
- Composition (LOINC 34117-2 History and physical note): the narrative split into its 一诉五史
  sections, each with its LOINC section code and references to the coded resources below.
- Condition per chronic or infectious disease (problem-list-item) and one for the chief complaint;
  AllergyIntolerance per allergy (drug, food, or other: 花粉, 尘螨, 乳胶, 蜂蜇 → environment) with
  the reaction the patient gave; Flag for a red flag.

Every entry is a POST with `ifNoneExist` on that resource's identifier, and every identifier is
deterministic, so a retried transaction creates nothing twice. The Composition and the
QuestionnaireResponse are per note version: an amendment (a new note id) adds a Composition that
`relatesTo` (replaces) the old one. Conditions, AllergyIntolerances and the Flag are per visit
(uuid5 of the Encounter id and the concept): an amendment that keeps a fact matches the existing
resource instead of listing it twice; one that adds a fact creates it. A fact an amendment drops
stays in the EMR as reported earlier (a conditional create cannot retract it).
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.composition import Composition
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from backend.interop.fhir_questionnaire import (
    EXT,
    FHIR_CODE,
    FRONTDOOR_SYSTEM,
    MappingError,
    QuestionnaireIndex,
    checked_slots,
    parsed,
    questionnaire_index,
    response_item,
    validated,
    xhtml_div,
)
from backend.security.identity_docs import DocumentType
from conversations.knowledge import Knowledge
from conversations.note import SECTION_TITLES

SID = f"{FRONTDOOR_SYSTEM}/sid"
CODES = f"{FRONTDOOR_SYSTEM}/CodeSystem"
LOINC = "http://loinc.org"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
# 居民身份证号码. In the national health-information OID arc (2.16.156.10011), 2.16.156.10011.1.3
# identifies 患者身份证件号码: the WS/T 500《电子病历共享文档规范》CDA headers carry it as
# <id root="2.16.156.10011.1.3" extension="…"/>, and FHIR writes an OID system as urn:oid:.
# Other documents (passport, 通行证, …) have no such national OID: they get our own systems.
RESIDENT_ID_SYSTEM = "urn:oid:2.16.156.10011.1.3"
VERSION_EXTENSION = "http://hl7.org/fhir/StructureDefinition/composition-clinicaldocument-versionNumber"
GENDERS = {"male": "male", "female": "female"}
NOTE_TITLE = "预问诊记录"
# Note section -> LOINC section code. 月经婚育史 uses 10162-6 (History of pregnancies, the IPS
# pregnancy-history section): 8678-5 is an Observation code (menstrual status), not a section.
# 出生及生长发育史 has no single LOINC section code: it gets ours.
SECTION_CODES = {
    "chief_complaint": ("10154-3", "Chief complaint Narrative - Reported"),
    "present_illness": ("10164-2", "History of Present illness Narrative"),
    "past": ("11348-0", "History of Past illness Narrative"),
    "personal": ("29762-2", "Social history Narrative"),
    "family": ("10157-6", "History of family member diseases Narrative"),
    "allergy": ("48765-2", "Allergies and adverse reactions Document"),
    "obstetric": ("10162-6", "History of pregnancies Narrative"),
}
ALERT_SECTION = ("104605-1", "Alert")  # IPS alerts section, which holds Flags
SECTION_BY_TITLE = {title: name for name, title in SECTION_TITLES.items()}
CONDITION_SLOTS = {"past.chronic_diseases": "chronic_diseases", "past.diseases": "diseases",
                   "past.infectious_diseases": "infectious_diseases"}
ALLERGY_SLOTS = {"allergy.drugs": ("drugs", "medication"), "allergy.foods": ("foods", "food"),
                 "allergy.others": ("other_allergens", "environment")}
# allergy-intolerance-category `biologic`: "a preparation synthesized from living organisms or
# their products, especially a human or animal protein, such as a hormone or antitoxin" (破伤风
# 抗毒素, 免疫球蛋白, 血液制品); other medicines stay `medication`. Insect venom and latex are
# `environment`: "any substance not already classified as food, medication, or biologic".
BIOLOGIC_DRUG_CLASSES = frozenset({"antitoxins", "immunoglobulins", "plasma_products"})
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 令狐 夏侯 宇文 司徒 司空 轩辕 端木 "
    "独孤 南宫 西门 呼延 万俟 澹台 申屠 太史 钟离 宗政 濮阳 淳于 单于 赫连 公冶 闻人 百里 "
    "东郭 拓跋".split())
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_DOCUMENT_TYPE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class PatientInfo:
    id: str  # our external UUID
    name: str
    sex: str  # male | female
    birth_date: date
    document_type: str | None = None  # resident_id | passport | … (only when sharing is allowed)
    document_number: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class OrganizationInfo:
    id: str
    code: str
    name: str


@dataclass(frozen=True)
class NoteForExchange:
    note_id: str  # PreVisitNote external UUID (each amendment version has its own)
    version: int
    supersedes_id: str | None
    conversation_id: str
    confirmed_at: datetime  # aware
    narrative: str  # "主诉：…\n现病史：…" lines
    slots: list[dict]  # NoteSlot dicts as stored
    red_flag: dict | None  # {"rule": id, "name": 中文, "words": [...]} or None
    patient: PatientInfo
    organization: OrganizationInfo | None
    encounter_id: str  # a UUID for the planned Encounter (stable per conversation)
    booking_id: str | None = None


def bundle_identifier(note_id: str) -> dict[str, str]:
    return {"system": f"{SID}/pre-visit-note-bundle", "value": _uuid(note_id, "note_id")}


def note_to_bundle(note: NoteForExchange, knowledge: Knowledge) -> dict[str, Any]:
    """The note as a validated FHIR R4 transaction Bundle (JSON); MappingError if it can't be."""
    return _Mapping(note, knowledge).bundle()


@dataclass
class _Entry:
    uuid: str
    resource: dict[str, Any]
    identifier: dict[str, str]  # what ifNoneExist searches on
    model: Any
    what: str

    @property
    def ref(self) -> dict[str, str]:
        return {"reference": f"urn:uuid:{self.uuid}"}


class _Mapping:
    def __init__(self, note: NoteForExchange, knowledge: Knowledge) -> None:
        self.note, self.knowledge = note, knowledge
        self.index: QuestionnaireIndex = questionnaire_index(knowledge)
        self.note_id = _uuid(note.note_id, "note_id")
        self.at = _aware(note.confirmed_at)
        if not isinstance(note.version, int) or isinstance(note.version, bool) \
                or note.version < 1:
            raise MappingError("version must be a positive integer")
        self.slots = checked_slots(note.slots, self.index)
        if not isinstance(note.narrative, str):
            raise MappingError("narrative must be text")
        if not self.slots and not note.narrative.strip():
            raise MappingError("the note is empty: no slots and no narrative")
        self.by_key = {slot["key"]: slot for slot in self.slots}
        self.patient = self._patient()
        self.organization = self._organization()
        self.visit = self._encounter(self.patient, self.organization)
        self.subject, self.encounter = self.patient.ref, self.visit.ref

    def bundle(self) -> dict[str, Any]:
        patient, organization, encounter = self.patient, self.organization, self.visit
        response = self._questionnaire_response()
        chief = self._chief_complaint()
        conditions = [self._condition(kind, concept)
                      for key, kind in CONDITION_SLOTS.items()
                      for concept in self._concepts(key)]
        allergies = [self._allergy(key, concept) for key in ALLERGY_SLOTS
                     for concept in self._concepts(key)]
        flag = self._flag()
        coded = {"chief_complaint": [chief] if chief else [], "past": conditions,
                 "allergy": allergies}
        composition = self._composition(coded, flag, organization)
        entries = [patient, *([organization] if organization else []), encounter, composition,
                   response, *([chief] if chief else []), *conditions, *allergies,
                   *([flag] if flag else [])]
        _check_references([e.resource for e in entries], [e.ref["reference"] for e in entries])
        # Each resource is parsed through its own model (errors name the resource), then the
        # Bundle through Bundle, which takes the parsed resources as they are.
        body = {"resourceType": "Bundle", "identifier": bundle_identifier(self.note_id),
                "type": "transaction", "timestamp": self.at,
                "entry": [self._bundle_entry(entry) for entry in entries]}
        return validated(Bundle, body, "Bundle")

    # -- participants ---------------------------------------------------------------------

    def _patient(self) -> _Entry:
        info = self.note.patient
        patient_id = _uuid(info.id, "patient.id")
        name = info.name.strip() if isinstance(info.name, str) else ""
        if not name:
            raise MappingError("patient name is empty")
        if info.sex not in GENDERS:
            raise MappingError("patient sex must be male or female")
        birth = info.birth_date.date() if isinstance(info.birth_date, datetime) \
            else info.birth_date
        if not isinstance(birth, date):
            raise MappingError("patient birth_date must be a date")
        ours = {"system": f"{SID}/patient", "value": patient_id}
        identifiers: list[dict[str, Any]] = [{"use": "secondary", **ours}]
        if info.document_number:
            identifiers.append(_document_identifier(info.document_type, info.document_number))
        resource: dict[str, Any] = {"resourceType": "Patient", "identifier": identifiers,
                                    "name": [_human_name(name)], "gender": GENDERS[info.sex],
                                    "birthDate": birth.isoformat()}
        if info.phone and info.phone.strip():
            resource["telecom"] = [{"system": "phone", "value": info.phone.strip(),
                                    "use": "mobile"}]
        return _Entry(patient_id, resource, ours, Patient, "Patient")

    def _organization(self) -> _Entry | None:
        info = self.note.organization
        if info is None:
            return None
        if not (isinstance(info.code, str) and info.code.strip()) or not info.name:
            raise MappingError("organization needs a code and a name")
        ours = {"system": f"{SID}/organization", "value": info.code.strip()}
        resource = {"resourceType": "Organization", "identifier": [ours], "active": True,
                    "name": info.name}
        return _Entry(_uuid(info.id, "organization.id"), resource, ours, Organization,
                      "Organization")

    def _encounter(self, patient: _Entry, organization: _Entry | None) -> _Entry:
        encounter_id = _uuid(self.note.encounter_id, "encounter_id")
        ours = {"system": f"{SID}/encounter", "value": encounter_id}
        identifiers = [ours]
        if self.note.conversation_id:
            identifiers.append({"system": f"{SID}/conversation",
                                "value": str(self.note.conversation_id)})
        if self.note.booking_id:
            identifiers.append({"system": f"{SID}/booking", "value": str(self.note.booking_id)})
        resource: dict[str, Any] = {
            "resourceType": "Encounter", "identifier": identifiers, "status": "planned",
            "class": {"system": f"{TERMINOLOGY}/v3-ActCode", "code": "AMB",
                      "display": "ambulatory"},
            "subject": patient.ref}
        if organization:
            resource["serviceProvider"] = organization.ref
        return _Entry(encounter_id, resource, ours, Encounter, "Encounter")

    # -- the answers ----------------------------------------------------------------------

    def _questionnaire_response(self) -> _Entry:
        ours = {"system": f"{SID}/questionnaire-response", "value": self.note_id}
        resource = {"resourceType": "QuestionnaireResponse", "language": "zh-CN",
                    "identifier": ours, "questionnaire": self.index.canonical,
                    "status": "completed", "subject": self.subject,
                    "encounter": self.encounter, "authored": self.at, "author": self.subject,
                    "source": self.subject, "item": [response_item(slot) for slot in self.slots]}
        return _Entry(self._derived("questionnaire-response"), resource, ours,
                      QuestionnaireResponse, "QuestionnaireResponse")

    # -- coded resources ------------------------------------------------------------------

    def _concepts(self, key: str) -> list[str]:
        slot = self.by_key.get(key)
        if slot is None or not isinstance(slot["value"], list):
            return []  # absent, skipped (跳过) or unknown (不详): nothing was reported
        if not all(isinstance(c, str) and FHIR_CODE.fullmatch(c) for c in slot["value"]):
            raise MappingError(f"slot {key}: list items must be lexicon concept ids")
        return list(dict.fromkeys(slot["value"]))

    def _coded(self, kind: str, concept: str, text: str) -> dict[str, Any]:
        system = f"{CODES}/lexicon-{kind.replace('_', '-')}"
        return {"coding": [{"system": system, "code": concept, "display": text}], "text": text}

    def _condition(self, kind: str, concept: str, category: dict | None = None,
                   text: str | None = None, onset: datetime | None = None) -> _Entry:
        uid = self._per_visit(f"condition/{kind}/{concept}")
        ours = {"system": f"{SID}/condition", "value": uid}
        name = text or self.knowledge.lexicon.name(kind, concept)
        resource: dict[str, Any] = {
            "resourceType": "Condition", "identifier": [ours],
            "clinicalStatus": _concept("condition-clinical", "active", "Active"),
            "verificationStatus": _concept("condition-ver-status", "unconfirmed", "Unconfirmed"),
            "category": [category or _concept("condition-category", "problem-list-item",
                                              "Problem List Item")],
            "code": self._coded(kind, concept, name), "subject": self.subject,
            "encounter": self.encounter, "recordedDate": self.at, "recorder": self.subject,
            "asserter": self.subject}
        if onset is not None:
            resource["onsetDateTime"] = onset
        return _Entry(uid, resource, ours, Condition, f"Condition {kind}/{concept}")

    def _chief_complaint(self) -> _Entry | None:
        slot = self.by_key.get("chief_complaint.symptom")
        if slot is None or not isinstance(slot["value"], str) or not FHIR_CODE.fullmatch(
                slot["value"]):
            return None
        # FHIR's condition-category codes are problem-list-item and encounter-diagnosis (a
        # clinician's diagnosis); the binding is extensible, and a patient's complaint is neither,
        # so the chief complaint gets our own category code.
        category = {"coding": [{"system": f"{CODES}/condition-category",
                                "code": "chief-complaint", "display": "主诉"}], "text": "主诉"}
        text = slot["display"] or self.knowledge.lexicon.name("symptoms", slot["value"])
        return self._condition("symptoms", slot["value"], category, text, self._onset())

    def _onset(self) -> datetime | None:
        slot = self.by_key.get("chief_complaint.duration")
        days = slot["value"] if slot else None
        if isinstance(days, bool) or not isinstance(days, int | float) \
                or not math.isfinite(days) or days < 0:
            return None
        try:
            return self.at - timedelta(days=days)
        except OverflowError:
            return None

    def _allergy(self, key: str, concept: str) -> _Entry:
        kind, category = ALLERGY_SLOTS[key]
        known = self.knowledge.lexicon.concepts[kind].get(concept)
        if known is not None and known.drug_class in BIOLOGIC_DRUG_CLASSES:
            category = "biologic"
        uid = self._per_visit(f"allergy/{kind}/{concept}")
        ours = {"system": f"{SID}/allergy-intolerance", "value": uid}
        resource: dict[str, Any] = {
            "resourceType": "AllergyIntolerance", "identifier": [ours],
            "clinicalStatus": _concept("allergyintolerance-clinical", "active", "Active"),
            "verificationStatus": _concept("allergyintolerance-verification", "unconfirmed",
                                           "Unconfirmed"),
            "category": [category],
            "code": self._coded(kind, concept, self.knowledge.lexicon.name(kind, concept)),
            "patient": self.subject, "encounter": self.encounter, "recordedDate": self.at,
            "recorder": self.subject, "asserter": self.subject}
        # 青霉素过敏（皮疹、呼吸困难）: each manifestation in the note's words
        said = [w.strip() for w in self._reactions().get(concept, "").split("、") if w.strip()]
        if said:
            resource["reaction"] = [{"manifestation": [{"text": w} for w in dict.fromkeys(said)]}]
        return _Entry(uid, resource, ours, AllergyIntolerance,
                      f"AllergyIntolerance {kind}/{concept}")

    def _reactions(self) -> dict[str, str]:
        """allergy.reactions as stored ({concept: "皮疹、瘙痒"}); anything else reports none."""
        slot = self.by_key.get("allergy.reactions")
        value = slot["value"] if slot else None
        if not isinstance(value, dict):
            return {}
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}

    def _flag(self) -> _Entry | None:
        flag = self.note.red_flag
        if flag is None:
            return None
        if not isinstance(flag, dict):
            raise MappingError("red_flag must be a dict with rule, name and words")
        rule, name, words = flag.get("rule"), flag.get("name"), flag.get("words") or []
        if not (isinstance(rule, str) and FHIR_CODE.fullmatch(rule)) or not (
                isinstance(name, str) and name.strip()) or not isinstance(words, list):
            raise MappingError("red_flag needs a rule id, a name and a list of words")
        uid = self._per_visit(f"flag/{rule}")
        ours = {"system": f"{SID}/flag", "value": uid}
        resource = {
            "resourceType": "Flag", "identifier": [ours], "status": "active",
            "extension": [{"url": f"{EXT}/red-flag-words", "valueString": word}
                          for word in words if isinstance(word, str) and word.strip()],
            "category": [_concept("flag-category", "clinical", "Clinical")],
            "code": {"coding": [{"system": f"{CODES}/red-flag-rule", "code": rule,
                                 "display": name}], "text": name},
            "subject": self.subject, "encounter": self.encounter, "period": {"start": self.at}}
        if not resource["extension"]:
            del resource["extension"]
        return _Entry(uid, resource, ours, Flag, "Flag")

    # -- the document ---------------------------------------------------------------------

    def _composition(self, coded: dict[str, list[_Entry]], flag: _Entry | None,
                     organization: _Entry | None) -> _Entry:
        ours = {"system": f"{SID}/pre-visit-note", "value": self.note_id}
        lines = _narrative_lines(self.note.narrative)
        resource: dict[str, Any] = {
            "resourceType": "Composition", "language": "zh-CN",
            "extension": [{"url": VERSION_EXTENSION, "valueString": str(self.note.version)}],
            "identifier": ours, "status": "final",
            "type": {"coding": [{"system": LOINC, "code": "34117-2",
                                 "display": "History and physical note"}], "text": NOTE_TITLE},
            "subject": self.subject, "encounter": self.encounter, "date": self.at,
            "author": [self.subject], "title": NOTE_TITLE,
            "section": _sections(lines, coded, flag)}
        if lines:
            resource["text"] = {"status": "generated",
                                "div": xhtml_div(f"{title}：{text}" for title, text in lines)}
        if organization:
            resource["custodian"] = organization.ref
        if self.note.supersedes_id:
            replaced = _uuid(self.note.supersedes_id, "supersedes_id")
            if replaced == self.note_id:
                raise MappingError("a note cannot supersede itself")
            resource["relatesTo"] = [{"code": "replaces", "targetIdentifier": {
                "system": f"{SID}/pre-visit-note", "value": replaced}}]
        if not resource["section"]:
            del resource["section"]
        return _Entry(self.note_id, resource, ours, Composition, "Composition")

    # -- plumbing -------------------------------------------------------------------------

    def _derived(self, name: str) -> str:
        """An id of this note version's own resource (its QuestionnaireResponse)."""
        return str(uuid.uuid5(uuid.UUID(self.note_id), name))

    def _per_visit(self, name: str) -> str:
        """An id of a reported fact, the same in every version of the note for this visit."""
        return str(uuid.uuid5(uuid.UUID(self.visit.uuid), name))

    def _bundle_entry(self, entry: _Entry) -> dict[str, Any]:
        resource = parsed(entry.model, entry.resource, entry.what)
        search = quote(f"{entry.identifier['system']}|{entry.identifier['value']}", safe=":/|")
        return {"fullUrl": f"urn:uuid:{entry.uuid}", "resource": resource,
                "request": {"method": "POST", "url": entry.resource["resourceType"],
                            "ifNoneExist": f"identifier={search}"}}


def _sections(lines: list[tuple[str, str]], coded: dict[str, list[_Entry]],
              flag: _Entry | None) -> list[dict[str, Any]]:
    texts: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for title, text in lines:
        name = SECTION_BY_TITLE.get(title, f"other:{title}")
        texts.setdefault(name, []).append(text)
        titles[name] = title
    for name, entries in coded.items():  # coded facts whose narrative line is missing
        if entries and name not in texts:
            texts[name] = ["、".join(e.resource["code"]["text"] for e in entries)]
            titles[name] = SECTION_TITLES[name]
    sections = []
    if flag is not None:
        words = [e["valueString"] for e in flag.resource.get("extension", ())]
        name = flag.resource["code"]["text"]
        sections.append(_section("危急征象", _loinc(*ALERT_SECTION),
                                 [f"{name}（患者原话：{'、'.join(words)}）" if words else name],
                                 [flag]))
    for name, paragraphs in texts.items():
        if name in SECTION_CODES:
            code = _loinc(*SECTION_CODES[name])
        else:
            local = name if name in SECTION_TITLES else "other"
            code = {"coding": [{"system": f"{CODES}/note-section", "code": local,
                                "display": SECTION_TITLES.get(local, "其他")}]}
        sections.append(_section(titles[name], code, paragraphs, coded.get(name, [])))
    return sections


def _section(title: str, code: dict[str, Any], paragraphs: list[str],
             entries: list[_Entry]) -> dict[str, Any]:
    section = {"title": title, "code": {**code, "text": title},
               "text": {"status": "generated", "div": xhtml_div(paragraphs)}}
    if entries:
        section["entry"] = [entry.ref for entry in entries]
    return section


def _loinc(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}]}


def _concept(code_system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": f"{TERMINOLOGY}/{code_system}", "code": code,
                        "display": display}]}


def _narrative_lines(narrative: str) -> list[tuple[str, str]]:
    lines = []
    for raw in narrative.splitlines():
        line = raw.strip()
        if not line:
            continue
        title, colon, text = line.partition("：")
        if not colon or not title.strip() or not text.strip():
            raise MappingError("every narrative line must read 标题：内容")
        lines.append((title.strip(), text.strip()))
    return lines


def _check_references(resources: list[dict[str, Any]], full_urls: list[str]) -> None:
    """What a server would reject in a transaction: a shared fullUrl, or a dangling urn:uuid."""
    if len(set(full_urls)) != len(full_urls):
        raise MappingError("two Bundle entries share a fullUrl")
    known = set(full_urls)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            reference = node.get("reference")
            if isinstance(reference, str) and reference.startswith("urn:uuid:") \
                    and reference not in known:
                raise MappingError(f"reference {reference} does not resolve in the Bundle")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(resources)


def _document_identifier(document_type: str | None, number: str) -> dict[str, Any]:
    if not document_type or not _DOCUMENT_TYPE.fullmatch(document_type):
        raise MappingError("a document number needs its document type")
    if not isinstance(number, str) or not number.strip():
        raise MappingError("document number is empty")
    system = RESIDENT_ID_SYSTEM if document_type == "resident_id" \
        else f"{SID}/{document_type}"
    identifier: dict[str, Any] = {"use": "official", "system": system, "value": number.strip()}
    v2 = {"resident_id": ("NI", "National unique individual identifier"),
          "passport": ("PPN", "Passport number")}.get(document_type)
    label = next((d.label for d in DocumentType if d.value == document_type), None)
    if v2 or label:
        identifier["type"] = {}
        if v2:
            identifier["type"]["coding"] = [{"system": f"{TERMINOLOGY}/v2-0203", "code": v2[0],
                                             "display": v2[1]}]
        if label:
            identifier["type"]["text"] = label
    return identifier


def _human_name(name: str) -> dict[str, Any]:
    """`text` always; family/given for a Han name (family first, compound surnames kept whole)."""
    result: dict[str, Any] = {"use": "official", "text": name}
    if _HAN.fullmatch(name) and len(name) >= 2:
        cut = 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1
        result["family"], result["given"] = name[:cut], [name[cut:]]
    return result


def _uuid(value: Any, field: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise MappingError(f"{field} must be a UUID") from None


def _aware(moment: Any) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise MappingError("confirmed_at must be a timezone-aware datetime")
    return moment
