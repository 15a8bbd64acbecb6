"""The engine writes each reviewed note exactly as the reviewer signed it (golden/notes.json)."""

from __future__ import annotations

import json

import pytest

from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from tests.conversations.golden_notes import CORPUS, GOLDEN, narrative

ASSISTANT = Assistant(default_knowledge())
SPECS = {p["id"]: p for p in json.loads(CORPUS.read_text(encoding="utf-8"))}
GOLDEN_NOTES = json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_every_golden_note_was_reviewed_and_comes_from_the_corpus():
    assert len(GOLDEN_NOTES) >= 28
    for note in GOLDEN_NOTES:
        assert note["reviewed"] and note["utterances"] == SPECS[note["id"]]["utterances"]


@pytest.mark.parametrize("note", GOLDEN_NOTES, ids=[n["id"] for n in GOLDEN_NOTES])
def test_the_engine_writes_the_signed_note(note):
    assert narrative(SPECS[note["id"]], ASSISTANT).split("\n") == note["narrative"]
