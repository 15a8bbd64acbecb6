"""The language-model port: an abstract model, its errors, a provider registry and a guard.

A language model is only ever a helper: the deterministic rule engine's result stands whenever the
model fails, times out or answers something that does not validate. Red flags never ask a model.

Everything here is pure Python. Providers are constructed from settings the caller passes in
(`create("dashscope", api_key=..., model=..., base_url=..., timeout=...)`); nothing here reads the
environment. Logging never includes prompt or reply text: only the provider name and the error
class, because both directions may carry what a patient said.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import jsonschema

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 8.0


# -- errors ---------------------------------------------------------------------------------------


class LanguageModelError(Exception):
    """A model call produced nothing usable. Callers fall back to the rule engine.

    Messages never contain prompt or reply text (they may end up in logs).
    """


class LanguageModelUnavailable(LanguageModelError):
    """Could not get an answer: offline, network error, timeout, auth failure, quota, 4xx/5xx,
    or the guard's circuit breaker is open.

    `status_code` is the provider's HTTP status when there was one, `code` its error code.
    """

    def __init__(self, message: str, *, status_code: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code


class LanguageModelInvalidOutput(LanguageModelError):
    """The model answered, but not with JSON, or with JSON that does not validate."""


class MaskingFailed(LanguageModelUnavailable):
    """The masker raised or returned a non-string, so nothing was sent."""


# -- the model ------------------------------------------------------------------------------------


class LanguageModel(ABC):
    """One chat-completion provider.

    Subclasses implement `_chat` (one system + one user message, returns the reply text);
    `complete_json` and `complete_text` are built on it. Implementations must raise only
    `LanguageModelError` subclasses, never a vendor SDK's exception.
    """

    name: str = "abstract"
    #: True for the null model: the guard skips it silently (no failure log, no breaker trip).
    offline: bool = False

    @abstractmethod
    def _chat(self, system: str, user: str, *, timeout: float, json_mode: bool) -> str:
        """Send one exchange; `json_mode` asks the provider for a JSON object reply."""

    def complete_json(self, system: str, user: str, schema: dict[str, Any],
                      timeout: float) -> dict[str, Any]:
        """The reply parsed as a JSON object that validates against `schema`.

        Raises LanguageModelUnavailable or LanguageModelInvalidOutput.
        """
        return parse_json_reply(self._chat(system, user, timeout=timeout, json_mode=True), schema)

    def complete_text(self, system: str, user: str, timeout: float) -> str:
        """The reply as plain text. Raises LanguageModelUnavailable."""
        return self._chat(system, user, timeout=timeout, json_mode=False)


_THINK_BLOCK = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)
_CODE_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?```\s*$", re.DOTALL)


def sampling_options(json_mode: bool, temperature: float | None,
                     max_tokens: int | None) -> dict[str, Any]:
    """The request options both chat APIs (DashScope, OpenAI-compatible) spell the same way."""
    options: dict[str, Any] = {}
    if json_mode:
        options["response_format"] = {"type": "json_object"}
    if temperature is not None:
        options["temperature"] = temperature
    if max_tokens is not None:
        options["max_tokens"] = max_tokens
    return options


def parse_json_reply(reply: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Parse a model's reply as one JSON object and validate it against `schema`.

    Tolerates what chat models commonly wrap JSON in (a leading <think> block, a ```json fence),
    nothing more. Raises LanguageModelInvalidOutput without quoting the reply.
    """
    if not isinstance(reply, str):
        raise LanguageModelInvalidOutput("reply is not text")
    text = _THINK_BLOCK.sub("", reply, count=1)
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text)
    except ValueError:
        raise LanguageModelInvalidOutput("reply is not JSON") from None
    validate_json(value, schema)
    return value


def validate_json(value: Any, schema: dict[str, Any]) -> None:
    """Raise LanguageModelInvalidOutput unless `value` is an object valid against `schema`.

    The message names the failing keyword and location, never the offending value.
    """
    if not isinstance(value, dict):
        raise LanguageModelInvalidOutput("reply is not a JSON object")
    validator_class = jsonschema.validators.validator_for(schema)
    error = jsonschema.exceptions.best_match(validator_class(schema).iter_errors(value))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "<root>"
        raise LanguageModelInvalidOutput(
            f"reply does not validate: {error.validator!r} failed at {where}")


# -- registry -------------------------------------------------------------------------------------

_M = TypeVar("_M", bound=type[LanguageModel])
_REGISTRY: dict[str, type[LanguageModel]] = {}
_REGISTRY_LOCK = threading.Lock()
# Built-in providers living in their own modules, imported on first use so that the default
# offline configuration never imports a vendor SDK.
_BUILTIN_MODULES = {
    "dashscope": "conversations.llm.dashscope_provider",
    "openai_compatible": "conversations.llm.openai_provider",
}


def register(name: str) -> Callable[[_M], _M]:
    """Class decorator: make `cls` constructible as `create(name, **settings)`."""

    def decorator(cls: _M) -> _M:
        with _REGISTRY_LOCK:
            existing = _REGISTRY.get(name)
            if existing is not None and existing.__qualname__ != cls.__qualname__:
                raise ValueError(f"language model provider {name!r} is already registered")
            cls.name = name
            _REGISTRY[name] = cls
        return cls

    return decorator


def provider_names() -> list[str]:
    """Every name `create` accepts."""
    with _REGISTRY_LOCK:
        return sorted(set(_REGISTRY) | set(_BUILTIN_MODULES))


