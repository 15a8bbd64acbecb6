"""Patients in their own words, fourth round (issue 9): a visit about a finding rather than a
symptom, what a lump itself does, and swelling said right after the place."""

from __future__ import annotations

import pytest

from conversations.knowledge import default_knowledge
from tests.conversations.test_understanding import converse, note_of


def test_a_finding_from_a_check_up_is_why_the_patient_came():
    state, _ = converse("体检查出甲状腺结节", "B超写的右叶低回声结节 0.8×0.6cm",
                        "脖子不疼 吞东西不卡")
    assert state.facts["chief_complaint.symptom"].value == "thyroid_nodule"
    assert note_of(state).startswith("主诉：体检发现甲状腺结节")


def test_a_known_illness_brought_for_review_reads_as_a_review_in_the_note():
    state, _ = converse("有房颤 想复查一下", "前年查出来的 吃着利伐沙班")
    note = note_of(state)
    assert "主诉：发现心房纤颤约2年，要求复查。" in note
    assert "现来复查" in note


def test_a_worry_about_a_disease_is_not_the_complaint():
    state, _ = converse("会不会是甲状腺结节啊")
    assert "chief_complaint.symptom" not in state.facts


def test_a_symptom_still_leads_over_a_named_disease():
    state, _ = converse("有高血压 最近头疼")
    assert state.facts["chief_complaint.symptom"].value == "headache"


def test_a_painless_lump_is_not_a_painless_back():
    state, _ = converse("背上有个肉疙瘩", "软软的 能推动", "不疼")
    assert state.symptoms["local_pain"].present is False
    assert "back_pain" not in state.symptoms and "low_back_pain" not in state.symptoms


def test_swelling_said_right_after_the_joint_is_the_joints():
    state, _ = converse("膝盖红肿 走路疼")
    assert state.symptoms["joint_swelling"].present


def test_drinking_a_lot_in_the_textbook_word_is_understood():
    state, _ = converse("最近多饮多尿")
    assert state.symptoms["polydipsia"].present


def test_the_right_ankle_in_dialect_is_not_the_neck():
    state, _ = converse("右脚脖子疼 崴了一下")
    assert "neck_pain" not in state.symptoms


@pytest.mark.parametrize(("said", "job"), [
    ("外卖平台做客服的", "客服"),
    ("做了一辈子裁缝", "裁缝"),
    ("在4S店修车", "汽车修理工"),
    ("我喺酒楼洗碗", "洗碗工"),
    ("当兵的", "军人"),
    ("全职妈妈", "家务（全职妈妈）"),
])
def test_a_job_said_in_everyday_words_gets_the_records_name(said, job):
    assert default_knowledge().occupation(said) == job
