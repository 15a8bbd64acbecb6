"""A local FHIR R4 server, as a hospital EMR exposes one, that receives our pre-visit notes.

A small reference implementation of what we rely on, over real HTTP (JSON only):

- ``POST /fhir`` (or ``/fhir/``), ``Content-Type: application/fhir+json`` (or application/json):
  a ``transaction`` Bundle, processed atomically (all entries or nothing) and answered with a
  ``transaction-response`` Bundle. Entries are ``POST <Type>`` (create; conditional create with
  ``ifNoneExist: identifier=<system>|<value>``: an existing match is answered "200 OK" with its
  location and not created again), ``PUT <Type>/<id>`` (update or create at that id) or
  ``PUT <Type>?identifier=<system>|<value>`` (conditional update). ``urn:uuid:`` fullUrls are
  replaced by the assigned ``<Type>/<id>`` in every ``reference`` of the stored copies. A Bundle
  whose ``Bundle.identifier`` was already accepted is a replay: nothing new is stored and every
  entry is answered "200 OK" with the location first assigned.
- ``GET /fhir/<Type>[?identifier=<system>|<value>]`` -> ``searchset`` Bundle;
  ``GET /fhir/<Type>/<id>[/_history/<vid>]`` -> the resource; ``GET /fhir/metadata`` -> a
  minimal CapabilityStatement (no token needed, as on real servers).
- Every other ``/fhir`` request needs ``Authorization: Bearer <token>`` (401 otherwise). If the
  receiver has an SM2 public key, a transaction also needs ``X-Signature-Alg: SM2-SM3`` and
  ``X-Signature`` (hex r || s) over the exact request body (401 otherwise).
- Errors are OperationOutcomes: 400 malformed JSON / not a transaction Bundle / invalid entry
  (nothing stored), 404 unknown resource, 412 a condition matching several resources, 415
  another Content-Type. FHIR responses are ``application/fhir+json``.

Control endpoints for tests and the demo (not part of FHIR):

- ``POST /_sim/behaviour`` ``{"mode", "delay"?, "reject_identifiers"?}`` replaces the behaviour
  (``GET`` reads it). Modes, for every ``/fhir`` request: ``ok``; ``down`` 503; ``error500`` 500;
  ``hang`` holds the request for ``delay`` seconds (default 30) then answers 504 without
  processing it, but is released early when the behaviour is changed (the request then proceeds
  under the new behaviour, so setting ``ok`` lets it through), the receiver is reset or closed,
  or the client disconnects (``SimulatorServer.stop()`` cuts the connections); ``slow`` waits
  ``delay`` seconds (default 2) and then answers normally (a client that gave up meanwhile has
  still delivered); ``reject400`` refuses every transaction with 400. Independently, a
  transaction whose ``Bundle.identifier.value`` is in ``reject_identifiers`` gets 422 (a
  permanently bad bundle) while others are accepted. ``delay`` is at most 300 seconds.
- ``GET /_sim/received`` -> ``{"bundles": [{"identifier", "received_at", "entries", "replays"}],
  "counts": {"Composition": n, ...}, "attempts": n, "held": n}``: accepted bundles oldest first
  (each entry with the stored resource), stored resources per type, POSTs to /fhir including
  refused ones, and requests being held by ``hang`` or ``slow`` right now.
- ``POST /_sim/reset``: forget everything, behaviour back to ``ok`` (releases held requests).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import select
import socket
import string
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Response, g, request
from gmssl.sm2 import CryptSM2, default_ecc_table
from werkzeug.exceptions import HTTPException

FHIR_JSON = "application/fhir+json"
ACCEPTED_CONTENT_TYPES = frozenset({FHIR_JSON, "application/json"})
MODES = ("ok", "down", "error500", "reject400", "hang", "slow")
DEFAULT_DELAY = {"hang": 30.0, "slow": 2.0}
MAX_DELAY = 300.0
MAX_BODY_BYTES = 10 * 1024 * 1024
_POLL_SECONDS = 0.1  # how often a held request looks whether its client is still there

SIGNATURE_ALGORITHM = "SM2-SM3"
_SM2_N = int(default_ecc_table["n"], 16)
_HEX = frozenset(string.hexdigits)

_TYPE_RE = re.compile(r"[A-Z][A-Za-z]{1,63}")
_ID_RE = re.compile(r"[A-Za-z0-9\-.]{1,64}")

Token = tuple[str | None, str | None]  # an identifier search token: (system, value); None = any


class FhirError(Exception):
    """Answered as an OperationOutcome with `status`; `issues` are (code, diagnostics, expr)."""

    def __init__(self, status: int, issues: list[tuple[str, str, str | None]],
                 headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(diagnostics for _, diagnostics, _ in issues))
        self.status = status
        self.issues = issues
        self.headers = headers or {}

    @classmethod
    def one(cls, status: int, code: str, diagnostics: str, **kwargs: Any) -> FhirError:
        return cls(status, [(code, diagnostics, None)], **kwargs)


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def operation_outcome(issues: Iterable[tuple[str, str, str | None]]) -> dict[str, Any]:
    result = []
    for code, diagnostics, expression in issues:
        issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": diagnostics}
        if expression:
            issue["expression"] = [expression]
        result.append(issue)
    return {"resourceType": "OperationOutcome", "issue": result}


@dataclass(frozen=True)
class Behaviour:
    mode: str = "ok"
    delay: float = 0.0
    reject_identifiers: frozenset[str] = frozenset()

    def as_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "delay": self.delay,
                "reject_identifiers": sorted(self.reject_identifiers)}


@dataclass
class _Entry:
    index: int
    full_url: str | None
    resource: dict[str, Any]
    type: str
    method: str
    url: str
    if_none_exist: Token | None = None  # POST: conditional create
    target_id: str | None = None  # PUT <Type>/<id>
    condition: Token | None = None  # PUT <Type>?identifier=
    # filled while planning
    id: str = ""
    version: int = 0
    status: str = ""
    writes: bool = False


@dataclass
class _Stored:
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> dict[str, Any]:
        return self.versions[-1]


def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_token(query: str) -> Token:
    """``identifier=<system>|<value>`` (or ``<value>``: any system) -> (system, value)."""
    params = parse_qsl(query, keep_blank_values=True)
    if len(params) != 1 or params[0][0] != "identifier":
        raise ValueError(f"only a single identifier=<system>|<value> condition is supported, "
                         f"got {query!r}")
    return _token(params[0][1])


def _token(text: str) -> Token:
    if "|" in text:
        system, value = text.split("|", 1)
        token: Token = (system, value or None)
    else:
        token = (None, text or None)
    if token[1] is None and not token[0]:
        raise ValueError("the identifier condition is empty")
    return token


def _identifiers(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Identifier is a list on most resources but single on some (Composition, Bundle)."""
    found: list[dict[str, Any]] = []
    for key in ("identifier", "masterIdentifier"):
        value = resource.get(key)
        items = value if isinstance(value, list) else [value]
        found.extend(item for item in items if isinstance(item, dict))
    return found


