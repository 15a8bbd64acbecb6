"""The app's speech engines, built from configuration once per process.

Models take seconds and hundreds of megabytes to load, so every app instance in a process (tests
build several) shares one engine per engine name and settings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from conversations.speech import (
    SpeechRecognizer,
    SpeechSynthesizer,
    create_recognizer,
    create_synthesizer,
)

log = logging.getLogger(__name__)
_lock = threading.Lock()
_recognizers: dict[tuple, SpeechRecognizer] = {}
_synthesizers: dict[tuple, SpeechSynthesizer] = {}


def shared_recognizer(name: str, settings: tuple[tuple[str, Any], ...]) -> SpeechRecognizer:
    with _lock:
        key = (name, settings)
        if key not in _recognizers:
            _recognizers[key] = create_recognizer(name, **dict(settings))
        return _recognizers[key]


def shared_synthesizer(name: str, settings: tuple[tuple[str, Any], ...]) -> SpeechSynthesizer:
    with _lock:
        key = (name, settings)
        if key not in _synthesizers:
            _synthesizers[key] = create_synthesizer(name, **dict(settings))
        return _synthesizers[key]


def _settings(engine: str, config: Mapping[str, Any], kind: str) -> tuple[tuple[str, Any], ...]:
    if engine == "paddlespeech":
        return (("base_url", config["PADDLESPEECH_URL"]), ("token", config["PADDLESPEECH_TOKEN"]))
    if engine == "dashscope":
        settings = [("api_key", config["DASHSCOPE_SPEECH_API_KEY"]),
                    ("url", config["DASHSCOPE_SPEECH_URL"])]
        if kind == "tts" and config["DASHSCOPE_TTS_VOICE"]:
            settings.append(("voice", config["DASHSCOPE_TTS_VOICE"]))
        return tuple(settings)
    return ()


def recognizer(config: Mapping[str, Any]) -> SpeechRecognizer:
    """The configured recognizer (SPEECH_ASR_ENGINE)."""
    engine = config["SPEECH_ASR_ENGINE"]
    return shared_recognizer(engine, _settings(engine, config, "asr"))


def synthesizer(config: Mapping[str, Any]) -> SpeechSynthesizer:
    """The configured synthesizer (SPEECH_TTS_ENGINE)."""
    engine = config["SPEECH_TTS_ENGINE"]
    return shared_synthesizer(engine, _settings(engine, config, "tts"))


def warm_up(config: Mapping[str, Any]) -> None:
    """Load the configured engines' models now (the demo does this in the background), so the
    first person to hold 按住说话 does not wait for them. Failures are logged, not raised: the
    first request will report them to the person."""
    for build in (recognizer, synthesizer):
        try:
            engine = build(config)
            if hasattr(engine, "warm_up"):
                engine.warm_up()
        except Exception as exc:  # warming is best effort; the request path reports properly
            log.warning("speech engine did not warm up: %s", exc)
