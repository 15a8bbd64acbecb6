"""Talking to the assistant by voice through the API, with real recordings and the offline engines.

The recordings are the committed corpus (tests/speech/corpus), spoken by the offline voice; the
recognizer is faster-whisper with the Whisper base weights, as in the demo.
"""

from __future__ import annotations

import io
import wave
from datetime import date

import pytest
from sqlalchemy import select

from backend.demo.seed import seed
from backend.extensions import db
from backend.models import AuditEntry, Organization
from conversations.speech import Audio
from conversations.speech.audio import encode_audio
from tests import factories as f
from tests import speech_support as speech


@pytest.fixture()
def patient(ctx):
    seed()
    acct = f.account()
    profile = f.profile(acct, name="李秀兰", birth=date(1950, 2, 1), male=False)
    hospital = db.session.execute(
        select(Organization).where(Organization.code == "H001")).scalar_one()
    return {"headers": f.bearer(f.account_token(acct)), "profile": str(profile.external_id),
            "hospital": str(hospital.external_id)}


def start(client, patient, mode="pre_consultation"):
    response = client.post("/api/v1/mp/conversations", headers=patient["headers"], json={
        "patient_id": patient["profile"], "mode": mode, "hospital_id": patient["hospital"]})
    assert response.status_code == 201, response.json
    return response.json["data"]


def speak(client, patient, conversation_id, data: bytes, fmt: str):
    return client.post(f"/api/v1/mp/conversations/{conversation_id}/voice",
                       headers=patient["headers"], content_type="multipart/form-data",
                       query_string={"format": fmt},
                       data={"audio": (io.BytesIO(data), f"voice.{fmt}")})


def transcribe(client, patient, data: bytes, fmt: str):
    return client.post("/api/v1/mp/speech/transcriptions", headers=patient["headers"],
                       content_type="multipart/form-data", query_string={"format": fmt},
                       data={"audio": (io.BytesIO(data), f"voice.{fmt}")})


def play(client, url: str) -> Audio:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    with wave.open(io.BytesIO(response.data), "rb") as wav:
        return Audio(wav.readframes(wav.getnframes()), wav.getframerate())


def test_a_spoken_danger_sign_raises_the_same_red_flag_as_typed_words(client, patient):
    spoken = start(client, patient)
    response = speak(client, patient, spoken["id"], speech.recording("rf01"), "ogg")
    assert response.status_code == 200, response.json
    result = response.json["data"]
    assert "胸口疼" in result["transcript"] and "冷汗" in result["transcript"]
    assert result["turn"]["stage"] == "emergency" and "120" in result["turn"]["text"]

    typed = start(client, patient)
    reply = client.post(f"/api/v1/mp/conversations/{typed['id']}/messages",
                        headers=patient["headers"], json={"text": result["transcript"]}).json
    assert reply["data"]["red_flag"]["rule"] == result["turn"]["red_flag"]["rule"]
    assert reply["data"]["text"] == result["turn"]["text"]
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("conversation.red_flag") == 2


def test_the_reply_is_spoken_sentence_by_sentence_and_the_transcript_kept(client, patient):
    conversation = start(client, patient)
    response = speak(client, patient, conversation["id"], speech.recording("ok01"), "ogg")
    result = response.json["data"]
    assert result["transcript"].startswith("我要找医生")
    clips = result["speech"]
    assert clips and "".join(c["text"] for c in clips).replace(" ", "") == \
        result["turn"]["text"].replace(" ", "")
    first = play(client, clips[0]["url"])
    assert first.duration_s > 0.5
    heard = speech.recognizer().transcribe(
        speech.audio_of_wav(first).pcm).text  # the spoken reply says what the text says
    assert heard and heard[0] == clips[0]["text"][0]
    again = client.get(f"/api/v1/mp/conversations/{conversation['id']}",
                       headers=patient["headers"]).json["data"]
    patient_words = [m["text"] for m in again["transcript"] if m["role"] == "patient"]
    assert result["transcript"] in patient_words


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "wav", "silk", "pcm"])
def test_every_recorder_format_is_understood(client, patient, fmt):
    response = transcribe(client, patient, speech.encoded("ok01", fmt), fmt)
    assert response.status_code == 200, response.json
    assert "医生" in response.json["data"]["transcript"]


def test_unusable_recordings_are_refused_in_plain_words(client, patient):
    conversation = start(client, patient)
    cases = [
        (b"ID3" + b"\x00" * 4000, "mp3", "audio_undecodable"),
        (encode_audio(Audio(b"\x00\x00" * 1600, 16000), "mp3"), "mp3", "audio_too_short"),
        (b"\x01" * 900_001, "pcm", "audio_too_large"),
        (encode_audio(Audio(b"\x00\x00" * 16000 * 61, 16000), "mp3", bit_rate=16000), "mp3",
         "audio_too_long"),
    ]
    for data, fmt, code in cases:
        response = speak(client, patient, conversation["id"], data, fmt)
        assert response.status_code == 422, (code, response.json)
        assert response.json["error"]["code"] == code
        assert response.json["error"]["field"] == "audio"
    whole_body_too_big = speak(client, patient, conversation["id"], b"\x00" * 1_100_000, "pcm")
    assert whole_body_too_big.status_code == 413
    response = speak(client, patient, conversation["id"], b"x" * 100, "flac")
    assert response.status_code == 422 and response.json["error"]["field"] == "format"
    again = client.get(f"/api/v1/mp/conversations/{conversation['id']}",
                       headers=patient["headers"]).json["data"]
    assert [m for m in again["transcript"] if m["role"] == "patient"] == []


def test_silence_is_not_sent_to_the_assistant(client, patient):
    conversation = start(client, patient)
    response = speak(client, patient, conversation["id"], b"\x00\x00" * 16000 * 2, "pcm")
    assert response.status_code == 422 and response.json["error"]["code"] == "nothing_heard"
    assert "再说一遍" in response.json["error"]["message"]


def test_someone_elses_conversation_is_not_found_before_any_listening(client, patient):
    conversation = start(client, patient)
    stranger = f.bearer(f.account_token(f.account()))
    response = client.post(f"/api/v1/mp/conversations/{conversation['id']}/voice",
                           headers=stranger, content_type="multipart/form-data",
                           query_string={"format": "ogg"},
                           data={"audio": (io.BytesIO(speech.recording("ok01")), "v.ogg")})
    assert response.status_code == 404


def test_any_text_can_be_read_aloud_and_links_expire(client, patient):
    response = client.post("/api/v1/mp/speech", headers=patient["headers"],
                           json={"text": "您好。请问哪里不舒服？"})
    assert response.status_code == 201, response.json
    clips = response.json["data"]["speech"]
    assert [c["text"] for c in clips] == ["您好。", "请问哪里不舒服？"]
    assert play(client, clips[1]["url"]).duration_s > 0.5
    assert client.get("/api/v1/mp/speech/not-a-real-token").status_code == 404
    phone = client.post("/api/v1/mp/speech", headers=patient["headers"],
                        json={"text": "我的电话是13912345678。"}).json["data"]["speech"]
    assert "13912345678" not in phone[0]["text"]
    unauthenticated = client.post("/api/v1/mp/speech", json={"text": "您好"})
    assert unauthenticated.status_code == 401
