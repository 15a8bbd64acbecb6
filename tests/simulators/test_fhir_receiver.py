"""The FHIR R4 receiver simulator over real HTTP: transactions, idempotency, faults, SM2."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
import requests

from backend.interop import sm2
from simulators.fhir_receiver import FHIR_JSON, create_fhir_receiver
from simulators.server import SimulatorServer

TOKEN = "emr-token-1"
OTHER_TOKEN = "emr-token-2"
MRN = "urn:oid:1.2.156.112604.1.2.1"  # the hospital's medical record numbers
NOTE_IDS = "https://frontdoor.example/fhir/previsit-note"
BUNDLE_IDS = "https://frontdoor.example/fhir/bundle"


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(create_fhir_receiver({TOKEN, OTHER_TOKEN})) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(server):
    requests.post(server.url + "/_sim/reset", timeout=5).raise_for_status()


@pytest.fixture(scope="module")
def signer() -> tuple[str, str]:
    return sm2.generate_keypair()


@pytest.fixture(scope="module")
def _signed_server(signer):
    app = create_fhir_receiver({TOKEN}, sm2_public_key_hex=signer[1])
    with SimulatorServer(app) as running:
        yield running


@pytest.fixture
def signed_server(_signed_server):
    """A receiver that requires an SM2-SM3 signature by `signer`, reset for each test."""
    requests.post(_signed_server.url + "/_sim/reset", timeout=5).raise_for_status()
    return _signed_server


def note_bundle(bundle_id: str, mrn: str = "0001234", note_id: str | None = None,
                text: str = "头痛三天，伴低热。") -> dict[str, Any]:
    """Patient (conditional create on the MRN) + Encounter + Composition, linked by urn:uuid."""
    patient, encounter, note = (f"urn:uuid:{uuid.uuid4()}" for _ in range(3))
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "identifier": {"system": BUNDLE_IDS, "value": bundle_id},
        "entry": [
            {"fullUrl": patient,
             "resource": {"resourceType": "Patient",
                          "identifier": [{"system": MRN, "value": mrn}],
                          "name": [{"text": "张三"}]},
             "request": {"method": "POST", "url": "Patient",
                         "ifNoneExist": f"identifier={MRN}|{mrn}"}},
            {"fullUrl": encounter,
             "resource": {"resourceType": "Encounter", "status": "planned",
                          "class": {"code": "AMB"}, "subject": {"reference": patient}},
             "request": {"method": "POST", "url": "Encounter"}},
            {"fullUrl": note,
             "resource": {"resourceType": "Composition", "status": "final",
                          "identifier": {"system": NOTE_IDS, "value": note_id or bundle_id},
                          "type": {"text": "Pre-visit note"}, "date": "2025-01-02T03:04:05Z",
                          "title": "诊前病史", "subject": {"reference": patient},
                          "encounter": {"reference": encounter},
                          "author": [{"display": "Front Door"}],
                          "section": [{"title": "主诉", "text": {"status": "generated",
                                       "div": f"<div>{text}</div>"},
                                       "entry": [{"reference": patient}]}]},
             "request": {"method": "POST", "url": "Composition",
                         "ifNoneExist": f"identifier={NOTE_IDS}|{note_id or bundle_id}"}},
        ],
    }


def post(server, payload: Any, *, token: str | None = TOKEN, path: str = "/fhir",
         content_type: str = FHIR_JSON, headers: dict[str, str] | None = None,
         timeout: float = 10) -> requests.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(
        payload, ensure_ascii=False).encode()
    sent = {"Content-Type": content_type, "Accept": FHIR_JSON, **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return requests.post(server.url + path, data=body, headers=sent, timeout=timeout)


def get(server, path: str, token: str | None = TOKEN, **params: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(server.url + path, params=params, headers=headers, timeout=10)


def received(server) -> dict[str, Any]:
    return requests.get(server.url + "/_sim/received", timeout=5).json()


def wait_until(predicate, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def behave(server, **behaviour: Any) -> None:
    requests.post(server.url + "/_sim/behaviour", json=behaviour, timeout=5).raise_for_status()


def assert_outcome(response: requests.Response, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"] and all(issue["severity"] == "error" for issue in body["issue"])
    return body["issue"]


def statuses(response: requests.Response) -> list[str]:
    return [entry["response"]["status"] for entry in response.json()["entry"]]


def locations(response: requests.Response) -> list[str]:
    return [entry["response"]["location"] for entry in response.json()["entry"]]


# -- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer wrong", f"Basic {TOKEN}",
                                           TOKEN])
def test_a_transaction_needs_a_known_bearer_token(server, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = post(server, note_bundle("b-auth"), token=None, headers=headers)
    issues = assert_outcome(response, 401)
    assert issues[0]["code"] == "login"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    state = received(server)
    assert state["bundles"] == [] and state["counts"] == {} and state["attempts"] == 1


def test_every_configured_token_is_accepted_and_reads_need_one_too(server):
    assert post(server, note_bundle("b-1"), token=TOKEN).status_code == 200
    assert post(server, note_bundle("b-2"), token=OTHER_TOKEN).status_code == 200
    assert_outcome(get(server, "/fhir/Patient", token=None), 401)
    assert_outcome(get(server, "/fhir/Patient", token="nope"), 401)
    assert get(server, "/fhir/metadata", token=None).json()["fhirVersion"] == "4.0.1"


# -- transactions --------------------------------------------------------------------------


def test_a_transaction_is_stored_and_answered(server):
    response = post(server, note_bundle("b-100"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(FHIR_JSON)
    answer = response.json()
    assert answer["resourceType"] == "Bundle" and answer["type"] == "transaction-response"
    assert statuses(response) == ["201 Created"] * 3
    for location, rtype in zip(locations(response), ["Patient", "Encounter", "Composition"],
                               strict=True):
        kind, rid, history, version = location.split("/")
        assert (kind, history, version) == (rtype, "_history", "1") and rid
    for entry in answer["entry"]:
        assert entry["response"]["etag"] == 'W/"1"'
        assert entry["fullUrl"] == f"{server.url}/fhir/" + "/".join(
            entry["response"]["location"].split("/")[:2])

    composition_path = "/fhir/" + "/".join(locations(response)[2].split("/")[:2])
    note = get(server, composition_path)
    assert note.status_code == 200 and note.headers["Content-Type"].startswith(FHIR_JSON)
    assert note.json()["title"] == "诊前病史"
    assert note.json()["meta"]["versionId"] == "1"
    assert note.headers["ETag"] == 'W/"1"'
    assert get(server, "/fhir/" + locations(response)[2]).json() == note.json()

    state = received(server)
    assert state["counts"] == {"Composition": 1, "Encounter": 1, "Patient": 1}
    assert state["attempts"] == 1
    [bundle] = state["bundles"]
    assert bundle["identifier"] == {"system": BUNDLE_IDS, "value": "b-100"}
    assert bundle["received_at"].endswith("Z") and bundle["replays"] == 0
    assert [e["status"] for e in bundle["entries"]] == ["201 Created"] * 3
    assert bundle["entries"][2]["resource"] == note.json()


def test_a_trailing_slash_and_plain_json_are_accepted(server):
    response = post(server, note_bundle("b-slash"), path="/fhir/",
                    content_type="application/json; charset=utf-8")
    assert response.status_code == 200 and statuses(response) == ["201 Created"] * 3


def test_urn_uuid_references_are_rewritten_to_the_assigned_ids(server):
    response = post(server, note_bundle("b-refs"))
    patient_ref, encounter_ref, note_ref = (
        "/".join(location.split("/")[:2]) for location in locations(response))
    note = get(server, f"/fhir/{note_ref}").json()
    assert note["subject"] == {"reference": patient_ref}
    assert note["encounter"] == {"reference": encounter_ref}
    assert note["section"][0]["entry"] == [{"reference": patient_ref}]
    assert get(server, f"/fhir/{encounter_ref}").json()["subject"] == {"reference": patient_ref}
    assert "urn:uuid:" not in json.dumps(received(server)["bundles"])


def test_a_replayed_bundle_creates_nothing_new(server):
    bundle = note_bundle("b-replay")
    first = post(server, bundle)
    replay = post(server, bundle)
    assert replay.status_code == 200
    assert statuses(replay) == ["200 OK"] * 3
    assert locations(replay) == locations(first)
    state = received(server)
    assert state["counts"] == {"Composition": 1, "Encounter": 1, "Patient": 1}
    assert len(state["bundles"]) == 1 and state["bundles"][0]["replays"] == 1
    assert state["attempts"] == 2


def test_a_second_note_for_the_same_patient_reuses_the_patient(server):
    first = post(server, note_bundle("b-first", mrn="0007"))
    second = post(server, note_bundle("b-second", mrn="0007", text="咳嗽一周"))
    assert statuses(second) == ["200 OK", "201 Created", "201 Created"]
    assert locations(second)[0] == locations(first)[0]
    assert locations(second)[2] != locations(first)[2]
    patient_ref = "/".join(locations(first)[0].split("/")[:2])
    note = get(server, "/fhir/" + "/".join(locations(second)[2].split("/")[:2])).json()
    assert note["subject"] == {"reference": patient_ref}  # urn:uuid resolved to the existing one
    assert received(server)["counts"] == {"Composition": 2, "Encounter": 2, "Patient": 1}

    patients = get(server, "/fhir/Patient", identifier=f"{MRN}|0007").json()
    assert patients["type"] == "searchset" and patients["total"] == 1
    assert patients["entry"][0]["resource"]["id"] == patient_ref.split("/")[1]
    notes = get(server, "/fhir/Composition", identifier=f"{NOTE_IDS}|b-second").json()
    assert [e["resource"]["section"][0]["text"]["div"] for e in notes["entry"]] == [
        "<div>咳嗽一周</div>"]
    assert get(server, "/fhir/Composition").json()["total"] == 2
    assert get(server, "/fhir/Patient", identifier=f"{MRN}|nobody").json()["total"] == 0


def test_a_resent_note_in_a_new_bundle_is_not_duplicated(server):
    """Conditional create on the Composition identifier, when a retry rebuilt the Bundle."""
    post(server, note_bundle("b-try-1", note_id="note-42"))
    retry = post(server, note_bundle("b-try-2", note_id="note-42"))
    assert statuses(retry) == ["200 OK", "201 Created", "200 OK"]
    assert received(server)["counts"]["Composition"] == 1


def test_put_updates_and_conditional_put(server):
    put = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1",
                      "identifier": [{"system": MRN, "value": "9"}]},
         "request": {"method": "PUT", "url": "Patient/p1"}}]}
    assert statuses(post(server, put)) == ["201 Created"]
    put["entry"][0]["resource"]["gender"] = "female"
    assert locations(post(server, put)) == ["Patient/p1/_history/2"]
    conditional = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "identifier": [{"system": MRN, "value": "9"}],
                      "gender": "other"},
         "request": {"method": "PUT", "url": f"Patient?identifier={MRN}|9"}}]}
    response = post(server, conditional)
    assert statuses(response) == ["200 OK"] and locations(response) == ["Patient/p1/_history/3"]
    assert get(server, "/fhir/Patient/p1").json()["gender"] == "other"
    assert get(server, "/fhir/Patient/p1/_history/2").json()["gender"] == "female"
    assert_outcome(get(server, "/fhir/Patient/p1/_history/4"), 404)


def test_a_condition_matching_several_resources_is_412(server):
    for rid in ("a", "b"):
        post(server, {"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": {"resourceType": "Patient", "identifier": [{"value": "twin"}]},
             "request": {"method": "PUT", "url": f"Patient/{rid}"}}]})
    response = post(server, {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient"},
         "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=twin"}}]})
    assert assert_outcome(response, 412)[0]["code"] == "multiple-matches"


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[]"])
def test_malformed_bodies_are_400(server, body):
    assert_outcome(post(server, body), 400)
    assert received(server)["counts"] == {}


@pytest.mark.parametrize("payload", [
    {"resourceType": "Patient"},
    {"resourceType": "Bundle", "type": "batch", "entry": []},
    {"resourceType": "Bundle", "type": "document", "entry": []},
    {"resourceType": "Bundle", "type": "transaction", "entry": {}},
])
def test_anything_but_a_transaction_bundle_is_400(server, payload):
    assert_outcome(post(server, payload), 400)


def test_one_invalid_entry_fails_the_whole_transaction(server):
    bundle = note_bundle("b-atomic")
    bundle["entry"].append({"resource": {"name": "no type"},
                            "request": {"method": "POST", "url": "Patient"}})
    bundle["entry"].append({"resource": {"resourceType": "Patient"},
                            "request": {"method": "DELETE", "url": "Patient/1"}})
    bundle["entry"].append({"resource": {"resourceType": "Patient"}})
    issues = assert_outcome(post(server, bundle), 400)
    assert [issue["expression"] for issue in issues] == [
        ["Bundle.entry[3].resource.resourceType"], ["Bundle.entry[4].request.method"],
        ["Bundle.entry[5].request"]]
    state = received(server)
    assert state["counts"] == {} and state["bundles"] == []
    # nothing was remembered either: the corrected bundle goes through
    assert statuses(post(server, note_bundle("b-atomic"))) == ["201 Created"] * 3


def test_an_unresolvable_urn_reference_fails_the_transaction(server):
    bundle = note_bundle("b-dangling")
    bundle["entry"][1]["resource"]["subject"] = {"reference": f"urn:uuid:{uuid.uuid4()}"}
    assert "matches no fullUrl" in assert_outcome(post(server, bundle), 400)[0]["diagnostics"]
    assert received(server)["counts"] == {}


def test_another_content_type_is_415(server):
    response = post(server, note_bundle("b-xml"), content_type="application/fhir+xml")
    assert_outcome(response, 415)


def test_unknown_resources_and_routes_are_404_outcomes(server):
    assert_outcome(get(server, "/fhir/Patient/nope"), 404)
    assert_outcome(get(server, "/fhir/patient/nope"), 404)
    assert_outcome(get(server, "/fhir/Patient", name="x"), 400)
    assert_outcome(requests.delete(server.url + "/fhir", timeout=5,
                                   headers={"Authorization": f"Bearer {TOKEN}"}), 405)


# -- fault injection -----------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "status", "code"), [
    ("down", 503, "transient"), ("error500", 500, "exception"), ("reject400", 400, "invalid")])
def test_refusing_modes(server, mode, status, code):
    behave(server, mode=mode)
    issues = assert_outcome(post(server, note_bundle("b-fault")), status)
    assert issues[0]["code"] == code
    assert received(server)["counts"] == {}
    behave(server, mode="ok")
    assert post(server, note_bundle("b-fault")).status_code == 200
    assert received(server)["attempts"] == 2


def test_down_also_refuses_reads_and_refuses_before_authentication(server):
    behave(server, mode="down")
    assert_outcome(get(server, "/fhir/Patient"), 503)
    assert_outcome(post(server, note_bundle("b-x"), token="wrong"), 503)


def test_rejected_identifiers_get_422_and_other_bundles_go_through(server):
    behave(server, mode="ok", reject_identifiers=["b-poison"])
    issues = assert_outcome(post(server, note_bundle("b-poison")), 422)
    assert "b-poison" in issues[0]["diagnostics"]
    assert post(server, note_bundle("b-fine")).status_code == 200
    assert_outcome(post(server, note_bundle("b-poison")), 422)  # permanently
    state = received(server)
    assert [b["identifier"]["value"] for b in state["bundles"]] == ["b-fine"]
    assert state["counts"]["Composition"] == 1 and state["attempts"] == 3


def test_slow_answers_normally_after_the_delay(server):
    behave(server, mode="slow", delay=0.4)
    started = time.monotonic()
    response = post(server, note_bundle("b-slow"))
    assert response.status_code == 200 and time.monotonic() - started >= 0.4


def test_slow_still_stores_when_the_client_gave_up(server):
    behave(server, mode="slow", delay=0.6)
    with pytest.raises(requests.ReadTimeout):
        post(server, note_bundle("b-late"), timeout=0.2)
    wait_until(lambda: received(server)["bundles"])
    assert [b["identifier"]["value"] for b in received(server)["bundles"]] == ["b-late"]


def test_hang_times_the_client_out_and_stores_nothing(server):
    behave(server, mode="hang", delay=30)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        post(server, note_bundle("b-hang"), timeout=0.3)
    assert time.monotonic() - started < 5
    wait_until(lambda: received(server)["held"] == 0)  # it noticed its client hung up
    behave(server, mode="ok")
    state = received(server)
    assert state["counts"] == {} and state["attempts"] == 1


def test_hang_answers_504_when_its_delay_runs_out(server):
    behave(server, mode="hang", delay=0.3)
    assert assert_outcome(post(server, note_bundle("b-504")), 504)[0]["code"] == "timeout"
    assert received(server)["counts"] == {}


def test_a_held_request_goes_through_when_the_behaviour_is_set_back(server):
    behave(server, mode="hang", delay=60)
    result: dict[str, Any] = {}

    def deliver() -> None:
        started = time.monotonic()
        result["response"] = post(server, note_bundle("b-held"), timeout=30)
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=deliver)
    thread.start()
    wait_until(lambda: received(server)["held"] == 1)
    assert "response" not in result
    behave(server, mode="ok")
    thread.join(timeout=10)
    assert result["response"].status_code == 200 and result["seconds"] < 10
    assert received(server)["counts"]["Composition"] == 1


def test_stopping_the_server_releases_a_held_request():
    app = create_fhir_receiver({TOKEN})
    state = app.extensions["fhir_receiver"]
    running = SimulatorServer(app).start()
    behave(running, mode="hang", delay=60)
    outcome: dict[str, Any] = {}

    def deliver() -> None:
        try:
            outcome["status"] = post(running, note_bundle("b-stop"), timeout=30).status_code
        except requests.RequestException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=deliver)
    thread.start()
    wait_until(lambda: state.received()["held"] == 1)
    started = time.monotonic()
    running.stop()
    thread.join(timeout=10)
    assert not thread.is_alive() and time.monotonic() - started < 5
    assert "error" in outcome
    wait_until(lambda: state.received()["held"] == 0)  # the handler thread let go too
    assert state.received()["counts"] == {}


def test_close_releases_held_requests_with_503():
    app = create_fhir_receiver({TOKEN})
    state = app.extensions["fhir_receiver"]
    with SimulatorServer(app) as running:
        behave(running, mode="hang", delay=60)
        result: dict[str, requests.Response] = {}
        thread = threading.Thread(target=lambda: result.setdefault(
            "response", post(running, note_bundle("b-close"), timeout=30)))
        thread.start()
        wait_until(lambda: state.received()["held"] == 1)
        state.close()
        thread.join(timeout=10)
        assert_outcome(result["response"], 503)


def test_behaviour_control_is_validated_and_readable(server):
    for bad in [{"mode": "sideways"}, {"mode": "slow", "delay": -1},
                {"mode": "hang", "delay": 301}, {"mode": "slow", "delay": "1"},
                {"reject_identifiers": "b-1"}, []]:
        response = requests.post(server.url + "/_sim/behaviour", json=bad, timeout=5)
        assert response.status_code == 400 and "error" in response.json()
    behave(server, mode="hang")
    assert requests.get(server.url + "/_sim/behaviour", timeout=5).json() == {
        "mode": "hang", "delay": 30.0, "reject_identifiers": []}
    behave(server, mode="slow", reject_identifiers=["b", "a"])
    assert requests.get(server.url + "/_sim/behaviour", timeout=5).json() == {
        "mode": "slow", "delay": 2.0, "reject_identifiers": ["a", "b"]}


def test_reset_forgets_everything(server):
    post(server, note_bundle("b-reset"))
    behave(server, mode="down")
    requests.post(server.url + "/_sim/reset", timeout=5).raise_for_status()
    assert received(server) == {"bundles": [], "counts": {}, "attempts": 0, "held": 0}
    assert statuses(post(server, note_bundle("b-reset"))) == ["201 Created"] * 3


# -- SM2 detached signature ----------------------------------------------------------------


def signed_post(server, body: bytes, signature: str | None, algorithm: str | None = "SM2-SM3",
                ) -> requests.Response:
    headers = {}
    if signature is not None:
        headers["X-Signature"] = signature
    if algorithm is not None:
        headers["X-Signature-Alg"] = algorithm
    return post(server, body, headers=headers)


def test_a_signed_bundle_is_accepted(signed_server, signer):
    body = json.dumps(note_bundle("b-signed"), ensure_ascii=False).encode()
    response = signed_post(signed_server, body, sm2.sign(*signer, body))
    assert response.status_code == 200 and statuses(response) == ["201 Created"] * 3


def test_a_tampered_body_is_rejected(signed_server, signer):
    body = json.dumps(note_bundle("b-tampered"), ensure_ascii=False).encode()
    signature = sm2.sign(*signer, body)
    tampered = body.replace("头痛三天".encode(), "头痛四天".encode())
    assert tampered != body
    issues = assert_outcome(signed_post(signed_server, tampered, signature), 401)
    assert issues[0]["code"] == "security"
    reformatted = json.dumps(json.loads(body), ensure_ascii=True).encode()  # same JSON value
    assert_outcome(signed_post(signed_server, reformatted, signature), 401)
    assert received(signed_server)["counts"] == {}


@pytest.mark.parametrize(("signature", "algorithm"), [
    (None, "SM2-SM3"), ("SIGN", None), (None, None), ("SIGN", "RSA-SHA256"), ("00" * 64, None),
    ("not hex", "SM2-SM3"), ("00" * 64, "SM2-SM3")])
def test_missing_or_bad_signature_headers_are_rejected(signed_server, signer, signature,
                                                       algorithm):
    body = json.dumps(note_bundle("b-unsigned")).encode()
    if signature == "SIGN":
        signature = sm2.sign(*signer, body)
    assert_outcome(signed_post(signed_server, body, signature, algorithm), 401)


def test_a_signature_by_another_key_is_rejected(signed_server):
    body = json.dumps(note_bundle("b-other-key")).encode()
    assert_outcome(signed_post(signed_server, body, sm2.sign(*sm2.generate_keypair(), body)), 401)


@pytest.mark.parametrize("private_int", [6, 11])  # x starts "0" / "04": gmssl lstrip victims
@pytest.mark.parametrize("prefixed", [False, True])
def test_receiver_keys_with_and_without_the_04_prefix(private_int, prefixed):
    private_hex = f"{private_int:064x}"
    public_hex = sm2.public_key_of(private_hex)
    configured = "04" + public_hex if prefixed else public_hex
    with SimulatorServer(create_fhir_receiver({TOKEN}, sm2_public_key_hex=configured)) as running:
        body = json.dumps(note_bundle("b-prefix")).encode()
        assert signed_post(running, body, sm2.sign(private_hex, configured, body)).status_code \
            == 200
        assert_outcome(signed_post(running, body + b" ", sm2.sign(private_hex, None, body)), 401)


@pytest.mark.parametrize("key", ["", "abc", "05" + "ab" * 64, "zz" * 64])
def test_a_malformed_receiver_key_fails_at_creation(key):
    if key == "":
        create_fhir_receiver({TOKEN}, sm2_public_key_hex=key)  # empty: no signature required
        return
    with pytest.raises(ValueError):
        create_fhir_receiver({TOKEN}, sm2_public_key_hex=key)


def test_a_receiver_needs_a_token():
    with pytest.raises(ValueError):
        create_fhir_receiver(set())