def _matches(resource: dict[str, Any], token: Token) -> bool:
    system, value = token
    return any(
        (system is None or (ident.get("system") or "") == system)
        and (value is None or ident.get("value") == value)
        for ident in _identifiers(resource)
    )


def _rewrite_references(node: Any, mapping: dict[str, str], unresolved: set[str]) -> Any:
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "reference" and isinstance(value, str) and value.startswith("urn:"):
                if value in mapping:
                    value = mapping[value]
                elif value.startswith(("urn:uuid:", "urn:oid:")):
                    unresolved.add(value)
            else:
                value = _rewrite_references(value, mapping, unresolved)
            result[key] = value
        return result
    if isinstance(node, list):
        return [_rewrite_references(item, mapping, unresolved) for item in node]
    return node


def _validate_bundle(bundle: Any) -> tuple[list[_Entry], tuple[str, str] | None]:
    """The entries and the Bundle.identifier key; FhirError 400 listing every problem."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirError.one(400, "invalid", "expected a Bundle resource")
    if bundle.get("type") != "transaction":
        raise FhirError.one(400, "not-supported",
                            f"expected a transaction Bundle, got type {bundle.get('type')!r}")
    issues: list[tuple[str, str, str | None]] = []

    def problem(expression: str, diagnostics: str, code: str = "invalid") -> None:
        issues.append((code, diagnostics, expression))

    key = None
    identifier = bundle.get("identifier")
    if identifier is not None:
        if not isinstance(identifier, dict) or not isinstance(identifier.get("value"), str) \
                or not isinstance(identifier.get("system", ""), str):
            problem("Bundle.identifier", "Bundle.identifier needs a string value")
        else:
            key = (identifier.get("system") or "", identifier["value"])
    raw_entries = bundle.get("entry", [])
    if not isinstance(raw_entries, list):
        raise FhirError.one(400, "invalid", "Bundle.entry must be an array")
    entries: list[_Entry] = []
    full_urls: set[str] = set()
    for index, raw in enumerate(raw_entries):
        where = f"Bundle.entry[{index}]"
        if not isinstance(raw, dict):
            problem(where, "entry must be an object")
            continue
        resource, req, full_url = raw.get("resource"), raw.get("request"), raw.get("fullUrl")
        rtype = resource.get("resourceType") if isinstance(resource, dict) else None
        if not isinstance(resource, dict):
            problem(f"{where}.resource", "entry has no resource")
        elif not isinstance(rtype, str) or not _TYPE_RE.fullmatch(rtype):
            problem(f"{where}.resource.resourceType", "resource has no valid resourceType")
        if full_url is not None and (not isinstance(full_url, str) or full_url in full_urls):
            problem(f"{where}.fullUrl", "fullUrl must be a string, unique in the bundle")
        elif full_url is not None:
            full_urls.add(full_url)
        if not isinstance(req, dict):
            problem(f"{where}.request", "entry has no request")
            continue
        method, url = req.get("method"), req.get("url")
        if method not in ("POST", "PUT"):
            problem(f"{where}.request.method", f"request.method must be POST or PUT, got "
                    f"{method!r}", "not-supported")
            continue
        if not isinstance(url, str) or not url:
            problem(f"{where}.request.url", "request.url is required")
            continue
        if not isinstance(resource, dict) or not isinstance(rtype, str) \
                or not _TYPE_RE.fullmatch(rtype):
            continue
        entry = _Entry(index, full_url, resource, rtype, method, url)
        path, _, query = url.partition("?")
        if path != rtype:
            path_type, _, path_id = path.partition("/")
            if method == "POST" or path_type != rtype or not _ID_RE.fullmatch(path_id) or query:
                problem(f"{where}.request.url", f"request.url {url!r} does not fit a {method} "
                        f"of a {rtype}")
                continue
            if resource.get("id") not in (None, path_id):
                problem(f"{where}.resource.id", "resource.id differs from the id in request.url")
                continue
            entry.target_id = path_id
        elif method == "PUT" and not query:
            problem(f"{where}.request.url", "PUT needs <Type>/<id> or <Type>?identifier=...")
            continue
        try:
            if method == "PUT" and query:
                entry.condition = _parse_token(query)
            if_none_exist = req.get("ifNoneExist")
            if if_none_exist is not None:
                if method != "POST" or not isinstance(if_none_exist, str):
                    raise ValueError("ifNoneExist is a string, on POST entries only")
                entry.if_none_exist = _parse_token(if_none_exist)
        except ValueError as exc:
            problem(f"{where}.request", str(exc), "not-supported")
            continue
        entries.append(entry)
    if issues:
        raise FhirError(400, issues)
    return entries, key


def normalize_sm2_public_key(key: str) -> str:
    """128 hex digits (x || y) from 128, or 130 with the uncompressed-point prefix 04."""
    key = key.strip().lower()
    if len(key) == 130 and key.startswith("04"):
        key = key[2:]
    if len(key) != 128 or not _HEX.issuperset(key):
        raise ValueError("the SM2 public key must be 128 hex digits, or 130 starting with 04")
    return key


def sm2_verify(public_key: str, body: bytes, signature: str) -> bool:
    """SM2-SM3 (Z with the default user ID) over `body`, with gmssl as an EMR might use it.

    Deliberately independent of backend.interop.sm2 (the signing side), but minding the same
    gmssl quirks: ``CryptSM2.__init__`` mangles keys starting "04" with ``lstrip("04")`` (so the
    key is set after construction), and ``verify`` accepts out-of-range r, s, ignores trailing
    characters and raises on non-hex (so the signature is checked first).
    """
    if len(signature) != 128 or not _HEX.issuperset(signature):
        return False
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    if not (1 <= r < _SM2_N and 1 <= s < _SM2_N):
        return False
    crypt = CryptSM2(public_key=public_key, private_key=None)
    crypt.public_key = public_key
    try:
        return bool(crypt.verify_with_sm3(signature, body))
    except (TypeError, ValueError):
        return False


def _peer_gone(sock: socket.socket | None) -> bool:
    """Whether the client closed the connection (or the server shut the socket down)."""
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class FhirReceiverState:
    """All of a receiver's state; every method is thread-safe."""

    def __init__(self, tokens: set[str], sm2_public_key_hex: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if not tokens or not all(isinstance(t, str) and t for t in tokens):
            raise ValueError("a FHIR receiver needs at least one non-empty bearer token")
        self._tokens = [token.encode() for token in tokens]
        self.sm2_public_key = (
            normalize_sm2_public_key(sm2_public_key_hex) if sm2_public_key_hex else None)
        self.clock = clock
        self._changed = threading.Condition(threading.RLock())
        self._closed = False
        self._generation = 0  # bumped on every behaviour change, reset and close
        self._behaviour = Behaviour()
        self._resources: dict[str, dict[str, _Stored]] = {}
        self._bundles: list[dict[str, Any]] = []
        self._bundle_index: dict[tuple[str, str], int] = {}
        self._attempts = 0
        self._held = 0  # requests waiting in hang or slow right now

    # -- control ---------------------------------------------------------------------------

    def set_behaviour(self, mode: str, delay: float | None = None,
                      reject_identifiers: Iterable[str] = ()) -> Behaviour:
        if mode not in MODES:
            raise ControlError(400, f"mode must be one of {', '.join(MODES)}")
        if delay is None:
            delay = DEFAULT_DELAY.get(mode, 0.0)
        if not 0 <= delay <= MAX_DELAY:
            raise ControlError(400, f"delay must be between 0 and {MAX_DELAY:g} seconds")
        behaviour = Behaviour(mode, float(delay), frozenset(reject_identifiers))
        with self._changed:
            self._behaviour = behaviour
            self._generation += 1
            self._changed.notify_all()
        return behaviour

    def behaviour(self) -> Behaviour:
        with self._changed:
            return self._behaviour

    def reset(self) -> None:
        """Forget everything; behaviour back to ok; held requests are released."""
        with self._changed:
            self._behaviour = Behaviour()
            self._generation += 1
            self._closed = False
            self._resources.clear()
            self._bundles.clear()
            self._bundle_index.clear()
            self._attempts = 0
            self._changed.notify_all()

    def close(self) -> None:
        """Release held requests and refuse new ones with 503 (until `reset`)."""
        with self._changed:
            self._closed = True
            self._generation += 1
            self._changed.notify_all()

    def received(self) -> dict[str, Any]:
        with self._changed:
            return {
                "bundles": copy.deepcopy(self._bundles),
                "counts": {rtype: len(items) for rtype, items in sorted(self._resources.items())
                           if items},
                "attempts": self._attempts,
                "held": self._held,
            }

    def count_attempt(self) -> None:
        with self._changed:
            self._attempts += 1

    # -- fault injection -------------------------------------------------------------------

    def admit(self, peer_gone: Callable[[], bool] = lambda: False) -> Behaviour:
        """Apply the fault mode to a request: raises the refusal, or waits (hang, slow) and
        returns the behaviour the request goes on under."""
        with self._changed:
            while True:
                behaviour, generation = self._behaviour, self._generation
                if self._closed:
                    raise FhirError.one(503, "transient", "the receiver is shutting down")
                if behaviour.mode == "down":
                    raise FhirError.one(503, "transient", "service unavailable (simulated)")
                if behaviour.mode == "error500":
                    raise FhirError.one(500, "exception", "internal server error (simulated)")
                if behaviour.mode not in ("slow", "hang"):
                    return behaviour
                deadline = time.monotonic() + behaviour.delay
                self._held += 1
                try:
                    if behaviour.mode == "slow":  # only closing cuts a slow answer short
                        while not self._closed and (left := deadline - time.monotonic()) > 0:
                            self._changed.wait(left)
                    else:
                        while generation == self._generation and not peer_gone():
                            left = deadline - time.monotonic()
                            if left <= 0:
                                raise FhirError.one(504, "timeout",
                                                    "the request timed out (simulated)")
                            self._changed.wait(min(left, _POLL_SECONDS))
                finally:
                    self._held -= 1
                if self._closed:
                    raise FhirError.one(503, "transient", "the receiver is shutting down")
                if behaviour.mode == "slow":
                    return behaviour
                if generation == self._generation:
                    raise FhirError.one(503, "transient", "the client hung up")
                # the behaviour changed (or a reset): go round again under the new one

    # -- FHIR ------------------------------------------------------------------------------

    def check_bearer(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise FhirError.one(401, "login", "a bearer token is required",
                                headers={"WWW-Authenticate": 'Bearer realm="fhir"'})
        presented = token.encode()
        if not any(secrets.compare_digest(presented, known) for known in self._tokens):
            raise FhirError.one(401, "login", "the bearer token is not valid", headers={
                "WWW-Authenticate": 'Bearer realm="fhir", error="invalid_token"'})

    def check_signature(self, body: bytes, signature: str | None, algorithm: str | None) -> None:
        if self.sm2_public_key is None:
            return
        if not signature or not algorithm:
            raise FhirError.one(401, "security", "X-Signature and X-Signature-Alg are required")
        if algorithm.strip().upper() != SIGNATURE_ALGORITHM:
            raise FhirError.one(401, "security", f"X-Signature-Alg must be {SIGNATURE_ALGORITHM}")
        if not sm2_verify(self.sm2_public_key, body, signature.strip()):
            raise FhirError.one(401, "security", "X-Signature does not verify over the body")

    def transaction(self, bundle: Any, behaviour: Behaviour, base_url: str) -> dict[str, Any]:
        """Process a transaction Bundle atomically; returns the transaction-response Bundle."""
        if behaviour.mode == "reject400":
            raise FhirError.one(400, "invalid", "the bundle was rejected (simulated)")
        entries, key = _validate_bundle(bundle)
        if key is not None and key[1] in behaviour.reject_identifiers:
            raise FhirError.one(422, "processing",
                                f"bundle {key[1]} is not acceptable (simulated)")
        with self._changed:
            if key is not None and key in self._bundle_index:
                record = self._bundles[self._bundle_index[key]]
                record["replays"] += 1
                return self._response([
                    ("200 OK", item["location"]) for item in record["entries"]], base_url)
            self._plan(entries)
            stored = self._commit(entries)
            record = {
                "identifier": copy.deepcopy(bundle.get("identifier")),
                "received_at": _iso(self.clock()),
                "entries": [
                    {"method": entry.method, "url": entry.url, "status": entry.status,
                     "location": self._location(entry.type, entry.id, entry.version),
                     "resource": copy.deepcopy(resource)}
                    for entry, resource in zip(entries, stored, strict=True)],
                "replays": 0,
            }
            if key is not None:
                self._bundle_index[key] = len(self._bundles)
            self._bundles.append(record)
            return self._response([(item["status"], item["location"])
                                   for item in record["entries"]], base_url)

    def _find(self, rtype: str, token: Token) -> list[str]:
        return [rid for rid, item in self._resources.get(rtype, {}).items()
                if _matches(item.current, token)]

    def _plan(self, entries: list[_Entry]) -> None:
        """Decide each entry's id, version and status (no change yet); FhirError if any fails."""
        issues: list[tuple[str, str, str | None]] = []
        targets: set[tuple[str, str]] = set()
        for position, entry in enumerate(entries):
            where = f"Bundle.entry[{entry.index}]"
            token = entry.if_none_exist or entry.condition
            existing: str | None = None
            if entry.target_id is not None:
                existing = entry.target_id if entry.target_id in self._resources.get(
                    entry.type, {}) else None
                entry.id = entry.target_id
            elif token is not None:
                matches = self._find(entry.type, token)
                earlier = [e for e in entries[:position] if e.writes and e.type == entry.type
                           and e.id not in matches and _matches(e.resource, token)]
                if len(matches) + len(earlier) > 1:
                    issues.append(("multiple-matches", f"the condition matches "
                                   f"{len(matches) + len(earlier)} {entry.type} resources",
                                   f"{where}.request"))
                    continue
                if matches:
                    existing = entry.id = matches[0]
                elif earlier:
                    entry.id, entry.version = earlier[0].id, earlier[0].version
                    if entry.method == "POST":
                        entry.status = "200 OK"
                        continue
            if existing is not None:
                stored = self._resources[entry.type][existing]
                entry.id = existing
                if entry.method == "POST":  # conditional create found it: leave it alone
                    entry.version, entry.status = len(stored.versions), "200 OK"
                    continue
                entry.version, entry.status = len(stored.versions) + 1, "200 OK"
            else:
                entry.id = entry.id or str(uuid.uuid4())
                entry.version, entry.status = 1, "201 Created"
            if (entry.type, entry.id) in targets:
                issues.append(("duplicate", f"{entry.type}/{entry.id} is written twice in the "
                               "transaction", where))
            targets.add((entry.type, entry.id))
            entry.writes = True
        if issues:
            raise FhirError(412 if all(i[0] == "multiple-matches" for i in issues) else 400,
                            issues)

    def _commit(self, entries: list[_Entry]) -> list[dict[str, Any]]:
        """The resources as stored (or found, for conditional creates), after resolving the
        bundle's urn: references; stores them only if every reference resolves."""
        mapping = {entry.full_url: f"{entry.type}/{entry.id}"
                   for entry in entries if entry.full_url and entry.full_url.startswith("urn:")}
        now = _iso(self.clock())
        results: list[dict[str, Any] | None] = []
        issues: list[tuple[str, str, str | None]] = []
        for entry in entries:
            if not entry.writes:
                results.append(None)
                continue
            unresolved: set[str] = set()
            resource = _rewrite_references(entry.resource, mapping, unresolved)
            for reference in sorted(unresolved):
                issues.append(("invalid", f"reference {reference} matches no fullUrl in the "
                               "bundle", f"Bundle.entry[{entry.index}].resource"))
            resource["id"] = entry.id
            meta = dict(resource["meta"]) if isinstance(resource.get("meta"), dict) else {}
            meta.update(versionId=str(entry.version), lastUpdated=now)
            resource["meta"] = meta
            results.append(resource)
        if issues:
            raise FhirError(400, issues)
        for entry, resource in zip(entries, results, strict=True):
            if resource is not None:
                by_id = self._resources.setdefault(entry.type, {})
                by_id.setdefault(entry.id, _Stored()).versions.append(resource)
        # conditional creates answered by an existing resource (stored before, or just now)
        return [self._resources[e.type][e.id].versions[e.version - 1] for e in entries]

    @staticmethod
    def _location(rtype: str, rid: str, version: int) -> str:
        return f"{rtype}/{rid}/_history/{version}"

    def _response(self, items: list[tuple[str, str]], base_url: str) -> dict[str, Any]:
        entries = []
        for status, location in items:
            rtype, rid, _, version = location.split("/")
            stored = self._resources[rtype][rid].versions[int(version) - 1]
            entries.append({
                "fullUrl": f"{base_url}/{rtype}/{rid}",
                "response": {"status": status, "location": location, "etag": f'W/"{version}"',
                             "lastModified": stored["meta"]["lastUpdated"]},
            })
        return {"resourceType": "Bundle", "id": str(uuid.uuid4()),
                "type": "transaction-response", "entry": entries}

    def read(self, rtype: str, rid: str, version: str | None = None) -> dict[str, Any]:
        with self._changed:
            stored = self._resources.get(rtype, {}).get(rid)
            if stored is None:
                raise FhirError.one(404, "not-found", f"{rtype}/{rid} is not known")
            if version is None:
                return copy.deepcopy(stored.current)
            if not version.isdigit() or not 1 <= int(version) <= len(stored.versions):
                raise FhirError.one(404, "not-found", f"{rtype}/{rid} has no version {version}")
            return copy.deepcopy(stored.versions[int(version) - 1])

    def search(self, rtype: str, identifier: str | None, base_url: str) -> dict[str, Any]:
        try:
            token = _token(identifier) if identifier is not None else None
        except ValueError as exc:
            raise FhirError.one(400, "invalid", str(exc)) from None
        with self._changed:
            found = [copy.deepcopy(item.current)
                     for item in self._resources.get(rtype, {}).values()
                     if token is None or _matches(item.current, token)]
        return {
            "resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "searchset",
            "total": len(found),
            "entry": [{"fullUrl": f"{base_url}/{rtype}/{resource['id']}", "resource": resource,
                       "search": {"mode": "match"}} for resource in found],
        }


def _fhir(payload: dict[str, Any], status: int = 200,
          headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype=FHIR_JSON, headers=headers)


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def _capability_statement(clock: Callable[[], float]) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement", "status": "active", "date": _iso(clock()),
        "kind": "instance", "fhirVersion": "4.0.1", "format": ["json"],
        "rest": [{"mode": "server", "interaction": [{"code": "transaction"}],
                  "security": {"description": "Bearer token; optional SM2-SM3 X-Signature"}}],
    }


def create_fhir_receiver(tokens: set[str], *, sm2_public_key_hex: str | None = None,
                         clock: Callable[[], float] = time.time) -> Flask:
    """A WSGI app receiving FHIR R4 transactions for bearer `tokens` (see the module docstring).

    With `sm2_public_key_hex` (128 hex digits, or 130 starting 04) transactions must carry an
    SM2-SM3 signature of the body. The state object is at ``app.extensions["fhir_receiver"]``
    (a FhirReceiverState) for in-process tests; call its ``close()`` to release held requests.
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    state = FhirReceiverState(tokens, sm2_public_key_hex, clock)
    app.extensions["fhir_receiver"] = state

    def base_url() -> str:
        return request.host_url.rstrip("/") + "/fhir"

    @app.before_request
    def _gate() -> None:
        if request.path != "/fhir" and not request.path.startswith("/fhir/"):
            return
        if request.method == "POST":
            state.count_attempt()
            # Read the body now: unread body bytes would hide a client's hang-up from _peer_gone.
            request.get_data(cache=True)
        sock = request.environ.get("werkzeug.socket")
        g.fhir_behaviour = state.admit(lambda: _peer_gone(sock))
        if request.path != "/fhir/metadata":
            state.check_bearer(request.headers.get("Authorization"))

    @app.errorhandler(FhirError)
    def _fhir_error(exc: FhirError) -> Response:
        return _fhir(operation_outcome(exc.issues), exc.status, exc.headers)

    @app.errorhandler(ControlError)
    def _control_error(exc: ControlError) -> Response:
        return _json({"error": exc.message}, exc.status)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if not request.path.startswith("/fhir"):
            return _json({"error": exc.description or exc.name}, status)
        code = {404: "not-found", 405: "not-supported", 413: "too-long"}.get(status, "exception")
        return _fhir(operation_outcome([(code, f"{exc.name}: {exc.description}", None)]), status)

    def transaction() -> Response:
        if request.mimetype not in ACCEPTED_CONTENT_TYPES:
            raise FhirError.one(415, "not-supported", f"Content-Type must be {FHIR_JSON}")
        body = request.get_data(cache=True)
        state.check_signature(body, request.headers.get("X-Signature"),
                              request.headers.get("X-Signature-Alg"))
        try:
            bundle = json.loads(body.decode("utf-8"))
        except ValueError:
            raise FhirError.one(400, "structure", "the body is not valid JSON") from None
        return _fhir(state.transaction(bundle, g.fhir_behaviour, base_url()))

    app.add_url_rule("/fhir", "transaction", transaction, methods=["POST"])
    app.add_url_rule("/fhir/", "transaction_slash", transaction, methods=["POST"])

    @app.get("/fhir/metadata")
    def metadata() -> Response:
        return _fhir(_capability_statement(state.clock))

    def _resource_type(rtype: str) -> str:
        if not _TYPE_RE.fullmatch(rtype):
            raise FhirError.one(404, "not-found", f"unknown resource type {rtype!r}")
        return rtype

    @app.get("/fhir/<rtype>")
    def search(rtype: str) -> Response:
        unsupported = sorted(k for k in request.args if k != "identifier" and
                             not k.startswith("_"))
        if unsupported:
            raise FhirError.one(400, "not-supported",
                                f"unsupported search parameters: {', '.join(unsupported)}")
        return _fhir(state.search(_resource_type(rtype), request.args.get("identifier"),
                                  base_url()))

    @app.get("/fhir/<rtype>/<rid>")
    def read(rtype: str, rid: str) -> Response:
        resource = state.read(_resource_type(rtype), rid)
        return _fhir(resource, headers={"ETag": f'W/"{resource["meta"]["versionId"]}"'})

    @app.get("/fhir/<rtype>/<rid>/_history/<vid>")
    def vread(rtype: str, rid: str, vid: str) -> Response:
        resource = state.read(_resource_type(rtype), rid, vid)
        return _fhir(resource, headers={"ETag": f'W/"{vid}"'})

    @app.get("/_sim/behaviour")
    def get_behaviour() -> Response:
        return _json(state.behaviour().as_json())

    @app.post("/_sim/behaviour")
    def set_behaviour() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ControlError(400, "expected a JSON object")
        delay, rejects = body.get("delay"), body.get("reject_identifiers", [])
        if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float)):
            raise ControlError(400, "delay must be a number of seconds")
        if not isinstance(rejects, list) or not all(isinstance(v, str) for v in rejects):
            raise ControlError(400, "reject_identifiers must be a list of strings")
        mode = body.get("mode", "ok")
        if not isinstance(mode, str):
            raise ControlError(400, "mode must be a string")
        return _json(state.set_behaviour(mode, delay, rejects).as_json())

    @app.get("/_sim/received")
    def received() -> Response:
        return _json(state.received())

    @app.post("/_sim/reset")
    def reset() -> Response:
        state.reset()
        return _json({"reset": True})

    return app
