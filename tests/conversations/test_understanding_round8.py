"""Patients in their own words, eighth round (issue 9): spoken or typed without a break,
feelings that follow one another belong to the same site, each with its own 不; a denial with
什么 or 啥 before a one-character symptom still denies it."""

from __future__ import annotations

import pytest

from conversations.knowledge import default_knowledge
from conversations.nlu import normalise, understand
from tests.conversations.test_understanding import ASSISTANT, converse

LEXICON = default_knowledge().lexicon


def converse_more(state, message):
    return ASSISTANT.reply(state, message)


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


def test_nothing_left_to_bring_up_is_no_denial_of_vomiting():
    assert _read("宝宝吐了五六次 没啥吐的了 还一直干呕").get("vomiting") is True


def test_a_feeling_that_starts_another_word_is_not_chained():
    said = _read("嗓子疼 说话不痛快")
    assert said.get("sore_throat") is True
    assert "pain" not in said and said.get("local_pain") is None


def test_what_a_speech_recogniser_hears_for_common_medical_words_is_read_as_meant():
    assert normalise("高雪压十年 吃二甲双瓜 头包过敏") == "高血压十年 吃二甲双胍 头孢过敏"
    assert normalise("劲椎不好 心脏放了两个之家") == "颈椎不好 心脏放了两个支架"
    assert normalise("我家之家") == "我家之家"  # only after 个 / 放 is it a stent


def test_an_illness_named_in_answer_to_the_past_history_question_is_past_history():
    state, _ = converse("右手腕疼两个月了")
    for _ in range(20):  # the complaint's own questions first
        if state.current == "past.chronic_diseases":
            break
        converse_more(state, "没有")
    assert state.current == "past.chronic_diseases"
    converse_more(state, "以前没什么病 有个乳腺增生")
    earlier = state.diseases["breast_hyperplasia"]
    assert earlier.present and earlier.history
    assert "乳腺增生" in ASSISTANT.note(state).sections["past"]
