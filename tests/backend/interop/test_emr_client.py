"""The EMR client against the reference receiver: token, SM2 signature, and what answers mean."""

from __future__ import annotations

import pytest
import requests

from backend.interop import sm2
from backend.interop.emr_client import EmrEndpoint, post_transaction
from simulators.fhir_receiver import create_fhir_receiver
from simulators.server import SimulatorServer

BEARER = "client-test"
PRIVATE, PUBLIC = sm2.generate_keypair()


@pytest.fixture(scope="module")
def signed_receiver():
    with SimulatorServer(create_fhir_receiver({BEARER}, sm2_public_key_hex=PUBLIC)) as server:
        yield server


def bundle(value: str) -> dict:
    patient = {"resourceType": "Patient", "identifier": [{"system": "urn:test", "value": value}]}
    return {"resourceType": "Bundle", "type": "transaction",
            "identifier": {"system": "urn:test:bundle", "value": value},
            "entry": [{"fullUrl": "urn:uuid:7d8a8f5e-6c1b-4f52-9a77-0d1e2c3b4a59",
                       "resource": patient,
                       "request": {"method": "POST", "url": "Patient",
                                   "ifNoneExist": f"identifier=urn:test|{value}"}}]}


def endpoint(server, **overrides) -> EmrEndpoint:
    settings = {"base_url": f"{server.url}/fhir", "bearer_token": BEARER, "timeout": 2,
                "sm2_private_key": PRIVATE, "sm2_public_key": PUBLIC}
    settings.update(overrides)
    return EmrEndpoint(**settings)


def test_a_signed_transaction_is_delivered(signed_receiver):
    result = post_transaction(endpoint(signed_receiver), bundle("signed-1"))
    assert (result.outcome, result.status_code) == ("delivered", 200)


def test_a_signature_by_another_key_or_a_wrong_token_is_refused_for_good(signed_receiver):
    other_private, other_public = sm2.generate_keypair()
    forged = post_transaction(endpoint(signed_receiver, sm2_private_key=other_private,
                                       sm2_public_key=other_public), bundle("signed-2"))
    assert (forged.outcome, forged.status_code) == ("permanent", 401)
    unsigned = post_transaction(endpoint(signed_receiver, sm2_private_key=""), bundle("s-3"))
    assert unsigned.outcome == "permanent"
    wrong_token = post_transaction(endpoint(signed_receiver, bearer_token="nope"), bundle("s-4"))
    assert (wrong_token.outcome, wrong_token.status_code) == ("permanent", 401)


def test_outages_and_timeouts_are_transient(signed_receiver):
    url = signed_receiver.url
    for mode, expected in (("down", 503), ("error500", 500)):
        requests.post(f"{url}/_sim/behaviour", json={"mode": mode}, timeout=5)
        result = post_transaction(endpoint(signed_receiver), bundle(f"t-{mode}"))
        assert (result.outcome, result.status_code) == ("transient", expected)
    requests.post(f"{url}/_sim/behaviour", json={"mode": "hang", "delay": 5}, timeout=5)
    timed_out = post_transaction(endpoint(signed_receiver, timeout=0.5), bundle("t-hang"))
    assert timed_out.outcome == "transient" and timed_out.status_code is None
    requests.post(f"{url}/_sim/behaviour", json={"mode": "ok"}, timeout=5)
    gone = post_transaction(endpoint(signed_receiver, base_url="http://127.0.0.1:9/fhir"),
                            bundle("t-gone"))
    assert gone.outcome == "transient"