def create(name: str, **settings: Any) -> LanguageModel:
    """Construct the provider registered as `name` with `settings` (its constructor's keywords).

    Raises ValueError for an unknown name; a provider raises TypeError/ValueError for bad settings.
    """
    with _REGISTRY_LOCK:
        cls = _REGISTRY.get(name)
    if cls is None and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])
        with _REGISTRY_LOCK:
            cls = _REGISTRY.get(name)
    if cls is None:
        raise ValueError(
            f"unknown language model provider {name!r}; known: {', '.join(provider_names())}")
    return cls(**settings)


@register("rules")
class RulesOnlyModel(LanguageModel):
    """The null model of the default, offline configuration: no key, no network.

    Every call raises `LanguageModelUnavailable("offline")` at once. Callers therefore need no
    "is a model configured?" branch: they always try the model and always keep the rule engine's
    result when it fails, so the offline path is the very fallback path exercised whenever a real
    provider is down, and it costs nothing. Settings are accepted and ignored, so a deployment can
    switch providers by name alone.
    """

    offline = True

    def __init__(self, **_ignored: Any) -> None:
        pass

    def _chat(self, system: str, user: str, *, timeout: float, json_mode: bool) -> str:
        raise LanguageModelUnavailable("offline")


# -- the guard ------------------------------------------------------------------------------------


class Masker(Protocol):
    """Hides personal identifiers (ID numbers, phone numbers ...) in text about to leave the
    process. The backend passes its own; it must be pure and must not fail on any text."""

    def __call__(self, text: str, /) -> str: ...


class GuardedModel:
    """The only way the conversation code reaches a model.

    - Every outgoing message (system and user) goes through `masker` first; if the masker
      raises, nothing is sent (fail closed).
    - Every call gets `timeout` seconds (passed to the provider's HTTP client).
    - JSON replies are validated against the schema here as well, whatever the provider does.
    - Any failure surfaces as a `LanguageModelError`; an unexpected exception from a provider
      becomes `LanguageModelUnavailable`.
    - A circuit breaker: after `failure_threshold` consecutive failures, calls are skipped
      (`LanguageModelUnavailable("circuit open")`, no request) for `cooldown` seconds; then one
      trial call is let through: success closes the circuit, failure opens it again.
      `clock` (seconds, monotonic) is injectable for tests.
    - Each failure is logged with the provider name and error class only.

    Thread-safe: one instance may serve concurrent conversations.
    """

    def __init__(
        self,
        model: LanguageModel,
        masker: Masker,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        failure_threshold: int = 3,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if cooldown < 0:
            raise ValueError("cooldown must not be negative")
        self.model = model
        self.masker = masker
        self.timeout = timeout
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.clock = clock
        self._lock = threading.Lock()
        self._consecutive_failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def offline(self) -> bool:
        return self.model.offline

    @property
    def circuit_open(self) -> bool:
        """True while calls are being skipped."""
        with self._lock:
            return self._opened_at is not None and (
                self.clock() - self._opened_at < self.cooldown or self._trial_in_flight)

    @property
    def consecutive_failures(self) -> int:
        with self._lock:
            return self._consecutive_failures

    def complete_json(self, system: str, user: str, schema: dict[str, Any]) -> dict[str, Any]:
        def call(masked_system: str, masked_user: str) -> dict[str, Any]:
            value = self.model.complete_json(masked_system, masked_user, schema, self.timeout)
            validate_json(value, schema)
            return value

        return self._guarded(call, system, user)

    def complete_text(self, system: str, user: str) -> str:
        def call(masked_system: str, masked_user: str) -> str:
            reply = self.model.complete_text(masked_system, masked_user, self.timeout)
            if not isinstance(reply, str):
                raise LanguageModelInvalidOutput("reply is not text")
            return reply

        return self._guarded(call, system, user)

    # -- internals ----------------------------------------------------------------------------

    def _guarded(self, call: Callable[[str, str], Any], system: str, user: str) -> Any:
        if self.model.offline:
            raise LanguageModelUnavailable("offline")
        self._admit()
        try:
            result = call(*self._mask(system, user))
        except LanguageModelError as exc:
            self._failed(exc)
            raise
        except Exception as exc:  # a provider bug must not break the conversation
            self._failed(exc)
            raise LanguageModelUnavailable(
                f"{self.name} failed unexpectedly ({type(exc).__name__})") from None
        except BaseException:
            self._release_trial()
            raise
        self._succeeded()
        return result

    def _mask(self, system: str, user: str) -> tuple[str, str]:
        """Both messages masked, or MaskingFailed: unmasked text is never sent."""
        try:
            masked = self.masker(system), self.masker(user)
        except Exception as exc:
            raise MaskingFailed(f"masker raised {type(exc).__name__}; nothing was sent") from None
        if not all(isinstance(text, str) for text in masked):
            raise MaskingFailed("masker returned a non-string; nothing was sent")
        return masked

    def _admit(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            if self.clock() - self._opened_at < self.cooldown or self._trial_in_flight:
                raise LanguageModelUnavailable("circuit open")
            self._trial_in_flight = True  # half-open: this call is the single trial

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self._consecutive_failures += 1
            self._trial_in_flight = False
            opened = self._consecutive_failures >= self.failure_threshold
            if opened:
                self._opened_at = self.clock()
            failures = self._consecutive_failures
        logger.warning(
            "language model call failed: provider=%s error=%s consecutive_failures=%d%s",
            self.name, type(exc).__name__, failures, " circuit=open" if opened else "")

    def _succeeded(self) -> None:
        with self._lock:
            was_open = self._opened_at is not None
            self._consecutive_failures = 0
            self._opened_at = None
            self._trial_in_flight = False
        if was_open:
            logger.info("language model circuit closed: provider=%s", self.name)

    def _release_trial(self) -> None:
        with self._lock:
            self._trial_in_flight = False
