"""The resident's words for each statement: the rules' own, or a language model's rephrasing
where enabled (PORTRAIT_REPHRASE) and only if `reports.rephrase.checked` accepts it (the same
numbers and units, no diagnosis, no treatment, no reassurance). The doctor sees and approves the
words the resident will read. Identifiers never reach the model: statements hold none."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from backend.services.conversations import language_model
from conversations.llm import LanguageModelError
from reports.rephrase import checked

log = logging.getLogger(__name__)
SYSTEM = ("你在社区卫生服务中心帮家庭医生给老人写健康小结。请把下面这句话换成更口语、更温和的说法，"
          "给70岁的老人看。要求：不改任何数字、单位和日期；不下诊断，不提任何药物和治疗，"
          "不说“没事”“不用看医生”；一句话。只输出改写后的文字。")


def enabled() -> bool:
    config = current_app.config
    return config["PORTRAIT_REPHRASE"] and config["LLM_PROVIDER"] != "rules"


def _model():
    holder = current_app.extensions.setdefault("portrait_model", {})
    if "model" not in holder:
        holder["model"] = language_model(current_app.config)
    return holder["model"]


def add_plain_words(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for statement in statements:
        statement["plain"], statement["rephrased"] = statement["text"], False
        if not enabled():
            continue
        basis = "；".join(e["label"] for e in statement["evidence"])
        try:
            reply = _model().complete_text(SYSTEM, f"原句：{statement['text']}\n依据：{basis}")
        except LanguageModelError as exc:
            log.info("portrait rephrase unavailable", extra={"error": type(exc).__name__})
            continue
        accepted = checked(statement["text"], basis, reply)
        if accepted is None:
            log.info("portrait rephrase refused by the check", extra={"rule": statement["rule"]})
            continue
        statement["plain"], statement["rephrased"] = accepted, True
    return statements
