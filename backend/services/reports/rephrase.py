"""Explanations said more warmly by the configured language model (REPORT_REPHRASE), only
where `reports.rephrase.checked` accepts the words; cached in Redis so a report opened twice
asks once. Any failure leaves the deterministic words, which are always correct."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import current_app

from backend.extensions import get_redis
from backend.services.conversations import language_model
from conversations.llm import LanguageModelError
from reports.rephrase import SYSTEM, checked, user_message

log = logging.getLogger(__name__)
CACHE_SECONDS = 30 * 24 * 3600
REFUSED = "-"  # cached: the model's words were refused, do not ask again


def _model():
    holder = current_app.extensions.setdefault("report_model", {})
    if "model" not in holder:
        holder["model"] = language_model(current_app.config)
    return holder["model"]


def enabled() -> bool:
    config = current_app.config
    return config["REPORT_REPHRASE"] and config["LLM_PROVIDER"] != "rules"


def rephrase(results: list[dict[str, Any]]) -> None:
    """Replace `text` of each value that is not normal with accepted model words, in place."""
    redis = get_redis()
    for result in results:
        if result["level"] == "normal" or not result["text"]:
            continue
        key = "frontdoor:report-rephrase:" + hashlib.sha256(
            f"{result['text']}\n{result['basis']}".encode()).hexdigest()
        cached = redis.get(key) if redis is not None else None
        if cached is not None:
            words = cached.decode() if isinstance(cached, bytes) else cached
        else:
            words = _ask(result) or REFUSED
            if redis is not None:
                redis.set(key, words, ex=CACHE_SECONDS)
        if words != REFUSED:
            result["text"], result["rephrased"] = words, True


def _ask(result: dict[str, Any]) -> str | None:
    try:
        reply = _model().complete_text(SYSTEM, user_message(result["text"], result["basis"]))
    except LanguageModelError as exc:
        log.info("report rephrase unavailable", extra={"error": type(exc).__name__})
        return None
    accepted = checked(result["text"], result["basis"], reply)
    if accepted is None:
        log.info("report rephrase refused by the check", extra={"test": result["code"]})
    return accepted
