"""Flags (the lab's first), critical values, and the plain words a patient reads."""

from __future__ import annotations

import re

from reports.explain import Level, explain_result, summarise
from reports.flags import assess
from reports.knowledge import default_knowledge
from reports.model import Flag, PatientContext, ResultIn

ADULT_MAN = PatientContext("male", 66 * 366)


def _explain(result: ResultIn, patient: PatientContext = ADULT_MAN):
    knowledge = default_knowledge()
    test = knowledge.find(result.code, result.name, result.loinc)
    assessment = assess(result, test, patient, knowledge)
    return assessment, explain_result(result, test, assessment)


def test_the_labs_flag_is_used_as_given_even_against_our_interval():
    assessment, words = _explain(ResultIn(1, "ALT", "谷丙转氨酶", "NM", "45", "U/L", "0-40", "H"))
    assert assessment.flag == Flag.HIGH and assessment.flag_source == "lab"
    assert "化验室提供" in words.basis and "比参考范围高" in words.text


def test_the_labs_interval_comes_before_the_national_one():
    assessment, _ = _explain(ResultIn(1, "ALT", "ALT", "NM", "45", "U/L", "0-40"))
    assert assessment.flag == Flag.HIGH and assessment.interval_text == "0-40"


def test_beyond_the_critical_limit_is_critical_whatever_the_flag():
    assessment, words = _explain(ResultIn(1, "K", "血钾", "NM", "2.5", "mmol/L", "3.5-5.3", "L"))
    assert assessment.critical and assessment.flag == Flag.CRITICAL_LOW
    assert words.level == Level.CRITICAL and "请尽快与医院联系或到急诊科就诊" in words.advice
    assert "危急值" in words.basis


def test_a_lab_critical_flag_is_critical_without_a_table_row():
    assessment, _ = _explain(ResultIn(1, "TSH", "TSH", "NM", "150", "mIU/L", "0.27-4.2", "HH"))
    assert assessment.critical and assessment.critical_source == "lab"


def test_children_have_no_default_critical_table():
    child = PatientContext("female", 5 * 366)
    assessment, _ = _explain(ResultIn(1, "K", "血钾", "NM", "6.4", "mmol/L", "3.5-5.5"), child)
    assert assessment.flag == Flag.HIGH and not assessment.critical


def test_qualitative_results_read_positive_and_negative():
    positive, words = _explain(ResultIn(1, "HBsAg", "乙肝表面抗原", "ST", "阳性(+)"))
    negative, _ = _explain(ResultIn(2, "HBsAg", "乙肝表面抗原", "ST", "阴性"))
    protected, antibody_words = _explain(ResultIn(3, "HBsAb", "乙肝表面抗体", "ST", "阳性"))
    assert positive.flag == Flag.ABNORMAL and "肝病科" in words.text
    assert negative.flag == Flag.NORMAL and protected.flag == Flag.NORMAL
    assert "保护力" in antibody_words.text


def test_far_beyond_the_interval_asks_for_a_recheck_within_a_week():
    _, mild = _explain(ResultIn(1, "ALT", "ALT", "NM", "60", "U/L", "9-50"))
    _, marked = _explain(ResultIn(1, "ALT", "ALT", "NM", "130", "U/L", "9-50"))
    assert mild.advice == "下次看病时带给医生看。"
    assert marked.advice.startswith("建议一周内复查")


def test_an_unknown_test_says_so_and_still_shows_the_labs_flag():
    _, words = _explain(ResultIn(1, "X99", "某某特殊蛋白", "NM", "12", "mg/L", "", "H"))
    assert "还没有通俗的解释" in words.text and "偏高" in words.text
    assert words.level == Level.MILD


def test_words_are_short_and_never_prescribe():
    knowledge = default_knowledge()
    drugs = re.compile(r"(片|胶囊|注射液|口服|每日\d|mg/次|服用.{0,4}治疗)")
    for test in knowledge.tests.values():
        for text in (test.measures, test.high, test.low, test.positive, test.negative):
            assert len(text) <= 80, (test.code, text)
            assert not drugs.search(text), (test.code, text)


def test_a_report_summary_takes_the_most_urgent_result():
    results = [ResultIn(1, "WBC", "白细胞", "NM", "6.1", "10^9/L"),
               ResultIn(2, "HGB", "血红蛋白", "NM", "45", "g/L")]
    words = [_explain(r)[1] for r in results]
    summary = summarise(words, corrected=True)
    assert summary.level == Level.CRITICAL and summary.headline.startswith("报告已更正。")
    assert "医院已经通知了医生" in summary.headline
    calm = summarise([words[0]])
    assert calm.headline == "这份报告共1项，都在参考范围内。"
