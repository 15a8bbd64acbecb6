"""The Questionnaire that pre-visit QuestionnaireResponses answer, and the shared FHIR plumbing.

One flat item per slot key the dialogue engine can fill (`linkId` = the note's slot key, e.g.
`present_illness.site`, `allergy.drugs`): the opening question and the duration question, every
complaint's questions, the 五史 questions, the derived `present_illness.negatives`, and every slot a
cue can file a clause under. A key asked in different words by different complaints (`site` is
"主要是头的哪个位置痛？" for headache, "伤在哪里？" for injury) gets a generic label (部位);
a key with one wording keeps it. `version` is a digest of the items, so it changes exactly when
a hospital's question set does, and a QuestionnaireResponse names the version it answered.

Validation goes through fhir.resources' R4B models (R4B is wire-compatible with R4 for every
resource used here). Errors name the element and the problem, never the offending value: a value
may be an ID number or the patient's words, and MappingError messages end up in logs and alerts.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any
from xml.etree import ElementTree

from fhir.resources.R4B.questionnaire import Questionnaire

from conversations.absorb import NONE_CUE
from conversations.dialogue import CHIEF, DURATION
from conversations.knowledge import HISTORY_SECTIONS, PRESENT_ILLNESS_SLOTS, Knowledge, Question
from conversations.note import NoteSlot

FRONTDOOR_SYSTEM = "https://frontdoor.example.org/fhir"
QUESTIONNAIRE_URL = f"{FRONTDOOR_SYSTEM}/Questionnaire/pre-visit"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EXT = f"{FRONTDOOR_SYSTEM}/StructureDefinition"
SLOT_FIELDS = tuple(f.name for f in fields(NoteSlot))
FHIR_CODE = re.compile(r"[^\s]+(\s[^\s]+)*")  # FHIR `code`
_REQUIRED = object()

# Labels for present-illness slots whose wording differs from complaint to complaint.


class MappingError(ValueError):
    """A note (or a Bundle read back) cannot be mapped to valid FHIR; the message says why."""


def parsed(model: Any, data: dict[str, Any], what: str) -> Any:
    """`data` parsed (validated) through its fhir.resources model; MappingError if invalid."""
    try:
        return model.model_validate(data)
    except (ValueError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
        raise MappingError(f"{what} is not valid FHIR R4: {_problems(exc)}") from None


def validated(model: Any, data: dict[str, Any], what: str) -> dict[str, Any]:
    """`data` parsed through its model, as the model's JSON output (FHIR dates and all)."""
    return parsed(model, data, what).model_dump(mode="json")


