"""A model's rephrasing is accepted only when it says exactly what the source says."""

from __future__ import annotations

import pytest

from reports.rephrase import checked

TEXT = ("血液里的钾，对心跳和肌肉力量很重要。这次结果比参考范围高。"
        "偏高可能影响心跳，常见于肾功能下降、某些降压药。")
BASIS = "您的结果：5.8 mmol/L；参考范围：3.5-5.3（化验室提供）"


def test_a_warmer_wording_with_the_same_facts_is_accepted():
    words = "钾关系到心跳和力气。您这次是5.8 mmol/L，比参考范围偏高，常见原因有肾功能下降。"
    assert checked(TEXT.replace("高。", "偏高。"), BASIS, words) == words


@pytest.mark.parametrize("words", [
    "您这次是6.8 mmol/L，偏高。",  # a number not in the source
    "您这次是5.8 mg/dL，偏高。",  # a unit not in the source
    "您这次的钾偏低。",  # the judgement reversed
    "钾关系到心跳。",  # the judgement dropped
    "您这次偏高，可能得了肾病。",  # a diagnosis
    "您这次偏高，吃点补钾的药就好。",  # a drug
    "您这次偏高，不过没事，放心吧。",  # a reassurance the source never gave
    "偏高" * 200,  # too long
    "",
    None,
])
def test_anything_else_is_refused(words):
    assert checked(TEXT.replace("高。", "偏高。"), BASIS, words) is None
