"""Any OpenAI-compatible chat-completions endpoint (e.g. self-hosted Qwen behind vLLM).

Uses the `openai` client with an explicit `base_url` (e.g. ``http://llm.internal:8000/v1``),
`api_key` (vLLM's --api-key; any non-empty string when the server has none), `timeout`, and
`max_retries=0`: retrying is the guard's business (its circuit breaker), not a hidden loop that
multiplies the patient's wait. One client per instance; nothing global is touched.
"""

from __future__ import annotations

from typing import Any

import openai

from conversations.llm.base import (
    DEFAULT_TIMEOUT,
    LanguageModel,
    LanguageModelInvalidOutput,
    LanguageModelUnavailable,
    register,
    sampling_options,
)


@register("openai_compatible")
class OpenAICompatibleModel(LanguageModel):
    """A chat model served with OpenAI's /v1/chat/completions protocol."""

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        temperature: float | None = 0.0,
        max_tokens: int | None = 1024,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("an OpenAI-compatible endpoint needs an api_key (any non-empty "
                             "string if the server checks none)")
        if not model:
            raise ValueError("an OpenAI-compatible endpoint needs a model name")
        if not base_url:
            raise ValueError("an OpenAI-compatible endpoint needs a base_url")
        self.model = model
        self.base_url = base_url
        self.timeout = timeout
        self.temperature = temperature
        self.max_tokens = max_tokens
        # e.g. {"chat_template_kwargs": {"enable_thinking": False}} for Qwen3 on vLLM
        self.extra_body = dict(extra_body or {})
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0)

    def close(self) -> None:
        self._client.close()

    def _chat(self, system: str, user: str, *, timeout: float, json_mode: bool) -> str:
        options = sampling_options(json_mode, self.temperature, self.max_tokens)
        if self.extra_body:
            options["extra_body"] = self.extra_body
        try:
            completion = self._client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": system},
                          {"role": "user", "content": user}],
                timeout=timeout or self.timeout,
                **options,
            )
        except openai.APITimeoutError:
            raise LanguageModelUnavailable("openai-compatible endpoint timed out") from None
        except openai.APIStatusError as exc:
            code = _error_code(exc)
            raise LanguageModelUnavailable(
                f"openai-compatible endpoint answered HTTP {exc.status_code} ({code})",
                status_code=exc.status_code, code=code) from None
        except openai.APIResponseValidationError:
            raise LanguageModelInvalidOutput(
                "openai-compatible endpoint sent a malformed response") from None
        except Exception as exc:  # connection errors, anything else from the client
            raise LanguageModelUnavailable(
                f"openai-compatible request failed ({type(exc).__name__})") from None
        try:
            choice = completion.choices[0]
            content = choice.message.content
        except (AttributeError, IndexError, TypeError):
            raise LanguageModelInvalidOutput("reply has no message") from None
        if not isinstance(content, str):
            raise LanguageModelInvalidOutput("reply content is not text")
        if choice.finish_reason == "length":
            raise LanguageModelInvalidOutput("reply was cut at max_tokens")
        return content


def _error_code(exc: openai.APIStatusError) -> str | None:
    code = getattr(exc, "code", None)
    return str(code) if code is not None else None