def _problems(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return type(exc).__name__
    found = [f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg', '')}" for e in errors()]
    return "; ".join(found[:3]) + (f" (and {len(found) - 3} more)" if len(found) > 3 else "")


def xhtml_div(paragraphs: Iterable[str]) -> str:
    """A FHIR narrative div: one <p> per paragraph, text escaped, checked to be well-formed XML."""
    body = "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs)
    div = f'<div xmlns="{XHTML_NS}">{body}</div>'
    try:
        root = ElementTree.fromstring(div)  # noqa: S314 - our own markup, entities escaped
    except ElementTree.ParseError as exc:
        raise MappingError(f"narrative text cannot be carried in XHTML ({exc})") from None
    if root.tag != f"{{{XHTML_NS}}}div" or not "".join(root.itertext()).strip():
        raise MappingError("narrative div is empty")
    return div


@dataclass(frozen=True)
class QuestionnaireIndex:
    version: str
    texts: dict[str, str]  # linkId -> item text
    resource: dict[str, Any]

    @property
    def canonical(self) -> str:
        return f"{QUESTIONNAIRE_URL}|{self.version}"


def questionnaire(knowledge: Knowledge) -> dict[str, Any]:
    """The pre-visit Questionnaire (validated FHIR R4 JSON) for this knowledge."""
    return copy.deepcopy(questionnaire_index(knowledge).resource)


def question_keys(knowledge: Knowledge) -> frozenset[str]:
    """Every slot key a mappable note may hold (the Questionnaire's linkIds): check edits here."""
    return frozenset(questionnaire_index(knowledge).texts)


_CACHE: dict[int, tuple[Knowledge, QuestionnaireIndex]] = {}


def questionnaire_index(knowledge: Knowledge) -> QuestionnaireIndex:
    """Built once per Knowledge object (Knowledge holds dicts, so it cannot be a cache key)."""
    hit = _CACHE.get(id(knowledge))
    if hit is not None and hit[0] is knowledge:
        return hit[1]
    built = _build(knowledge)
    if len(_CACHE) >= 8:
        _CACHE.clear()
    _CACHE[id(knowledge)] = (knowledge, built)
    return built


def _build(knowledge: Knowledge) -> QuestionnaireIndex:
    asked: dict[str, list[Question]] = {}
    for question in (CHIEF, DURATION, *(q for c in knowledge.complaints.values()
                                         for q in c.questions)):
        asked.setdefault(question.key, []).append(question)
    history_keys = []
    for section in HISTORY_SECTIONS:
        for question in knowledge.history.get(section, ()):
            asked.setdefault(question.key, []).append(question)
            history_keys.append(question.key)
    standard = [f"present_illness.{slot}" for slot in (*PRESENT_ILLNESS_SLOTS, "negatives",
                                                       "resolved")]
    derived = ["past.symptoms", "past.diseases", "past.medications", "allergy.others",
               "allergy.reactions",
               "present_illness.informant"]  # filled from what was said, never asked
    extras = sorted(k for k in asked if k.startswith("present_illness.extra."))
    cued = sorted({key.removesuffix(NONE_CUE) for key in knowledge.cues})
    keys = list(dict.fromkeys([CHIEF.key, DURATION.key, *standard, *extras, *history_keys,
                               *cued, *derived]))
    items = [_item(key, asked.get(key, []), knowledge.label(key)) for key in keys]
    body = {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "name": "FrontDoorPreVisit",
        "title": "预问诊（一诉五史）",
        "status": "active",
        "subjectType": ["Patient"],
        "language": "zh-CN",
        "publisher": "Front Door",
        "description": ("预问诊对话的问题：主诉、现病史（各症状的问诊要点）、既往史、个人史、"
                        "家族史、过敏史、月经婚育史、出生及生长发育史。"
                        "linkId 即预问诊记录的字段名。"),
        "item": items,
    }
    digest = hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode())
    version = digest.hexdigest()[:12]
    resource = validated(Questionnaire, {**body, "version": version}, "Questionnaire")
    return QuestionnaireIndex(version=version, texts={i["linkId"]: i["text"] for i in items},
                              resource=resource)


def _item(key: str, questions: list[Question], label: str) -> dict[str, Any]:
    asks = list(dict.fromkeys(q.ask for q in questions))
    text = asks[0] if len(asks) == 1 else label
    option_sets = {q.options for q in questions if q.options}
    item: dict[str, Any] = {"linkId": key, "text": text}
    if len(option_sets) == 1:
        # open-choice: the options are offered, but the answer may be free text (valueString).
        item["type"] = "open-choice"
        item["answerOption"] = [{"valueString": option} for option in next(iter(option_sets))]
    else:
        item["type"] = "string"
    if any(q.multi for q in questions):
        item["repeats"] = True
    return item


# -- QuestionnaireResponse items: one per note slot, carried exactly -------------------------


def bundle_to_slots(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The note's slots, exactly as stored, from the Bundle's QuestionnaireResponse."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise MappingError("not a FHIR Bundle")
    responses = [entry.get("resource") for entry in bundle.get("entry") or ()
                 if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)
                 and entry["resource"].get("resourceType") == "QuestionnaireResponse"
                 and str(entry["resource"].get("questionnaire", "")).split("|")[0]
                 == QUESTIONNAIRE_URL]
    if len(responses) != 1:
        raise MappingError(f"expected one pre-visit QuestionnaireResponse, found {len(responses)}")
    return [_slot_from_item(item, i) for i, item in enumerate(responses[0].get("item") or ())]


def _slot_from_item(item: Any, index: int) -> dict[str, Any]:
    where = f"QuestionnaireResponse item {index + 1}"
    if not isinstance(item, dict) or not isinstance(item.get("linkId"), str):
        raise MappingError(f"{where}: no linkId")
    extensions = {e.get("url"): e for e in item.get("extension") or () if isinstance(e, dict)}

    def extension(name: str, value_type: str, default: Any = _REQUIRED) -> Any:
        found = extensions.get(f"{EXT}/{name}")
        if found is None or value_type not in found:
            if default is _REQUIRED:
                raise MappingError(f"{where} ({item['linkId']}): no {name} extension")
            return default
        return found[value_type]

    try:
        value = json.loads(extension("slot-value", "valueString"))
    except (TypeError, ValueError):
        raise MappingError(f"{where} ({item['linkId']}): slot-value is not JSON") from None
    answers = item.get("answer") or ()
    display = answers[0].get("valueString", "") if answers and isinstance(answers[0], dict) else ""
    slot = {"key": item["linkId"], "label": item.get("text") or item["linkId"], "value": value,
            "display": display, "words": extension("patient-words", "valueString", ""),
            "turn": extension("slot-turn", "valueInteger"),
            "source": extension("slot-source", "valueCode"),
            "uncertain": extension("slot-uncertain", "valueBoolean", False)}
    return {name: slot[name] for name in SLOT_FIELDS}


def response_item(slot: dict[str, Any]) -> dict[str, Any]:
    """The QuestionnaireResponse item for one (checked) slot; `_slot_from_item` reverses it."""
    item: dict[str, Any] = {"linkId": slot["key"]}
    if slot["label"] != slot["key"]:  # the note stores the key itself when no question was asked
        item["text"] = slot["label"]
    extension = [{"url": f"{EXT}/slot-value",
                  "valueString": json.dumps(slot["value"], ensure_ascii=False)}]
    if slot["words"]:
        extension.append({"url": f"{EXT}/patient-words", "valueString": slot["words"]})
    extension += [{"url": f"{EXT}/slot-turn", "valueInteger": slot["turn"]},
                  {"url": f"{EXT}/slot-source", "valueCode": slot["source"]},
                  {"url": f"{EXT}/slot-uncertain", "valueBoolean": slot["uncertain"]}]
    item["extension"] = extension
    if slot["display"]:  # FHIR strings are never empty: no answer means display ""
        item["answer"] = [{"valueString": slot["display"]}]
    return item


def checked_slots(slots: Any, index: QuestionnaireIndex) -> list[dict[str, Any]]:
    """The slots, if every one is a NoteSlot dict that an item can carry and give back exactly."""
    if not isinstance(slots, list):
        raise MappingError("slots must be a list of NoteSlot dicts")
    seen: set[str] = set()
    for number, slot in enumerate(slots, 1):
        where = f"slot {number}"
        if not isinstance(slot, dict) or set(slot) != set(SLOT_FIELDS):
            raise MappingError(f"{where}: needs exactly the fields {', '.join(SLOT_FIELDS)}")
        key = slot["key"]
        if not isinstance(key, str) or key not in index.texts:
            raise MappingError(f"{where}: {key!r} is not an item of {QUESTIONNAIRE_URL}")
        if key in seen:
            raise MappingError(f"{where}: {key} appears twice")
        seen.add(key)
        where = f"slot {key}"
        if not isinstance(slot["label"], str) or not slot["label"].strip():
            raise MappingError(f"{where}: label must be non-empty text")
        if not isinstance(slot["display"], str) or not isinstance(slot["words"], str):
            raise MappingError(f"{where}: display and words must be text")
        turn = slot["turn"]
        if isinstance(turn, bool) or not isinstance(turn, int) or not 0 <= turn < 2**31:
            raise MappingError(f"{where}: turn must be a non-negative integer")
        if not isinstance(slot["source"], str) or not FHIR_CODE.fullmatch(slot["source"]):
            raise MappingError(f"{where}: source must be a code such as 'patient'")
        if not isinstance(slot["uncertain"], bool):
            raise MappingError(f"{where}: uncertain must be true or false")
        try:
            same = json.loads(json.dumps(slot["value"], allow_nan=False)) == slot["value"]
        except (TypeError, ValueError):
            same = False
        if not same:
            raise MappingError(f"{where}: value does not survive a JSON round trip")
    return slots
