"""Transcripts read like typed text: simplified characters, clear numbers as digits, BP pairs."""

from __future__ import annotations

import pytest

from conversations.speech.evaluation import corpus_cer, edit_distance, score
from conversations.speech.normalise import normalise_transcript


@pytest.mark.parametrize(("heard", "expected"), [
    ("我的血壓是一百四十五八十八", "我的血压是145/88"),
    ("血压145-88", "血压145/88"),
    ("我今年七十二歲了", "我今年72岁了"),
    ("十二月三號開始咳嗽", "12月3号开始咳嗽"),
    ("二零二六年", "2026年"),
    ("一百零五", "105"),
    ("吃了两片", "吃了2片"),
])
def test_numbers_become_digits(heard, expected):
    assert normalise_transcript(heard) == expected


@pytest.mark.parametrize("words", ["我在吃二甲双胍", "一下子头痛", "有一点点晕", "三七粉",
                                   "一直咳嗽", "十分难受"])
def test_numerals_inside_words_are_left_alone(words):
    assert normalise_transcript(words) == words


def test_character_error_rate_ignores_punctuation_and_number_spelling():
    assert score("血压一百四十五八十八。", "血压145/88").cer == 0
    assert edit_distance("胸口疼", "星口疼") == 1
    scored = [score("我要找医生", "我要找医生"), score("头晕", "普云")]
    assert corpus_cer(scored) == pytest.approx(2 / 7)
