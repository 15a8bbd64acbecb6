"""Disease and operation names said in pieces, and input slips corrected before matching.

Patients write 肺上有个结节 for 肺结节 and 胆囊早就拿掉了 for 胆囊切除术; the composition tables are
derived from the lexicon's own terms, so a small lexicon built here shows the mechanism and the
shipped one shows the result a patient gets.
"""

from __future__ import annotations

import pytest

from conversations.dialogue import Assistant
from conversations.knowledge import Concept, Lexicon, default_knowledge
from conversations.nlu import understand
from conversations.nlu_compose import build
from conversations.normalise import _typos, normalise
from conversations.state import PatientContext


def _lexicon() -> Lexicon:
    def concept(kind: str, cid: str, *terms: str) -> Concept:
        return Concept(kind, cid, terms[0], terms)
    return Lexicon("test", {
        "diseases": {"lung_nodule": concept("diseases", "lung_nodule", "肺结节"),
                     "kidney_stone": concept("diseases", "kidney_stone", "肾结石")},
        "operations": {"chole": concept("operations", "chole", "切胆囊", "胆囊切除")},
        "symptoms": {}, "body_sites": {},
    }, lesion_words={"结节": (), "结石": ("石头",)})


@pytest.mark.parametrize(("text", "wanted"), [
    ("体检说肺上有个结节", ("diseases", "lung_nodule")),
    ("CT肺里发现了两个小结节 5mm", ("diseases", "lung_nodule")),
    ("肾里有颗小石头", ("diseases", "kidney_stone")),
    ("十几年前胆囊就拿掉了", ("operations", "chole")),
    ("胆囊已经切了", ("operations", "chole")),
])
def test_an_organ_and_what_was_found_or_done_name_the_disease(text, wanted):
    found = {(kind, cid) for _s, _e, kind, cid in build(_lexicon()).find(normalise(text))}
    assert wanted in found


@pytest.mark.parametrize("text", [
    "肺功能检查还好 心脏有点杂音",  # an organ, then no finding word
    "肾上腺素过敏",  # a drug, not a kidney finding
    "结节和肺没关系",  # the finding before the organ is not this composition
    "胆囊有点疼",
])
def test_other_words_between_an_organ_and_a_finding_break_the_composition(text):
    assert build(_lexicon()).find(normalise(text)) == []


def test_a_composed_disease_is_quoted_as_typed_and_read_as_history_when_said_of_the_past():
    lexicon = default_knowledge().lexicon
    read = understand("以前胆囊里长了好几个息肉，现在没事", lexicon)
    polyp = next(m for m in read.mentions if m.concept == "gallbladder_polyp")
    assert polyp.text == "胆囊里长了好几个息肉"
    operation = next(m for m in understand("子宫十年前就切了", lexicon).mentions
                     if m.kind == "operations")
    assert operation.concept == "hysterectomy" and operation.history


@pytest.mark.parametrize(("words", "department"), [
    ("我爸七十二 体检肺上有个结节一公分半 能不能先看看", {"THOR", "RESP"}),
    ("B超说肝上有个囊肿三公分", {"GAST", "GSUR"}),
    ("B超说甲壮腺结节 4a类 是不是要开刀", {"ENDO", "GSUR"}),
    ("体检查出肾结实 该挂什么科", {"UROL"}),
])
def test_findings_said_apart_or_with_a_slip_still_decide_the_department(words, department):
    assistant = Assistant(default_knowledge())
    state, _ = assistant.start("triage", PatientContext(age_years=60, sex="male"))
    assistant.reply(state, words)
    result = assistant.triage(state)
    assert not result.uncertain
    assert result.recommendations[0].code in department


def test_a_slip_is_corrected_in_place_so_offsets_still_quote_the_patient():
    assert normalise("扁桃体发言了 咳簌") == "扁桃体发炎了 咳嗽"
    read = understand("最近咳簌得厉害", default_knowledge().lexicon)
    cough = next(m for m in read.mentions if m.concept == "cough")
    assert cough.text == "咳簌"  # quoted back as typed


def test_a_slip_table_that_changes_length_is_refused(tmp_path):
    bad = tmp_path / "typos.yaml"
    bad.write_text("source: test\ntypos:\n  肾结实: 肾结石头\n", encoding="utf-8")
    with pytest.raises(ValueError, match="keep the length"):
        _typos(bad)


@pytest.mark.parametrize(("text", "concept", "resolved", "history"), [
    ("前阵子嗓子疼了几天 现在好了", "sore_throat", True, False),  # gone, said in the next clause
    ("眼睛红过两回 眼科说虹膜炎", "red_eye", False, True),  # 过 with a count: it happened before
    ("从来没有头疼过", "headache", False, False),  # never: a denial, not history
])
def test_what_was_and_what_is_gone_said_after_the_symptom(text, concept, resolved, history):
    mention = next(m for m in understand(text, default_knowledge().lexicon).mentions
                   if m.concept == concept)
    assert (mention.resolved, mention.history) == (resolved, history)
