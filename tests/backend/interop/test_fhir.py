"""Pre-visit note → FHIR R4 transaction Bundle (pure Python: no Flask, no database).

The notes are real: every pre-consultation patient of the scripted corpus is played through the
assistant, and its note is mapped, validated and read back.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import uuid
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from backend.interop.fhir import (
    FRONTDOOR_SYSTEM,
    MappingError,
    NoteForExchange,
    OrganizationInfo,
    PatientInfo,
    bundle_identifier,
    bundle_to_slots,
    note_to_bundle,
    question_keys,
    questionnaire,
)
from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.scripted import ScriptedPatient

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "conversations" / "corpus" / "patients.json"
SPECS = [p for p in json.loads(CORPUS.read_text(encoding="utf-8"))
         if p["mode"] == "pre_consultation"]
KNOWLEDGE = default_knowledge()
ASSISTANT = Assistant(KNOWLEDGE)
CHINA = timezone(timedelta(hours=8))
CONFIRMED = datetime(2025, 3, 5, 9, 30, tzinfo=CHINA)
SID = f"{FRONTDOOR_SYSTEM}/sid"
LOINC = "http://loinc.org"
UUID_URN = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ID_NUMBER = "11010519491231002X"


@cache
def played(spec_id: str):
    spec = next(p for p in SPECS if p["id"] == spec_id)
    patient = ScriptedPatient.parse(spec, 0)
    state, _ = ASSISTANT.start(patient.mode, patient.context())
    for utterance in patient.utterances:
        if state.finished:
            break
        ASSISTANT.reply(state, utterance)
    return patient, ASSISTANT.note(state), state.red_flag


def exchange(spec_id: str, **changes) -> NoteForExchange:
    patient, note, flag = played(spec_id)
    key = uuid.uuid5(uuid.NAMESPACE_URL, spec_id)  # stable ids: a retry maps the same note
    base = NoteForExchange(
        note_id=str(uuid.uuid5(key, "note")), version=1, supersedes_id=None,
        conversation_id=str(uuid.uuid5(key, "conversation")), confirmed_at=CONFIRMED,
        narrative=note.narrative, slots=[vars(slot) for slot in copy.deepcopy(note.slots)],
        red_flag=({"rule": flag.rule_id, "name": flag.name, "words": list(flag.words)}
                  if flag else None),
        patient=PatientInfo(id=str(uuid.uuid5(key, "patient")), name="王小明", sex=patient.sex,
                            birth_date=date(2025 - patient.age, 1, 15)),
        organization=OrganizationInfo(id=str(uuid.uuid5(key, "organization")),
                                      code=patient.hospital or "H001", name="示范医院"),
        encounter_id=str(uuid.uuid5(key, "encounter")))
    patient_changes = {k.removeprefix("patient_"): changes.pop(k) for k in list(changes)
                       if k.startswith("patient_")}
    if patient_changes:
        changes["patient"] = PatientInfo(**{**vars(base.patient), **patient_changes})
    return NoteForExchange(**{**vars(base), **changes})


def resources(bundle: dict, resource_type: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"]
            if e["resource"]["resourceType"] == resource_type]


def one(bundle: dict, resource_type: str) -> dict:
    found = resources(bundle, resource_type)
    assert len(found) == 1, (resource_type, len(found))
    return found[0]


def full_url(bundle: dict, resource_type: str) -> str:
    return next(e["fullUrl"] for e in bundle["entry"]
                if e["resource"]["resourceType"] == resource_type)


def note_narrative(spec_id: str) -> str:
    return played(spec_id)[1].narrative


def slot_value(spec_id: str, key: str):
    return next((s.value for s in played(spec_id)[1].slots if s.key == key), None)


def parse_div(div: str) -> ElementTree.Element:
    return ElementTree.fromstring(div)  # noqa: S314 - the mapping's own output


def section(bundle: dict, code: str) -> dict:
    return next(s for s in one(bundle, "Composition")["section"]
                if s["code"]["coding"][0]["code"] == code)


# -- every corpus note ---------------------------------------------------------------------


def test_the_corpus_has_the_pre_consultation_patients():
    assert len(SPECS) >= 50


@pytest.mark.parametrize("spec_id", [p["id"] for p in SPECS])
def test_corpus_note_maps_to_a_valid_transaction_and_round_trips(spec_id):
    note = exchange(spec_id)
    bundle = note_to_bundle(note, KNOWLEDGE)

    Bundle.model_validate(bundle)  # the JSON we return parses again, whole
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    assert bundle["type"] == "transaction"
    assert bundle["identifier"] == bundle_identifier(note.note_id)
    assert datetime.fromisoformat(bundle["timestamp"]) == CONFIRMED

    chronic = slot_value(spec_id, "past.chronic_diseases")
    infectious = slot_value(spec_id, "past.infectious_diseases")
    earlier = slot_value(spec_id, "past.diseases")  # 以前也犯过一次 说是尿路感染
    drugs, foods = slot_value(spec_id, "allergy.drugs"), slot_value(spec_id, "allergy.foods")
    listed = [v if isinstance(v, list) else [] for v in (chronic, infectious, drugs, foods,
                                                         earlier)]
    counts = {t: len(resources(bundle, t)) for t in
              ("Patient", "Encounter", "Organization", "Composition", "QuestionnaireResponse",
               "Condition", "AllergyIntolerance", "Flag", "Questionnaire")}
    assert counts == {
        "Patient": 1, "Encounter": 1, "Organization": 1, "Composition": 1,
        "QuestionnaireResponse": 1, "Questionnaire": 0,
        "Condition": 1 + len(set(listed[0])) + len(set(listed[1])) + len(set(listed[4])),
        "AllergyIntolerance": len(set(listed[2])) + len(set(listed[3])),
        "Flag": 1 if note.red_flag else 0}
    assert len(bundle["entry"]) == sum(counts.values())

    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls) and all(UUID_URN.fullmatch(u) for u in urls)
    for entry in bundle["entry"]:
        resource, request = entry["resource"], entry["request"]
        assert request["method"] == "POST" and request["url"] == resource["resourceType"]
        identifiers = resource["identifier"]
        identifiers = identifiers if isinstance(identifiers, list) else [identifiers]
        assert request["ifNoneExist"] in {
            f"identifier={i['system']}|{i['value']}" for i in identifiers}
    referenced = set(re.findall(r'"reference": "(urn:uuid:[^"]+)"', json.dumps(bundle)))
    assert referenced <= set(urls)

    assert bundle_to_slots(bundle) == note.slots
    assert ID_NUMBER not in json.dumps(bundle)


def test_retrying_maps_the_same_note_to_the_same_bundle():
    note = exchange("headache-01")
    assert note_to_bundle(note, KNOWLEDGE) == note_to_bundle(note, KNOWLEDGE)


# -- participants ---------------------------------------------------------------------------


def test_patient_identifiers_name_gender_and_no_id_number_unless_given():
    bundle = note_to_bundle(exchange("headache-01"), KNOWLEDGE)
    patient = one(bundle, "Patient")
    assert patient["identifier"] == [{"use": "secondary", "system": f"{SID}/patient",
                                      "value": exchange("headache-01").patient.id}]
    assert patient["name"] == [{"use": "official", "text": "王小明", "family": "王",
                                "given": ["小明"]}]
    assert patient["gender"] == "female" and patient["birthDate"] == "1958-01-15"
    assert "telecom" not in patient


def test_resident_id_uses_the_national_oid_and_phone_goes_to_telecom():
    note = exchange("headache-01", patient_document_type="resident_id",
                    patient_document_number=ID_NUMBER, patient_phone="13800138000")
    bundle = note_to_bundle(note, KNOWLEDGE)
    patient = one(bundle, "Patient")
    national = patient["identifier"][1]
    assert national["system"] == "urn:oid:2.16.156.10011.1.3"
    assert national["value"] == ID_NUMBER
    assert national["type"]["text"] == "居民身份证"
    assert patient["telecom"] == [{"system": "phone", "value": "13800138000", "use": "mobile"}]
    # the conditional create searches on our id, so the ID number never lands in a URL or a log
    patient_entry = next(e for e in bundle["entry"] if e["resource"] is patient)
    assert ID_NUMBER not in patient_entry["request"]["ifNoneExist"]


def test_other_documents_get_our_own_identifier_system():
    note = exchange("headache-01", patient_document_type="passport",
                    patient_document_number="E12345678")
    national = one(note_to_bundle(note, KNOWLEDGE), "Patient")["identifier"][1]
    assert national["system"] == f"{SID}/passport" and national["value"] == "E12345678"
    assert national["type"]["coding"][0]["code"] == "PPN"


@pytest.mark.parametrize(("name", "family", "given"), [
    ("张三", "张", ["三"]), ("欧阳娜娜", "欧阳", ["娜娜"]), ("司马光", "司马", ["光"]),
    ("John Smith", None, None), ("买买提·艾力", None, None), ("王", None, None)])
def test_chinese_names_are_split_family_first_and_text_is_always_kept(name, family, given):
    patient = one(note_to_bundle(exchange("headache-01", patient_name=name), KNOWLEDGE),
                  "Patient")
    assert patient["name"][0]["text"] == name
    assert patient["name"][0].get("family") == family
    assert patient["name"][0].get("given") == given


def test_encounter_is_a_planned_ambulatory_visit_with_the_booking():
    note = exchange("headache-01", booking_id="BK-20250305-001")
    bundle = note_to_bundle(note, KNOWLEDGE)
    encounter = one(bundle, "Encounter")
    assert encounter["status"] == "planned"
    assert encounter["class"]["code"] == "AMB"
    assert encounter["class"]["system"] == "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    assert encounter["subject"]["reference"] == full_url(bundle, "Patient")
    assert encounter["serviceProvider"]["reference"] == full_url(bundle, "Organization")
    assert {"system": f"{SID}/encounter", "value": note.encounter_id} in encounter["identifier"]
    assert {"system": f"{SID}/booking", "value": "BK-20250305-001"} in encounter["identifier"]
    organization = one(bundle, "Organization")
    assert organization["identifier"] == [{"system": f"{SID}/organization", "value": "H001"}]


def test_without_an_organization_there_is_no_organization_entry():
    bundle = note_to_bundle(exchange("headache-01", organization=None), KNOWLEDGE)
    assert not resources(bundle, "Organization")
    assert "serviceProvider" not in one(bundle, "Encounter")
    assert "custodian" not in one(bundle, "Composition")


# -- what the patient reported ----------------------------------------------------------------


def test_allergies_are_patient_reported_and_coded_with_the_lexicon():
    bundle = note_to_bundle(exchange("headache-01"), KNOWLEDGE)
    allergy = one(bundle, "AllergyIntolerance")
    patient = full_url(bundle, "Patient")
    assert allergy["code"] == {"coding": [{
        "system": f"{FRONTDOOR_SYSTEM}/CodeSystem/lexicon-drugs", "code": "penicillin",
        "display": "青霉素"}], "text": "青霉素"}
    assert allergy["category"] == ["medication"]
    assert allergy["clinicalStatus"]["coding"][0]["code"] == "active"
    assert allergy["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    assert {allergy[k]["reference"] for k in ("patient", "recorder", "asserter")} == {patient}


def test_food_allergies_have_the_food_category():
    spec_id = next(p["id"] for p in SPECS if slot_value(p["id"], "allergy.foods"))
    bundle = note_to_bundle(exchange(spec_id), KNOWLEDGE)
    foods = [a for a in resources(bundle, "AllergyIntolerance") if a["category"] == ["food"]]
    assert [a["code"]["coding"][0]["code"] for a in foods] == slot_value(spec_id,
                                                                          "allergy.foods")
    assert foods[0]["code"]["coding"][0]["system"].endswith("/CodeSystem/lexicon-foods")


def test_chronic_diseases_and_the_chief_complaint_become_conditions():
    bundle = note_to_bundle(exchange("headache-01"), KNOWLEDGE)
    conditions = {c["code"]["coding"][0]["code"]: c for c in resources(bundle, "Condition")}
    assert set(conditions) == {"headache", "hypertension"}
    chronic = conditions["hypertension"]
    assert chronic["category"][0]["coding"][0]["code"] == "problem-list-item"
    assert chronic["code"]["text"] == "高血压"
    assert chronic["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    assert chronic["encounter"]["reference"] == full_url(bundle, "Encounter")
    chief = conditions["headache"]
    assert chief["category"][0]["coding"][0]["code"] == "chief-complaint"
    assert chief["code"]["text"] == "头痛"
    assert datetime.fromisoformat(chief["onsetDateTime"]) == CONFIRMED - timedelta(days=4.5)


def test_infectious_diseases_become_conditions():
    spec_id = next(p["id"] for p in SPECS if slot_value(p["id"], "past.infectious_diseases"))
    bundle = note_to_bundle(exchange(spec_id), KNOWLEDGE)
    codes = [c["code"]["coding"] for c in resources(bundle, "Condition")]
    infectious = [c[0]["code"] for c in codes if "lexicon-infectious-diseases" in c[0]["system"]]
    assert infectious == slot_value(spec_id, "past.infectious_diseases")


def test_no_onset_when_the_duration_is_unknown():
    note = exchange("headache-01")
    slots = [dict(s, value=None, display="") if s["key"] == "chief_complaint.duration" else s
             for s in note.slots]
    bundle = note_to_bundle(exchange("headache-01", slots=slots), KNOWLEDGE)
    chief = next(c for c in resources(bundle, "Condition")
                 if c["code"]["coding"][0]["code"] == "headache")
    assert "onsetDateTime" not in chief
    assert bundle_to_slots(bundle) == slots


def test_red_flag_becomes_a_flag_in_the_alert_section():
    spec_id = next(p["id"] for p in SPECS if played(p["id"])[2] is not None)
    note = exchange(spec_id)
    bundle = note_to_bundle(note, KNOWLEDGE)
    flag = one(bundle, "Flag")
    assert flag["status"] == "active"
    assert flag["category"][0]["coding"][0]["code"] == "clinical"
    assert flag["code"]["text"] == note.red_flag["name"]
    assert flag["code"]["coding"][0]["code"] == note.red_flag["rule"]
    assert [e["valueString"] for e in flag["extension"]] == note.red_flag["words"]
    assert flag["subject"]["reference"] == full_url(bundle, "Patient")
    alerts = section(bundle, "104605-1")
    assert alerts["entry"] == [{"reference": full_url(bundle, "Flag")}]
    assert note.red_flag["name"] in alerts["text"]["div"]


def test_notes_without_red_flags_or_allergies_have_none():
    spec_id = next(p["id"] for p in SPECS if played(p["id"])[2] is None
                   and not slot_value(p["id"], "allergy.drugs")
                   and not slot_value(p["id"], "allergy.foods"))
    bundle = note_to_bundle(exchange(spec_id), KNOWLEDGE)
    assert not resources(bundle, "Flag") and not resources(bundle, "AllergyIntolerance")


# -- the document ---------------------------------------------------------------------------


def test_composition_is_a_history_and_physical_note_with_loinc_sections():
    note = exchange("headache-01")
    bundle = note_to_bundle(note, KNOWLEDGE)
    composition = one(bundle, "Composition")
    assert composition["status"] == "final" and composition["title"] == "预问诊记录"
    assert composition["type"]["coding"][0] == {"system": LOINC, "code": "34117-2",
                                                "display": "History and physical note"}
    assert composition["identifier"] == {"system": f"{SID}/pre-visit-note",
                                         "value": note.note_id}
    assert composition["author"] == [{"reference": full_url(bundle, "Patient")}]
    assert composition["encounter"]["reference"] == full_url(bundle, "Encounter")
    assert "relatesTo" not in composition
    codes = {s["title"]: s["code"]["coding"][0]["code"] for s in composition["section"]}
    assert codes == {"主诉": "10154-3", "现病史": "10164-2", "既往史": "11348-0",
                     "个人史": "29762-2", "家族史": "10157-6", "过敏史": "48765-2"}
    by_title = {s["title"]: s for s in composition["section"]}
    assert by_title["过敏史"]["entry"] == [{"reference": full_url(bundle, "AllergyIntolerance")}]
    assert len(by_title["既往史"]["entry"]) == 1 and len(by_title["主诉"]["entry"]) == 1
    assert "entry" not in by_title["现病史"]
    for title, text in (line.split("：", 1) for line in note.narrative.splitlines()):
        div = parse_div(by_title[title]["text"]["div"])
        assert by_title[title]["text"]["status"] == "generated"
        assert div.tag == "{http://www.w3.org/1999/xhtml}div"
        assert "".join(div.itertext()) == text


def test_obstetric_and_paediatric_sections():
    obstetric = next(p["id"] for p in SPECS if "月经婚育史：" in played(p["id"])[1].narrative)
    assert section(note_to_bundle(exchange(obstetric), KNOWLEDGE), "10162-6")["title"] \
        == "月经婚育史"
    child = next(p["id"] for p in SPECS if "出生及生长发育史：" in played(p["id"])[1].narrative)
    composition = one(note_to_bundle(exchange(child), KNOWLEDGE), "Composition")
    paediatric = next(s for s in composition["section"] if s["title"] == "出生及生长发育史")
    assert paediatric["code"]["coding"][0] == {
        "system": f"{FRONTDOOR_SYSTEM}/CodeSystem/note-section", "code": "paediatric",
        "display": "出生及生长发育史"}


def test_chinese_text_is_escaped_in_the_narrative_divs():
    narrative = "主诉：头痛<3天 & 呕吐>2次 <script>alert(1)</script>\n现病史：患者说\"很疼\"。"
    bundle = note_to_bundle(exchange("headache-01", narrative=narrative), KNOWLEDGE)
    composition = one(bundle, "Composition")
    chief = section(bundle, "10154-3")["text"]["div"]
    assert chief == ('<div xmlns="http://www.w3.org/1999/xhtml"><p>头痛&lt;3天 &amp; 呕吐&gt;2次 '
                     '&lt;script&gt;alert(1)&lt;/script&gt;</p></div>')
    whole = parse_div(composition["text"]["div"])
    assert [p.text for p in whole] == ["主诉：头痛<3天 & 呕吐>2次 <script>alert(1)</script>",
                                       "现病史：患者说\"很疼\"。"]
    assert "<script>" not in json.dumps(bundle, ensure_ascii=False)


def test_coded_facts_without_a_narrative_line_still_get_a_section():
    note = exchange("headache-01")
    narrative = "\n".join(line for line in note.narrative.splitlines()
                          if not line.startswith("过敏史"))
    bundle = note_to_bundle(exchange("headache-01", narrative=narrative), KNOWLEDGE)
    allergies = section(bundle, "48765-2")
    assert allergies["entry"] == [{"reference": full_url(bundle, "AllergyIntolerance")}]
    assert "青霉素" in allergies["text"]["div"]


def test_an_unknown_narrative_section_is_kept_under_a_local_code():
    note = exchange("headache-01", narrative=note_narrative("headache-01") + "\n其他：无特殊。")
    other = next(s for s in one(note_to_bundle(note, KNOWLEDGE), "Composition")["section"]
                 if s["title"] == "其他")
    assert other["code"]["coding"][0]["code"] == "other"


def test_amendment_replaces_the_superseded_note():
    original = exchange("headache-01")
    amended_slots = [dict(s, value=["penicillin", "cephalosporin"], display="青霉素、头孢")
                     if s["key"] == "allergy.drugs" else s for s in original.slots]
    amended = exchange("headache-01", note_id=str(uuid.uuid4()), version=2,
                       supersedes_id=original.note_id, slots=amended_slots)
    first, second = (note_to_bundle(n, KNOWLEDGE) for n in (original, amended))
    composition = one(second, "Composition")
    assert composition["relatesTo"] == [{"code": "replaces", "targetIdentifier": {
        "system": f"{SID}/pre-visit-note", "value": original.note_id}}]
    assert composition["extension"][0]["valueString"] == "2"
    assert second["identifier"] != first["identifier"]
    # the same patient, visit and reported facts (matched by ifNoneExist, not listed twice);
    # a new document and questionnaire response; the added allergy is new
    def urls(bundle, *kinds):
        return {e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] in kinds}

    kept = ("Patient", "Encounter", "Organization", "Condition", "Flag")
    assert urls(first, *kept) == urls(second, *kept)
    assert not urls(first, "Composition", "QuestionnaireResponse") & urls(
        second, "Composition", "QuestionnaireResponse")
    assert urls(first, "AllergyIntolerance") < urls(second, "AllergyIntolerance")
    assert len(resources(second, "AllergyIntolerance")) == 2
    assert bundle_to_slots(second) == amended_slots


# -- the questionnaire and the responses -----------------------------------------------------


def test_questionnaire_validates_and_answers_point_at_it():
    resource = questionnaire(KNOWLEDGE)
    Questionnaire.model_validate(resource)
    assert resource["url"] == f"{FRONTDOOR_SYSTEM}/Questionnaire/pre-visit"
    assert resource["status"] == "active" and resource["version"]
    link_ids = [item["linkId"] for item in resource["item"]]
    assert len(link_ids) == len(set(link_ids))
    response = one(note_to_bundle(exchange("headache-01"), KNOWLEDGE), "QuestionnaireResponse")
    assert response["questionnaire"] == f"{resource['url']}|{resource['version']}"
    assert questionnaire(KNOWLEDGE) == resource  # stable


def test_questionnaire_has_every_question_any_corpus_note_answers():
    link_ids = {item["linkId"]: item for item in questionnaire(KNOWLEDGE)["item"]}
    answered = set()
    for spec in SPECS:
        response = one(note_to_bundle(exchange(spec["id"]), KNOWLEDGE), "QuestionnaireResponse")
        answered |= {item["linkId"] for item in response["item"]}
    assert answered <= set(link_ids)
    assert {"chief_complaint.symptom", "present_illness.negatives", "allergy.drugs"} <= answered
    assert question_keys(KNOWLEDGE) == set(link_ids)
    assert link_ids["allergy.drugs"]["type"] == "open-choice"
    assert link_ids["present_illness.site"]["text"] == "部位"  # asked differently per complaint


def test_response_items_carry_the_slot_exactly():
    bundle = note_to_bundle(exchange("headache-01"), KNOWLEDGE)
    response = one(bundle, "QuestionnaireResponse")
    assert response["status"] == "completed"
    assert response["source"]["reference"] == full_url(bundle, "Patient")
    assert datetime.fromisoformat(response["authored"]) == CONFIRMED
    item = next(i for i in response["item"] if i["linkId"] == "past.chronic_diseases")
    assert item["text"] == "既往疾病"  # the 病历 label, not the question asked
    assert item["answer"] == [{"valueString": "高血压"}]
    extensions = {e["url"].rsplit("/", 1)[1]: e for e in item["extension"]}
    assert json.loads(extensions["slot-value"]["valueString"]) == ["hypertension"]
    assert extensions["patient-words"]["valueString"] == "以前有高血压，一直吃硝苯地平"
    assert extensions["slot-turn"]["valueInteger"] == 7
    assert extensions["slot-source"]["valueCode"] == "patient"
    assert extensions["slot-uncertain"]["valueBoolean"] is False


def test_empty_display_and_words_and_keyless_labels_round_trip():
    note = exchange("headache-01")
    slots = copy.deepcopy(note.slots)
    # Notes stored before slots had 病历 labels carry the key as their label.
    slots[1].update(value=None, display="", words="", uncertain=True, source="known",
                    label=slots[1]["key"])
    bundle = note_to_bundle(exchange("headache-01", slots=slots), KNOWLEDGE)
    item = one(bundle, "QuestionnaireResponse")["item"][1]
    assert "answer" not in item and "text" not in item
    assert bundle_to_slots(bundle) == slots


# -- what cannot be mapped -------------------------------------------------------------------


def broken_slot(**changes):
    slots = copy.deepcopy(exchange("headache-01").slots)
    slots[0].update(changes)
    return {"slots": slots}


@pytest.mark.parametrize(("changes", "message"), [
    ({"confirmed_at": datetime(2025, 3, 5, 9, 30)}, "timezone-aware"),
    ({"note_id": "note-17"}, "note_id must be a UUID"),
    ({"encounter_id": ""}, "encounter_id must be a UUID"),
    ({"version": 0}, "version"),
    ({"patient_sex": "unknown"}, "male or female"),
    ({"patient_name": "  "}, "name is empty"),
    ({"patient_document_number": ID_NUMBER}, "document type"),
    ({"narrative": "主诉头痛三天"}, "标题：内容"),
    ({"narrative": "主诉：头痛\x01三天"}, "XHTML"),
    ({"red_flag": {"rule": "x", "words": []}}, "red_flag"),
    ({"slots": [], "narrative": ""}, "empty"),
    ({"slots": "headache"}, "list"),
    (broken_slot(key="present_illness.mood"), "not an item"),
    (broken_slot(value=("headache",)), "JSON round trip"),
    (broken_slot(value=float("nan")), "JSON round trip"),
    (broken_slot(turn="1"), "turn"),
    (broken_slot(source=" patient"), "source"),
    (broken_slot(uncertain=None), "uncertain"),
    (broken_slot(words="\u3000"), "not valid FHIR R4"),
    ({"slots": [*broken_slot()["slots"], broken_slot()["slots"][0]]}, "twice"),
])
def test_unmappable_notes_raise_mapping_error(changes, message):
    with pytest.raises(MappingError, match=re.escape(message)):
        note_to_bundle(exchange("headache-01", **changes), KNOWLEDGE)


def test_extra_slot_fields_are_refused_rather_than_lost():
    slots = copy.deepcopy(exchange("headache-01").slots)
    slots[0]["confidence"] = 0.9
    with pytest.raises(MappingError, match="exactly the fields"):
        note_to_bundle(exchange("headache-01", slots=slots), KNOWLEDGE)


def test_mapping_errors_do_not_quote_the_patients_words():
    with pytest.raises(MappingError) as caught:
        note_to_bundle(exchange("headache-01", **broken_slot(words="\u3000")), KNOWLEDGE)
    assert "\u3000" not in str(caught.value) and "input" not in str(caught.value)


def test_bundle_to_slots_refuses_what_it_cannot_read():
    bundle = note_to_bundle(exchange("headache-01"), KNOWLEDGE)
    with pytest.raises(MappingError, match="not a FHIR Bundle"):
        bundle_to_slots({"resourceType": "Patient"})
    without = dict(bundle, entry=[e for e in bundle["entry"]
                                  if e["resource"]["resourceType"] != "QuestionnaireResponse"])
    with pytest.raises(MappingError, match="found 0"):
        bundle_to_slots(without)
    damaged = copy.deepcopy(bundle)
    item = one(damaged, "QuestionnaireResponse")["item"][0]
    item["extension"] = [e for e in item["extension"] if not e["url"].endswith("/slot-value")]
    with pytest.raises(MappingError, match="slot-value"):
        bundle_to_slots(damaged)


def test_the_benchmark_does_not_need_flask():
    code = ("import sys, bench.fhir_mapping; "
            "sys.exit(any(m in sys.modules for m in ('flask', 'sqlalchemy')))")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_a_reference_receiver_stores_each_fact_once_across_retries_and_amendments():
    receiver = pytest.importorskip("simulators.fhir_receiver").create_fhir_receiver({"token"})
    client = receiver.test_client()
    headers = {"Authorization": "Bearer token", "Content-Type": "application/fhir+json"}

    def post(bundle: dict) -> dict[str, int]:
        answer = client.post("/fhir", data=json.dumps(bundle, ensure_ascii=False).encode(),
                             headers=headers)
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["type"] == "transaction-response"
        return client.get("/_sim/received").get_json()["counts"]

    try:
        original = exchange("headache-01")
        bundle = note_to_bundle(original, KNOWLEDGE)
        stored = post(bundle)
        expected = {"Patient": 1, "Organization": 1, "Encounter": 1, "Composition": 1,
                    "QuestionnaireResponse": 1, "Condition": 2, "AllergyIntolerance": 1}
        assert {k: stored.get(k, 0) for k in expected} == expected
        # a retry, even one the receiver cannot recognise as a replay, creates nothing
        without_bundle_identifier = {k: v for k, v in bundle.items() if k != "identifier"}
        assert post(bundle) == post(without_bundle_identifier) == stored
        slots = [dict(s, value=["penicillin", "cephalosporin"], display="青霉素、头孢菌素类")
                 if s["key"] == "allergy.drugs" else s for s in original.slots]
        amended = exchange("headache-01", note_id=str(uuid.uuid4()), version=2,
                           supersedes_id=original.note_id, slots=slots)
        after = post(note_to_bundle(amended, KNOWLEDGE))
        assert {k: after.get(k, 0) for k in expected} == dict(
            expected, Composition=2, QuestionnaireResponse=2, AllergyIntolerance=2)
    finally:
        receiver.extensions["fhir_receiver"].close()
