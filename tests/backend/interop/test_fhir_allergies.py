"""过敏史 in the FHIR bundle: each allergy an AllergyIntolerance in the category FHIR's value set
gives it (pollen, latex and stings `environment`, an antitoxin `biologic`), with the reaction the
patient gave as its manifestation (pure Python: no Flask, no database)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timedelta, timezone
from functools import cache

from backend.interop.fhir import (
    NoteForExchange,
    PatientInfo,
    bundle_to_slots,
    note_to_bundle,
    question_keys,
)
from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.state import PatientContext

KNOWLEDGE = default_knowledge()
ASSISTANT = Assistant(KNOWLEDGE)
CONFIRMED = datetime(2026, 4, 2, 10, 0, tzinfo=timezone(timedelta(hours=8)))


@cache
def note_after(*allergy_answers: str):
    """A calm interview whose allergy questions are answered with `allergy_answers`."""
    state, _ = ASSISTANT.start("pre_consultation",
                               dataclasses.replace(PatientContext(age_years=40, sex="female")))
    ASSISTANT.reply(state, "后背疼了两个礼拜")
    answers = list(allergy_answers)
    for _ in range(60):
        if not answers or state.finished:
            break
        if state.current in ("allergy.drugs", "allergy.foods"):
            ASSISTANT.reply(state, answers.pop(0))
        else:
            ASSISTANT.reply(state, "在超市上班" if state.current == "personal.occupation"
                            else "没有")
    assert not answers, "the allergy questions were never asked"
    return ASSISTANT.note(state)


def bundle_of(note) -> dict:
    key = uuid.uuid5(uuid.NAMESPACE_URL, note.narrative)
    exchange = NoteForExchange(
        note_id=str(uuid.uuid5(key, "note")), version=1, supersedes_id=None,
        conversation_id=str(uuid.uuid5(key, "conversation")), confirmed_at=CONFIRMED,
        narrative=note.narrative, slots=[vars(s) for s in note.slots], red_flag=None,
        patient=PatientInfo(id=str(uuid.uuid5(key, "patient")), name="李红", sex="female",
                            birth_date=date(1986, 5, 1)),
        organization=None, encounter_id=str(uuid.uuid5(key, "encounter")))
    return note_to_bundle(exchange, KNOWLEDGE)


def allergies(bundle: dict) -> dict[str, dict]:
    return {e["resource"]["code"]["coding"][0]["code"]: e["resource"] for e in bundle["entry"]
            if e["resource"]["resourceType"] == "AllergyIntolerance"}


def test_pollen_and_latex_are_environment_allergies_with_their_reaction():
    note = note_after("药物不过敏，就是花粉过敏，一到春天就打喷嚏", "还对乳胶手套过敏 起疹子")
    found = allergies(bundle_of(note))
    assert found["pollen"]["category"] == ["environment"]
    assert found["pollen"]["code"]["coding"][0]["system"].endswith(
        "/CodeSystem/lexicon-other-allergens")
    assert found["pollen"]["code"]["text"] == "花粉"
    assert found["pollen"]["reaction"] == [{"manifestation": [{"text": "打喷嚏"}]}]
    assert found["latex"]["category"] == ["environment"]
    assert found["latex"]["verificationStatus"]["coding"][0]["code"] == "unconfirmed"


def test_an_insect_sting_is_environment_and_an_antitoxin_biologic():
    note = note_after("打了破伤风针胳膊肿了一大块", "被蜜蜂蜇过 全身起风团")
    found = allergies(bundle_of(note))
    assert found["tetanus_antitoxin"]["category"] == ["biologic"]
    assert found["tetanus_antitoxin"]["reaction"][0]["manifestation"] == [{"text": "局部肿胀"}]
    assert found["insect_venom"]["category"] == ["environment"]


def test_a_medicine_stays_medication_and_each_reaction_is_one_manifestation():
    note = note_after("青霉素过敏 起疹子 还喘不上气", "没有")
    found = allergies(bundle_of(note))
    assert found["penicillin"]["category"] == ["medication"]
    texts = [m["text"] for m in found["penicillin"]["reaction"][0]["manifestation"]]
    assert texts == ["皮疹", "呼吸困难"]


def test_the_other_allergies_slot_is_in_the_questionnaire_and_reads_back():
    note = note_after("尘螨和猫毛都过敏", "没有")
    assert "allergy.others" in question_keys(KNOWLEDGE)
    bundle = bundle_of(note)
    back = {s["key"]: s["value"] for s in bundle_to_slots(bundle)}
    assert back["allergy.others"] == ["dust_mite", "cat_dander"]
    allergy_section = next(s for s in next(
        e["resource"] for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Composition")["section"] if s["title"] == "过敏史")
    assert len(allergy_section["entry"]) == 2
