"""Talking to the assistant through the API: triage, red flags, resume, the pre-visit note."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from backend.demo.seed import seed
from backend.extensions import db
from backend.models import AuditEntry, Organization
from tests import factories as f


@pytest.fixture()
def patient(ctx):
    seed()
    acct = f.account()
    profile = f.profile(acct, name="王建军", birth=date(1960, 5, 1), male=True)
    hospital = db.session.execute(
        select(Organization).where(Organization.code == "H001")).scalar_one()
    return {"headers": f.bearer(f.account_token(acct)), "profile": str(profile.external_id),
            "hospital": str(hospital.external_id)}


def start(client, patient, mode="triage"):
    response = client.post("/api/v1/mp/conversations", headers=patient["headers"], json={
        "patient_id": patient["profile"], "mode": mode, "hospital_id": patient["hospital"]})
    assert response.status_code == 201, response.json
    return response.json["data"]


def say(client, patient, conversation_id, text):
    response = client.post(f"/api/v1/mp/conversations/{conversation_id}/messages",
                           headers=patient["headers"], json={"text": text})
    assert response.status_code == 200, response.json
    return response.json["data"]


def test_triage_conversation_recommends_a_department_with_reasons(client, patient):
    conversation = start(client, patient)
    first = conversation["last_turn"]
    assert first["question"] == "chief_complaint.symptom"
    assert first["quick_replies"] and not first["done"]
    turn = say(client, patient, conversation["id"], "胸口痛，走路快了就疼，歇一歇就好")
    for answer in ["两三个月了", "压着疼", "说不清", "没有别的"]:
        if turn["done"]:
            break
        turn = say(client, patient, conversation["id"], answer)
    assert turn["stage"] == "triage_result", turn
    codes = [r["code"] for r in turn["triage"]]
    assert "CARD" in codes
    top = turn["triage"][0]
    assert top["reason"].startswith("因为：") and 0 < top["confidence"] <= 1


def test_red_flag_stops_the_interview_and_is_recorded(client, patient):
    conversation = start(client, patient, mode="pre_consultation")
    turn = say(client, patient, conversation["id"], "胸口压着疼，出了一身冷汗")
    assert turn["stage"] == "emergency" and turn["done"]
    assert "120" in turn["text"]
    assert turn["red_flag"]["words"]
    again = say(client, patient, conversation["id"], "那我还要回答什么")
    assert again["stage"] == "emergency"
    entries = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "conversation.red_flag" in entries


def test_negated_danger_sign_does_not_raise_a_red_flag(client, patient):
    conversation = start(client, patient)
    turn = say(client, patient, conversation["id"], "胸口有点疼，没有出汗，也不喘")
    assert turn["red_flag"] is None and turn["stage"] != "emergency"


def test_an_unfinished_conversation_can_be_resumed(client, patient):
    conversation = start(client, patient, mode="pre_consultation")
    say(client, patient, conversation["id"], "头疼三天了，有点恶心")
    listed = client.get(f"/api/v1/mp/conversations?unfinished=true&patient_id={patient['profile']}",
                        headers=patient["headers"]).json["data"]
    assert [c["id"] for c in listed] == [conversation["id"]]
    resumed = client.get(f"/api/v1/mp/conversations/{conversation['id']}",
                         headers=patient["headers"]).json["data"]
    assert resumed["transcript"][1]["text"] == "头疼三天了，有点恶心"
    assert resumed["last_turn"]["question"] != "chief_complaint.symptom"


def _complete_pre_consultation(client, patient, conversation_id, first_words, limit=60):
    turn = say(client, patient, conversation_id, first_words)
    for _ in range(limit):
        if turn["stage"] == "review":
            return turn
        turn = say(client, patient, conversation_id, "没有")
    raise AssertionError(f"never reached review: {turn}")


def test_pre_consultation_note_is_reviewed_confirmed_once_and_amended_as_versions(
        client, patient):
    conversation = start(client, patient, mode="pre_consultation")
    review = _complete_pre_consultation(client, patient, conversation["id"],
                                        "头疼三天了，有点恶心，以前有高血压，青霉素过敏")
    assert "主诉：头痛3天" in review["text"]
    draft = client.get(f"/api/v1/mp/conversations/{conversation['id']}/note",
                       headers=patient["headers"]).json["data"]
    slots = {s["key"]: s for s in draft["slots"]}
    assert slots["chief_complaint.symptom"]["value"] == "headache"
    assert slots["past.chronic_diseases"]["value"] == ["hypertension"]
    assert slots["allergy.drugs"]["value"] == ["penicillin"]
    assert slots["chief_complaint.symptom"]["words"]

    url = f"/api/v1/mp/conversations/{conversation['id']}/note/confirm"
    confirmed = client.post(url, headers=patient["headers"], json={})
    assert confirmed.status_code == 201
    note = confirmed.json["data"]
    assert note["version"] == 1 and note["narrative"].startswith("主诉：头痛3天")
    twice = client.post(url, headers=patient["headers"], json={})
    assert twice.json["data"]["id"] == note["id"]
    late_edit = client.post(url, headers=patient["headers"], json={
        "edits": [{"key": "personal.smoking", "value": "吸烟10年"}]})
    assert late_edit.status_code == 409

    amended = client.post(f"/api/v1/mp/notes/{note['id']}/amendments", headers=patient["headers"],
                          json={"edits": [{"key": "personal.smoking", "value": "吸烟10年"}],
                                "reason": "补充吸烟史"})
    assert amended.status_code == 201, amended.json
    assert amended.json["data"]["version"] == 2
    assert "吸烟10年" in amended.json["data"]["narrative"]
    original = client.get(f"/api/v1/mp/notes/{note['id']}", headers=patient["headers"])
    assert "吸烟10年" not in original.json["data"]["narrative"]
    stale = client.post(f"/api/v1/mp/notes/{note['id']}/amendments", headers=patient["headers"],
                        json={"edits": [{"key": "personal.alcohol", "value": "不喝酒"}],
                              "reason": "补充"})
    assert stale.status_code == 409


def test_known_facts_are_offered_for_confirmation_not_asked_again(client, patient):
    first = start(client, patient, mode="pre_consultation")
    _complete_pre_consultation(client, patient, first["id"], "头疼三天了，以前有高血压")
    client.post(f"/api/v1/mp/conversations/{first['id']}/note/confirm",
                headers=patient["headers"], json={})
    second = start(client, patient, mode="pre_consultation")
    turn = say(client, patient, second["id"], "咳嗽一周了")
    texts = []
    for _ in range(40):
        texts.append(turn["text"])
        if turn["stage"] == "review" or "上次您说过" in turn["text"]:
            break
        turn = say(client, patient, second["id"], "没有")
    assert any("上次您说过：高血压" in text for text in texts), texts


def test_message_validation_and_ownership(client, patient, ctx):
    conversation = start(client, patient)
    too_long = client.post(f"/api/v1/mp/conversations/{conversation['id']}/messages",
                           headers=patient["headers"], json={"text": "疼" * 501})
    assert too_long.status_code == 422
    stranger = f.bearer(f.account_token(f.account()))
    other = client.post(f"/api/v1/mp/conversations/{conversation['id']}/messages",
                        headers=stranger, json={"text": "你好"})
    assert other.status_code == 404
    foreign_start = client.post("/api/v1/mp/conversations", headers=stranger, json={
        "patient_id": patient["profile"], "mode": "triage"})
    assert foreign_start.status_code == 404


def test_identifiers_typed_into_the_chat_are_stored_masked_and_never_returned(
        client, patient, ctx):
    from backend.models import ConversationSession
    from backend.security.identifiers import mask_identifiers

    conversation = start(client, patient)
    number, phone = f.resident_id(date(1960, 5, 1)), "13812345678"
    say(client, patient, conversation["id"], f"头疼三天了，我身份证{number}，电话{phone}")
    shown = client.get(f"/api/v1/mp/conversations/{conversation['id']}",
                       headers=patient["headers"])
    assert shown.status_code == 200
    body = shown.get_data(as_text=True)
    assert number not in body and phone not in body
    assert number[:3] + "*" * 11 + number[-4:] in body
    db.session.expire_all()
    stored = db.session.execute(select(ConversationSession)).scalar_one()
    assert number not in str(stored.state) and phone not in str(stored.state)
    assert number not in str(stored.last_turn)
    message = db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "conversation.message")).scalar_one()
    assert message.detail["identifiers_masked"] == ["mobile", "resident_id"]
    # A transcript stored in clear before this change still leaves masked.
    state = dict(stored.state)
    state["transcript"] = [*state["transcript"],
                           {"role": "patient", "text": f"旧的{phone}", "turn": 9}]
    stored.state = state
    db.session.commit()
    again = client.get(f"/api/v1/mp/conversations/{conversation['id']}",
                       headers=patient["headers"]).get_data(as_text=True)
    assert phone not in again and mask_identifiers(phone).text in again


def test_the_message_limit_counts_per_session_however_the_header_is_spelt(
        simulators, patient):
    from tests.conftest import make_app

    limited = make_app(simulators, RATELIMIT_MESSAGES="3 per minute")
    client = limited.test_client()
    conversation = start(client, patient)
    token = patient["headers"]["Authorization"].split(" ", 1)[1]
    url = f"/api/v1/mp/conversations/{conversation['id']}/messages"
    statuses = [client.post(url, json={"text": "头疼"},
                            headers={"Authorization": f"{scheme} {token}"}).status_code
                for scheme in ("Bearer", "bearer", "BEARER", "Bearer ", "bEaReR")]
    assert statuses == [200, 200, 200, 429, 429]


def test_identifiers_typed_into_note_edits_reach_the_note_masked(client, patient):
    conversation = start(client, patient, mode="pre_consultation")
    _complete_pre_consultation(client, patient, conversation["id"], "头疼三天了")
    phone = "13912345678"
    confirmed = client.post(
        f"/api/v1/mp/conversations/{conversation['id']}/note/confirm",
        headers=patient["headers"],
        json={"edits": [{"key": "personal.smoking", "value": f"吸烟10年，电话{phone}"}]})
    assert confirmed.status_code == 201, confirmed.json
    body = confirmed.get_data(as_text=True)
    assert phone not in body and "139****5678" in body


def test_a_note_stored_with_an_identifier_in_clear_is_returned_masked(client, patient, ctx):
    from backend.models import PreVisitNote

    conversation = start(client, patient, mode="pre_consultation")
    _complete_pre_consultation(client, patient, conversation["id"], "头疼三天了")
    note = client.post(f"/api/v1/mp/conversations/{conversation['id']}/note/confirm",
                       headers=patient["headers"], json={}).json["data"]
    row = db.session.execute(select(PreVisitNote)).scalar_one()  # written by an older release
    row.narrative = row.narrative + "联系电话13712345678"
    db.session.commit()
    shown = client.get(f"/api/v1/mp/notes/{note['id']}", headers=patient["headers"])
    assert shown.status_code == 200
    assert "13712345678" not in shown.get_data(as_text=True)
    assert "137****5678" in shown.json["data"]["narrative"]
