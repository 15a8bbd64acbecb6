"""Engines are found by name from configuration; vendor code loads only for the engine used."""

from __future__ import annotations

import sys

import pytest

from conversations.speech import (
    Audio,
    SpeechRecognizer,
    SpeechRejected,
    create_recognizer,
    create_synthesizer,
    recognizer_names,
    split_sentences,
    synthesizer_names,
)


def test_every_engine_is_listed_by_name():
    assert recognizer_names() == ["dashscope", "offline", "paddlespeech"]
    assert synthesizer_names() == ["dashscope", "offline", "paddlespeech"]


def test_an_unknown_name_says_which_exist():
    with pytest.raises(ValueError, match="offline"):
        create_recognizer("whisper-large")


def test_settings_are_checked_when_the_engine_is_built():
    with pytest.raises(ValueError, match="http"):
        create_recognizer("paddlespeech", base_url="asr-host:8090")
    with pytest.raises(ValueError, match="api_key"):
        create_synthesizer("dashscope", api_key="")


def test_building_the_paddlespeech_client_imports_no_speech_framework():
    create_recognizer("paddlespeech", base_url="http://127.0.0.1:9")
    assert "paddlespeech" not in sys.modules and "paddle" not in sys.modules


def test_audio_and_text_are_checked_at_the_interface():
    with pytest.raises(SpeechRejected):
        Audio(b"\x00", 16000)
    assert Audio(b"\x00\x00" * 8000, 16000).duration_s == 0.5
    assert split_sentences("您好。今天血压多少？  好的") == ["您好。", "今天血压多少？", "好的"]
    recognizer = create_recognizer("offline")
    assert isinstance(recognizer, SpeechRecognizer)
    with pytest.raises(SpeechRejected):
        recognizer.transcribe(b"", 16000)
    with pytest.raises(SpeechRejected):
        recognizer.transcribe(b"\x00\x00" * 100, 8000)
    with pytest.raises(SpeechRejected):
        create_synthesizer("offline").synthesize("  ")
