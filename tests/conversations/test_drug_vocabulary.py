"""Medicines as patients name them (issue 9): brand names, 中成药, creams and plasters,
inhalers, eye drops, cancer and hormone drugs, supplements and typing slips, recorded under 用药
or, said with 过敏, under 过敏史; everyday words that merely contain a drug's name are ignored."""

from __future__ import annotations

import pytest
import yaml

from conversations.knowledge import DATA_DIR, default_knowledge
from conversations.nlu import understand
from tests.conversations.test_understanding import converse, note_of

LEXICON = default_knowledge().lexicon
DRUGS = LEXICON.concepts["drugs"]


def medicines(state) -> list[str]:
    """What the interview recorded as taken, now or long-term (用药 in either history)."""
    keys = ("present_illness.medications", "past.medications")
    return [drug for key in keys if key in state.facts for drug in state.facts[key].value]


def test_brand_names_a_patient_reads_off_the_box_are_recorded():
    state, _ = converse("头晕一周了", "这几天吃了倍博特，还有欧唐宁")
    assert {"valsartan_amlodipine", "linagliptin"} <= set(medicines(state))
    note = note_of(state)
    assert "缬沙坦氨氯地平" in note and "利格列汀" in note


def test_patent_medicines_topicals_and_a_typo_in_one_answer():
    state, _ = converse("右上腹隐隐作痛三天", "吃了消炎利胆片和护肝片",
                        "痔疮犯了抹了马应龙 还吃了布落芬")
    assert {"xiaoyan_lidan", "huganpian", "mayinglong", "ibuprofen"} <= set(medicines(state))


@pytest.mark.parametrize(("said", "expected"), [
    ("贴了云南白药膏，又擦过红花油", {"yunnan_baiyao", "safflower_oil"}),
    ("用着雷诺考特和辅舒良喷鼻子", {"budesonide", "fluticasone_nasal"}),
    ("滴了海露，还有托百士", {"sodium_hyaluronate_eye", "tobramycin_eye"}),
    ("吃过养血生发胶囊和三金片", {"yangxue_shengfa", "sanjinpian"}),
    ("在吃来曲唑", {"letrozole"}),
    ("打过亮丙瑞林 现在吃比卡鲁胺", {"leuprorelin", "bicalutamide"}),
    ("擦过皮炎平", {"dexamethasone_acetate_cream"}),
    ("一直吃可定降血脂", {"rosuvastatin"}),
    ("吃了点善存和深海鱼油", {"multivitamin", "fish_oil"}),
])
def test_each_kind_of_medicine_is_kept_under_its_own_concept(said, expected):
    state, _ = converse("咳嗽三天了", said)
    assert expected <= set(medicines(state)), said


def test_a_new_drug_said_with_an_allergy_goes_to_the_allergy_history_with_its_reaction():
    state, _ = converse("头疼三天了", "以前吃牛黄解毒片过敏，起了一身风团")
    assert state.facts["allergy.drugs"].value == ["niuhuang_jiedu"]
    assert "niuhuang_jiedu" not in medicines(state)
    assert "牛黄解毒片过敏" in note_of(state)


def test_a_misspelt_drug_class_in_the_allergy_answer_is_still_the_class():
    state, _ = converse("咳嗽一周了", "不发烧", "对头胞过敏 一吃就起疹子")
    assert state.facts["allergy.drugs"].value == ["cephalosporin"]
    assert "rash" not in state.symptoms


@pytest.mark.parametrize("said", [
    "湿疹皮炎平时很痒",  # 皮炎 + 平时, not the cream
    "医生说半年后复查即可定期随访",  # 即可 + 定期, not Crestor (可定)
    "体检降钙素原偏高",  # a lab test that begins like calcitonin
    "唐筛说游离雌三醇偏低",
    "查性激素雌二醇偏低",
    "肚皮针扎一样疼",
    "辞职离开同事以后睡不好",
    "我是开桑塔纳跑出租的",
    "医生听了说心律平稳",
    "干扰素释放试验阳性",
    "病理pd-l1表达阳性",
])
def test_everyday_and_lab_words_that_contain_a_drug_name_are_not_medicines(said):
    read = understand(said, LEXICON)
    assert [m.concept for m in read.mentions if m.kind == "drugs"] == [], said


def test_the_acei_cough_rule_knows_every_acei_in_the_lexicon():
    """A dry cough on an ACE inhibitor weighs toward the drug; a newly listed 普利 must count."""
    cough = default_knowledge().complaints["cough"]
    listed = {word for rule in cough.triage if rule.slot == "medications"
              for word in rule.contains}
    aceis = {drug.id for drug in DRUGS.values() if drug.drug_class == "acei"}
    assert {"fosinopril", "perindopril_indapamide"} <= aceis <= listed


@pytest.mark.parametrize(("term", "concept", "drug_class"), [
    ("依托考昔", "etoricoxib", "nsaids"),  # a coxib, not meloxicam
    ("散利痛", "propyphenazone_compound", "pyrazolones"),  # 去痛片-like cross-reactivity
    ("柳氮磺吡啶", "sulfasalazine", "sulfonamides"),
    ("头孢他啶", "ceftazidime", "cephalosporins"),
    ("氯硝西泮", "clonazepam", "benzodiazepines"),  # was filed under lorazepam
    ("泰利必妥", "ofloxacin", "fluoroquinolones"),  # Santen's ofloxacin, not levofloxacin
    ("玛巴洛沙韦", "baloxavir", "antivirals"),  # not oseltamivir
    ("卫喜康", "solifenacin", "antimuscarinics"),  # not tolterodine
    ("消渴丸", "xiaoke_pill", "sulfonylureas"),  # contains glibenclamide
])
def test_drugs_land_on_the_concept_and_class_that_matter_for_allergy_and_history(
        term, concept, drug_class):
    read = understand(term, LEXICON)
    assert [m.concept for m in read.mentions if m.kind == "drugs"] == [concept]
    assert DRUGS[concept].drug_class == drug_class


def test_no_drug_term_is_also_a_word_of_another_kind_read_in_the_same_pass():
    others: dict[str, str] = {}
    for kind, concepts in LEXICON.concepts.items():
        if kind in ("drugs", "diseases"):  # diseases are matched in a parallel pass
            continue
        for concept in concepts.values():
            others.update({term: f"{kind}.{concept.id}" for term in concept.terms})
    clashes = {term: others[term] for drug in DRUGS.values() for term in drug.terms
               if term in others}
    assert clashes == {}


def test_every_drug_file_names_its_sources():
    files = sorted((DATA_DIR / "lexicon").glob("drugs_*.yaml"))
    assert len(files) >= 10
    for path in files:
        source = yaml.safe_load(path.read_text(encoding="utf-8"))["source"]
        assert "国家基本药物目录" in source or "药典" in source, path.name
    assert len(DRUGS) >= 800
