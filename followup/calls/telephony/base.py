"""The telephony gateway interface every call provider implements, and the registry naming them.

Two kinds of provider exist in practice. A media gateway (FreeSWITCH) connects the call and
hands us its audio: we speak with our own speech engines and listen with voice activity
detection, so barge-in is ours. A cloud call centre (Aliyun 智能外呼) speaks and listens itself
and exchanges text with us. Both are driven by the same text dialogue (`followup.calls.
dialogue`); `followup.calls.runner` joins them. Gateways are built by the backend from its
config and passed in; nothing here reads the environment.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from followup.calls.policy import Disposition


class TelephonyError(Exception):
    """The provider refused or could not be reached; `transient` says whether to retry."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class CallRequest:
    """One attempt to ring one resident."""

    call_id: str  # our id of the attempt: the channel uuid / OutId at the provider
    number: str  # the resident's phone number (plaintext only in memory, never logged)
    caller_id: str  # the centre's number shown to the resident
    ring_seconds: int = 40


class SpeechAudio(Protocol):
    """Mono 16-bit PCM, as `conversations.speech.Audio` carries it."""

    pcm: bytes
    sample_rate: int


class Recognizer(Protocol):
    def transcribe(self, pcm: bytes, sample_rate: int = 16000): ...  # → has `.text`


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> SpeechAudio: ...


@dataclass(frozen=True)
class Heard:
    """What came back after the caller spoke: the resident's utterance (empty PCM for
    silence) or that they hung up. `barged_in` when they spoke over the caller."""

    pcm: bytes = b""
    sample_rate: int = 16000
    hung_up: bool = False
    barged_in: bool = False
    text: str | None = None  # set by providers that recognise speech themselves


class AnsweredCall(ABC):
    """A call a person (or a machine) picked up."""

    call_id: str
    answered_by_machine: bool = False  # an answering machine's beep was heard

    @abstractmethod
    def say(self, text: str, audio: SpeechAudio | None, *, listen: bool,
            wait_ms: int | None = None) -> Heard:
        """Speak (stopping at once if the resident speaks over it) and, with `listen`, return
        their answer, waiting at most `wait_ms` of audio for speech to start (the provider's
        default when None). Media gateways play `audio`; text providers speak `text`; an empty
        `text` only listens."""

    @abstractmethod
    def transfer(self, destination: str) -> None:
        """Hand the call to a person (a queue or number the provider knows)."""

    @abstractmethod
    def hang_up(self) -> None:
        """End the call; safe to call twice."""

    @abstractmethod
    def recording(self) -> bytes | None:
        """The call's recording (WAV) once it has ended, when the provider made one."""


@dataclass(frozen=True)
class Dialled:
    """How ringing ended: answered (with the call to talk on) or one of the other outcomes."""

    disposition: Disposition
    call: AnsweredCall | None = None
    cause: str = ""  # the provider's own word (USER_BUSY, NO_ANSWER, …) for the log


class TelephonyGateway(ABC):
    name: str = ""
    speaks_itself: bool = False  # the provider does ASR/TTS (we exchange text only)

    @abstractmethod
    def dial(self, request: CallRequest) -> Dialled:
        """Ring the resident and wait until the call is answered or ringing ends."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release sockets and servers."""


class GatewayRegistry:
    """Names → factories of the configured gateways (`freeswitch`, `aliyun`)."""

    def __init__(self) -> None:
        self._factories: dict[str, Callable[[], TelephonyGateway]] = {}
        self._lock = threading.Lock()

    def register(self, name: str, factory: Callable[[], TelephonyGateway]) -> None:
        with self._lock:
            if name in self._factories:
                raise ValueError(f"telephony gateway {name!r} is already registered")
            self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def create(self, name: str) -> TelephonyGateway:
        factory = self._factories.get(name)
        if factory is None:
            known = ", ".join(self.names()) or "none"
            raise ValueError(f"unknown telephony gateway {name!r}; configured: {known}")
        return factory()
