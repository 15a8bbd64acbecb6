"""POST a transaction Bundle to the hospital EMR and say what the answer means for a retry.

Bearer token or mutual TLS, an optional SM2 detached signature of the exact body, and a strict
reading of the answer: 2xx delivered; 408/429/5xx/network transient (retry later); any other
4xx permanent (the EMR refuses this bundle: dead-letter it and tell a person).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import requests

from backend.interop import sm2

log = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json"
TRANSIENT_STATUS = {408, 425, 429}


@dataclass(frozen=True)
class DeliveryResult:
    outcome: str  # delivered | transient | permanent
    status_code: int | None
    detail: str


@dataclass(frozen=True)
class EmrEndpoint:
    base_url: str
    bearer_token: str = ""
    client_cert: str = ""
    client_key: str = ""
    ca_bundle: str = ""
    timeout: float = 20.0
    sm2_private_key: str = ""
    sm2_public_key: str = ""


def _summary(response: requests.Response) -> str:
    """The OperationOutcome's diagnostics if there is one; never the whole body."""
    try:
        body = response.json()
        issues = body.get("issue", []) if isinstance(body, dict) else []
        text = "; ".join(str(i.get("diagnostics") or i.get("code")) for i in issues[:3])
    except ValueError:
        text = response.text[:200]
    return f"HTTP {response.status_code}: {text}"[:500]


def post_transaction(endpoint: EmrEndpoint, bundle: dict[str, Any],
                     session: requests.Session | None = None) -> DeliveryResult:
    body = json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": FHIR_JSON, "Accept": FHIR_JSON}
    if endpoint.bearer_token:
        headers["Authorization"] = f"Bearer {endpoint.bearer_token}"
    if endpoint.sm2_private_key:
        headers["X-Signature"] = sm2.sign(endpoint.sm2_private_key, endpoint.sm2_public_key, body)
        headers["X-Signature-Alg"] = "SM2-SM3"
    http = session or requests
    try:
        response = http.post(
            endpoint.base_url.rstrip("/"), data=body, headers=headers, timeout=endpoint.timeout,
            cert=(endpoint.client_cert, endpoint.client_key) if endpoint.client_cert else None,
            verify=endpoint.ca_bundle or True)
    except requests.RequestException as exc:
        return DeliveryResult("transient", None, f"{type(exc).__name__}")
    if 200 <= response.status_code < 300:
        return DeliveryResult("delivered", response.status_code, "ok")
    kind = ("transient" if response.status_code >= 500 or response.status_code in TRANSIENT_STATUS
            else "permanent")
    return DeliveryResult(kind, response.status_code, _summary(response))
