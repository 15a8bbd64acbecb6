"""The language-model simulator reads the same prompt landmarks the assistant writes, without
importing the assistant: if the prompts change, this says so."""

from __future__ import annotations

import pytest

from conversations.llm import extraction
from simulators import llm


@pytest.mark.parametrize("name", ["EXTRACTION_TASK_MARKER", "NARRATIVE_TASK_MARKER",
                                  "UTTERANCE_TAG", "DRAFT_TAG", "ALLOW_LIST_HEADING",
                                  "OUTPUT_FORMAT_HEADING"])
def test_the_simulator_reads_the_landmarks_the_assistant_writes(name):
    assert getattr(llm, name) == getattr(extraction, name)
