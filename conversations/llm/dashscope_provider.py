"""Qwen through Alibaba Cloud's DashScope SDK (`dashscope.Generation.call`).

Configuration is per instance and per call, never global: `Generation.call` forwards its extra
keywords to the SDK's request builder, which takes `base_address` (the API root, e.g.
``https://dashscope.aliyuncs.com/api/v1``; the SDK appends
``/services/aigc/text-generation/generation``), `request_timeout` (seconds, passed to requests as
its timeout) and `session` (a requests.Session). We always pass all three plus `api_key`, so the
SDK's module globals (`dashscope.base_http_api_url`, `dashscope.api_key`) and the environment
variables they are read from (DASHSCOPE_HTTP_BASE_URL, DASHSCOPE_API_KEY) are never consulted,
and nothing here mutates them: two instances with different endpoints and keys can run
concurrently in one process.

The SDK itself logs a failed request's exception with `logger.exception` (URL, not body) and, at
DEBUG level only, the request body; keep the "dashscope" logger above DEBUG in production.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import dashscope
import requests

from conversations.llm.base import (
    DEFAULT_TIMEOUT,
    LanguageModel,
    LanguageModelInvalidOutput,
    LanguageModelUnavailable,
    register,
    sampling_options,
)

DEFAULT_BASE_URL = "https://dashscope.aliyuncs.com/api/v1"
DEFAULT_MODEL = "qwen-plus"


@register("dashscope")
class DashScopeModel(LanguageModel):
    """A DashScope text-generation model (qwen-plus by default)."""

    def __init__(
        self,
        api_key: str,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        temperature: float | None = 0.0,
        max_tokens: int | None = 1024,
        workspace: str | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("DashScope needs an api_key")
        if not model:
            raise ValueError("DashScope needs a model name")
        self.api_key = api_key
        self.model = model
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.workspace = workspace
        # Our own connection pool (not the SDK's process-wide shared session).
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def _chat(self, system: str, user: str, *, timeout: float, json_mode: bool) -> str:
        options = sampling_options(json_mode, self.temperature, self.max_tokens)
        try:
            response = dashscope.Generation.call(
                model=self.model,
                messages=[{"role": "system", "content": system},
                          {"role": "user", "content": user}],
                result_format="message",
                api_key=self.api_key,
                workspace=self.workspace,
                base_address=self.base_url,
                request_timeout=timeout or self.timeout,
                session=self._session,
                **options,
            )
        except requests.Timeout:
            raise LanguageModelUnavailable("dashscope timed out") from None
        except Exception as exc:  # requests errors, SDK errors, a malformed 200 body
            raise LanguageModelUnavailable(
                f"dashscope request failed ({type(exc).__name__})") from None
        status = getattr(response, "status_code", None)
        if status != HTTPStatus.OK:
            code = getattr(response, "code", None)
            raise LanguageModelUnavailable(
                f"dashscope answered HTTP {status} ({code})", status_code=status,
                code=str(code) if code is not None else None)
        return _reply_text(response)


def _reply_text(response: Any) -> str:
    try:
        choice = response.output.choices[0]
        content = choice.message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        raise LanguageModelInvalidOutput("dashscope reply has no message") from None
    if isinstance(content, list):  # multimodal-style content parts
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str):
        raise LanguageModelInvalidOutput("dashscope reply content is not text")
    if choice.get("finish_reason") == "length":
        raise LanguageModelInvalidOutput("dashscope reply was cut at max_tokens")
    return content
