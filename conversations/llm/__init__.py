"""Optional language-model help for history taking: slot extraction and narrative polishing.

    model = GuardedModel(create("dashscope", api_key=..., base_url=...), masker=backend_masker)
    slots = extract_with_model(model, utterance, allowed)   # None -> keep the rule engine's slots
    note = polish_narrative(model, draft, facts) or draft

Providers: "rules" (default; offline null model), "dashscope" (Qwen via the DashScope SDK) and
"openai_compatible" (e.g. self-hosted Qwen behind vLLM). The vendor SDKs are imported only when
their provider is created. Red flags never depend on a model.
"""

from conversations.llm.base import (
    DEFAULT_TIMEOUT,
    GuardedModel,
    LanguageModel,
    LanguageModelError,
    LanguageModelInvalidOutput,
    LanguageModelUnavailable,
    Masker,
    MaskingFailed,
    RulesOnlyModel,
    create,
    parse_json_reply,
    provider_names,
    register,
    validate_json,
)
from conversations.llm.extraction import (
    SLOT_EXTRACTION_SCHEMA,
    build_extraction_prompt,
    build_narrative_prompt,
    extract_with_model,
    polish_narrative,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "SLOT_EXTRACTION_SCHEMA",
    "GuardedModel",
    "LanguageModel",
    "LanguageModelError",
    "LanguageModelInvalidOutput",
    "LanguageModelUnavailable",
    "Masker",
    "MaskingFailed",
    "RulesOnlyModel",
    "build_extraction_prompt",
    "build_narrative_prompt",
    "create",
    "extract_with_model",
    "parse_json_reply",
    "polish_narrative",
    "provider_names",
    "register",
    "validate_json",
]
