"""Spoken replies as short-lived audio links the mini-program's audio player can open.

InnerAudioContext (and Alipay's) fetch `src` without our Authorization header, so each spoken
sentence gets an unguessable single-purpose token that expires after SPEECH_AUDIO_TTL_SECONDS.
The token stores only the sentence to speak; the audio is synthesised when the player first asks
for it (so the reply's text comes back at once and the first sentence plays while the rest is
being made) and kept for replays until the token expires. Without Redis (the embedded demo)
clips live in this process's memory.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from typing import Any

from flask import current_app

from backend.errors import NotFound, ServiceUnavailable
from backend.extensions import get_redis
from backend.security.identifiers import mask_identifiers
from backend.services.voice import engines
from conversations.speech import SpeechError, SpeechRejected, split_sentences

log = logging.getLogger(__name__)
PREFIX = "speech:clip:"
MAX_CLIPS = 12  # sentences per reply; assistant replies are a few short sentences


class _MemoryStore:
    """Redis's get/setex for the single-process demo."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def setex(self, key: str, ttl: int, value: bytes | str) -> None:
        data = value.encode() if isinstance(value, str) else value
        with self._lock:
            now = time.monotonic()
            self._items = {k: v for k, v in self._items.items() if v[0] > now}
            self._items[key] = (now + ttl, data)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            return item[1] if item and item[0] > time.monotonic() else None


_memory = _MemoryStore()


def _store():
    return get_redis() or _memory


def clips_for(text: str) -> list[dict[str, Any]]:
    """One playable link per sentence of `text`, in order (empty text: none). Identifiers are
    masked first, as on screen: a phone or ID number is never read out loud."""
    sentences = split_sentences(mask_identifiers(text or "").text)[:MAX_CLIPS]
    ttl = current_app.config["SPEECH_AUDIO_TTL_SECONDS"]
    store, clips = _store(), []
    for sentence in sentences:
        token = secrets.token_urlsafe(24)
        store.setex(PREFIX + token, ttl, json.dumps({"text": sentence}, ensure_ascii=False))
        clips.append({"token": token, "text": sentence})
    return clips


def audio_for(token: str) -> bytes:
    """The clip's WAV audio, synthesised on first request. NotFound once it has expired."""
    store, ttl = _store(), current_app.config["SPEECH_AUDIO_TTL_SECONDS"]
    raw = store.get(PREFIX + token) if len(token) < 64 else None
    if raw is None:
        raise NotFound("这段语音已经过期了。", code="speech_expired")
    cached = store.get(PREFIX + token + ":wav")
    if cached is not None:
        return cached
    sentence = json.loads(raw)["text"]
    try:
        audio = engines.synthesizer(current_app.config).synthesize(sentence)
    except SpeechRejected as exc:
        raise NotFound("这段话没法读出来。", code="speech_unspeakable") from exc
    except SpeechError as exc:
        log.warning("speech synthesis failed: %s", exc)
        raise ServiceUnavailable("语音播报暂时不可用，请看文字。",
                                 code="speech_unavailable") from exc
    wav = audio.to_wav()
    store.setex(PREFIX + token + ":wav", ttl, wav)
    return wav
