"""Patients in their own words, eighth round (issue 9): spoken or typed without a break,
feelings that follow one another belong to the same site, each with its own 不; a denial with
什么 or 啥 before a one-character symptom still denies it."""

from __future__ import annotations

import pytest

from conversations.knowledge import default_knowledge
from conversations.nlu import understand

LEXICON = default_knowledge().lexicon


def _read(text: str) -> dict[str, bool]:
    """concept -> said to be there (True) or denied (False)."""
    return {m.concept: not m.negated for m in understand(text, LEXICON).mentions
            if m.kind == "symptoms"}


@pytest.mark.parametrize(("words", "concept", "there"), [
    ("肚子不胀也不疼就是不想吃饭", "abdominal_pain", False),
    ("胸口不闷也不疼 就是有点咳", "chest_pain", False),
    ("膝盖肿还疼 上楼更厉害", "joint_pain", True),
    ("膝盖肿还疼 上楼更厉害", "joint_swelling", True),
    ("屁股周围不麻 腿也有劲", "numbness", False),
])
def test_feelings_said_one_after_another_belong_to_the_same_site(words, concept, there):
    assert _read(words).get(concept) is there, _read(words)


@pytest.mark.parametrize("words", ["有点咳没什么痰鼻子也塞", "咳了几天 没啥痰"])
def test_a_denial_with_shen_me_before_a_one_character_symptom_denies_it(words):
    assert _read(words).get("sputum") is False, _read(words)


def test_a_feeling_that_starts_another_word_is_not_chained():
    said = _read("嗓子疼 说话不痛快")
    assert said.get("sore_throat") is True
    assert "pain" not in said and said.get("local_pain") is None
