"""The shipped medical knowledge files: complete, consistent and safe to show to patients.

These check properties of the data itself (conversations/data/*.yaml), not the dialogue engine:
every question short and tappable, every associated-symptom option a lexicon term, every red flag
the brief requires present with emergency advice, and the lexicon resolving real patient words.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from conversations.knowledge import PRESENT_ILLNESS_SLOTS, Knowledge, load
from conversations.nlu import normalise, understand

DEMO_HOSPITALS = Path(__file__).resolve().parents[2] / "backend" / "demo" / "hospital_group.yaml"
NONE_OPTION = "都没有"
REQUIRED_COMPLAINTS = {
    "headache", "dizziness", "chest_pain", "palpitations", "cough", "fever", "sore_throat",
    "abdominal_pain", "diarrhoea", "vomiting", "back_pain", "joint_pain", "rash",
    "urinary_symptoms", "vaginal_bleeding", "menstrual_problems", "insomnia", "fatigue",
    "weight_change", "numbness", "shortness_of_breath", "eye_problems", "ear_problems",
    "toothache", "child_fever", "child_cough", "child_diarrhoea", "constipation", "oedema",
    "low_mood",
}
REQUIRED_RED_FLAGS = {
    "chest_pain_with_sweating_or_breathlessness", "stroke_signs", "heavy_bleeding",
    "haematemesis", "gi_bleeding_with_dizziness", "altered_consciousness_or_syncope", "seizure",
    "severe_allergic_reaction", "infant_fever", "child_fever_with_convulsion", "suicidal_intent",
    "pregnancy_bleeding_or_abdominal_pain", "thunderclap_headache",
    "severe_breathlessness_at_rest", "fever_with_neck_stiffness",
}
HISTORY_SLOTS = {
    "past": {"chronic_diseases", "operations", "trauma", "transfusion", "infectious_diseases"},
    "personal": {"smoking", "alcohol", "occupation", "exposure", "travel"},
    "family": {"history"},
    "allergy": {"drugs", "foods"},
    "obstetric": {"last_menstrual_period", "menstrual", "pregnant", "marital_reproductive"},
    "paediatric": {"birth", "feeding", "vaccination", "growth"},
}


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load()


def term_owner(knowledge: Knowledge, kind: str) -> dict[str, str]:
    return {term: concept.id for concept in knowledge.lexicon.concepts[kind].values()
            for term in concept.terms}


def all_questions(knowledge: Knowledge):
    for complaint in knowledge.complaints.values():
        for question in complaint.questions:
            yield f"{complaint.id}.yaml", question
    for section, questions in knowledge.history.items():
        for question in questions:
            yield f"history.yaml {section}", question


# -- sizes and sources ----------------------------------------------------------------------------

def test_every_kind_of_knowledge_is_rich_enough(knowledge):
    concepts = knowledge.lexicon.concepts
    minimum = {"symptoms": 150, "body_sites": 30, "characters": 15, "chronic_diseases": 35,
               "operations": 20, "infectious_diseases": 12, "drugs": 60, "foods": 15}
    for kind, count in minimum.items():
        assert len(concepts[kind]) >= count, kind
    assert len(knowledge.complaints) >= 28
    assert REQUIRED_COMPLAINTS <= set(knowledge.complaints)
    assert len(knowledge.red_flags) >= len(REQUIRED_RED_FLAGS)


def test_every_file_names_a_real_reference(knowledge):
    sources = [knowledge.lexicon.source, knowledge.departments.source, knowledge.history_source,
               knowledge.red_flag_source] + [c.source for c in knowledge.complaints.values()]
    for source in sources:
        assert "《" in source and "》" in source, source
    assert "诊断学" in knowledge.lexicon.source
    assert "病历书写基本规范" in knowledge.history_source
    assert "医疗机构诊疗科目名录" in knowledge.departments.source


# -- departments ----------------------------------------------------------------------------------

def test_department_codes_match_the_hospital_catalogue(knowledge):
    rules = knowledge.departments
    catalogue = yaml.safe_load(DEMO_HOSPITALS.read_text(encoding="utf-8"))["department_catalogue"]
    assert set(rules.departments) == set(catalogue)
    for code, (name, category, *_rest) in catalogue.items():
        assert rules.departments[code] == {"name": name, "category": category}, code
    assert rules.fallback == "GENM"
    assert rules.paediatric_max_age == 13
    assert rules.pregnancy_redirect["GYNE"] == "OBST"
    assert set(rules.paediatric_redirect.values()) == {"PEDI"}
    assert {"CARD", "RESP", "GAST", "NEUR", "GENM"} <= set(rules.paediatric_redirect)
    assert not {"OPHT", "ENT", "STOM", "ORTH", "GSUR"} & set(rules.paediatric_redirect)
    assert rules.sex_limits["GYNE"] == rules.sex_limits["OBST"] == "female"


def test_symptom_department_weights_are_known_codes_from_1_to_5(knowledge):
    codes = set(knowledge.departments.departments)
    for concept in knowledge.lexicon.concepts["symptoms"].values():
        assert concept.departments, concept.id
        for code, weight in concept.departments.items():
            assert code in codes and 1 <= weight <= 5, (concept.id, code, weight)


# -- lexicon --------------------------------------------------------------------------------------

def test_terms_are_stored_normalised_and_never_a_lone_pain_word(knowledge):
    for kind, concepts in knowledge.lexicon.concepts.items():
        for concept in concepts.values():
            assert re.fullmatch(r"[a-z][a-z0-9_]*", concept.id)
            for term in concept.terms:
                assert term == normalise(term) and term.strip() == term, (kind, term)
                assert not any(unicodedata.east_asian_width(ch) == "F" for ch in term), term
                assert term not in {"痛", "疼", "晕", "肿", "咳", "吐", "拉", "烧", "出血", "难受"}


def test_symptom_sites_are_body_sites(knowledge):
    sites = knowledge.lexicon.concepts["body_sites"]
    for concept in knowledge.lexicon.concepts["symptoms"].values():
        assert concept.site is None or concept.site in sites, concept.id


@pytest.mark.parametrize(("term", "concept"), [
    ("脑壳疼", "headache"), ("头通", "headache"), ("头很疼", "headache"),
    ("心口痛", "chest_pain"), ("胸口发闷", "chest_tightness"), ("心里发慌", "palpitations"),
    ("肚子胀", "abdominal_distension"), ("拉肚子", "diarrhoea"), ("闹肚子", "diarrhoea"),
    ("屙肚子", "diarrhoea"), ("腹泄", "diarrhoea"), ("肚皮痛", "abdominal_pain"),
    ("喘不上气", "dyspnea"), ("气紧", "dyspnea"), ("睡不着", "insomnia"), ("没劲", "fatigue"),
    ("腿脚没劲", "weakness"), ("眼睛花", "blurred_vision"), ("脑袋晕", "dizziness"),
    ("天旋地转", "vertigo"), ("打摆子", "chills"), ("便密", "constipation"),
    ("寻麻疹", "hives"), ("咳簌", "cough"), ("嘴歪", "facial_droop"),
    ("说话不清", "slurred_speech"), ("半边身子没劲", "unilateral_weakness"),
    ("叫不醒", "altered_consciousness"), ("晕倒", "syncope"), ("抽风", "convulsion"),
    ("喉咙肿", "throat_swelling"), ("风团", "hives"), ("吐血", "haematemesis"),
    ("柏油样便", "melena"), ("大出血", "heavy_bleeding"), ("见红", "vaginal_bleeding"),
    ("活着没意思", "suicidal_thoughts"), ("脖子发硬", "neck_stiffness"),
    ("吃奶少", "poor_feeding"), ("精神萎靡", "lethargy"), ("腰杆疼", "low_back_pain"),
    ("老寒腿", "joint_pain"), ("耳背", "hearing_loss"), ("刷牙出血", "gum_bleeding"),
])
def test_patient_words_resolve_to_the_right_symptom(knowledge, term, concept):
    """Through the whole reading, so a slip corrected before matching (便密) counts too."""
    read = understand(term, knowledge.lexicon)
    assert [m.concept for m in read.mentions if m.kind == "symptoms"] == [concept]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("我脑壳疼好几天了", {"headache"}),
    ("胸口压着疼，出了一身冷汗", {"chest_pain", "sweating"}),
    ("左边胸口针扎一样疼", {"chest_pain"}),
    ("肚子一阵一阵疼 还拉肚子", {"abdominal_pain", "diarrhoea"}),
    ("我妈肚子胀，吃不下饭", {"abdominal_distension", "poor_appetite"}),
    ("头晕眼花 心里发慌", {"dizziness", "palpitations"}),
    ("恶心呕吐", {"nausea", "vomiting"}),
    ("上吐下泻", {"vomiting", "diarrhoea"}),
    ("嗓子有点痒 流鼻涕", {"throat_itch", "runny_nose"}),
])
def test_sentences_find_every_symptom(knowledge, sentence, expected):
    found = {m.concept for m in understand(sentence, knowledge.lexicon).mentions
             if m.kind == "symptoms" and not m.negated}
    assert found == expected


def test_drugs_are_normalised_for_the_allergy_history(knowledge):
    drugs = knowledge.lexicon.concepts["drugs"]
    owner = term_owner(knowledge, "drugs")
    assert all(drug.drug_class for drug in drugs.values())
    assert owner["青霉素"] == "penicillin" and drugs["penicillin"].drug_class == "penicillins"
    assert owner["青霉素皮试阳性"] == "penicillin"
    assert owner["阿莫西林"] == "amoxicillin" and drugs["amoxicillin"].drug_class == "penicillins"
    assert owner["头孢"] == "cephalosporin"
    assert drugs[owner["头孢克肟"]].drug_class == "cephalosporins"
    assert owner["扑热息痛"] == owner["对乙酰氨基酚"] == "paracetamol"
    assert drugs[owner["左氧氟沙星"]].drug_class == "fluoroquinolones"
    assert drugs[owner["磺胺"]].drug_class == "sulfonamides"
    assert drugs[owner["碘造影剂"]].drug_class == "contrast_media"
    for medicine in ("硝苯地平", "氨氯地平", "二甲双胍", "胰岛素", "阿托伐他汀", "氯吡格雷"):
        assert medicine in owner


def test_history_kinds_cover_the_common_conditions(knowledge):
    chronic = term_owner(knowledge, "chronic_diseases")
    for term, concept in {"高血压": "hypertension", "糖尿病": "diabetes", "冠心病":
                          "coronary_heart_disease", "脑梗": "stroke", "慢阻肺": "copd",
                          "甲亢": "hyperthyroidism", "痛风": "gout"}.items():
        assert chronic[term] == concept
    infectious = term_owner(knowledge, "infectious_diseases")
    assert infectious["乙肝"] == "hepatitis_b" and infectious["肺结核"] == "tuberculosis"
    assert "乙肝" not in chronic
    foods = term_owner(knowledge, "foods")
    assert foods["虾"] == "shrimp" and foods["鸡蛋"] == "egg" and foods["海鲜"] == "seafood"
    assert term_owner(knowledge, "operations")["剖腹产"] == "caesarean_section"


# -- questions ------------------------------------------------------------------------------------

def test_questions_are_short_with_few_short_options(knowledge):
    for where, question in all_questions(knowledge):
        assert len(question.ask) <= 40, (where, question.ask)
        assert question.ask.endswith(("？", "。")), (where, question.ask)
        assert 2 <= len(question.options) <= 6, (where, question.key)
        assert len(set(question.options)) == len(question.options), (where, question.key)
        for option in question.options:
            assert 0 < len(option) <= 8, (where, option)


def test_complaint_sets_follow_the_interview_rules(knowledge):
    for complaint in knowledge.complaints.values():
        keys = [q.key for q in complaint.questions]
        assert 5 <= len(keys) <= 9, complaint.id
        assert len(set(keys)) == len(keys), complaint.id
        assert "present_illness.duration" not in keys, complaint.id  # the engine asks it first
        for key in keys:
            slot = key.removeprefix("present_illness.")
            assert slot in PRESENT_ILLNESS_SLOTS or re.fullmatch(r"extra\.[a-z_]+", slot), key
        assert "present_illness.associated" in keys, complaint.id


def test_a_shared_extra_slot_is_asked_the_same_way_everywhere(knowledge):
    # the note labels an extra slot with its question, whichever complaint asked it
    asks: dict[str, set[str]] = {}
    for complaint in knowledge.complaints.values():
        for question in complaint.questions:
            if question.key.startswith("present_illness.extra."):
                asks.setdefault(question.key, set()).add(question.ask)
    assert {key: texts for key, texts in asks.items() if len(texts) > 1} == {}


def test_associated_options_are_lexicon_symptom_terms(knowledge):
    owner = term_owner(knowledge, "symptoms")
    for complaint in knowledge.complaints.values():
        for question in complaint.questions:
            if question.key != "present_illness.associated":
                continue
            assert question.multi and question.options[-1] == NONE_OPTION, complaint.id
            for option in question.options[:-1]:
                assert option in owner, (complaint.id, option)


def test_triage_rules_can_fire_from_the_answers(knowledge):
    symptom_ids = set(knowledge.lexicon.concepts["symptoms"])
    drug_ids = set(knowledge.lexicon.concepts["drugs"])
    for complaint in knowledge.complaints.values():
        questions = {q.key.removeprefix("present_illness."): q for q in complaint.questions}
        for rule in complaint.triage:
            where = (complaint.id, rule.reason)
            assert rule.slot in questions and rule.reason and rule.add, where
            assert all(1 <= weight <= 3 for weight in rule.add.values()), where
            if rule.slot == "associated":  # the engine stores associated symptoms as concept ids
                assert set(rule.contains) <= symptom_ids, where
                continue
            ids = [w for w in rule.contains if re.fullmatch(r"[a-z_0-9]+", w)]
            assert set(ids) <= drug_ids and (not ids or rule.slot == "medications"), where
            # at least one word is in a tappable option, so tapping alone can trigger the rule
            options = questions[rule.slot].options
            assert any(w in option for w in rule.contains for option in options), where


def test_each_symptom_leads_to_at_most_one_adult_and_one_child_question_set(knowledge):
    for population in ("child", "adult"):
        owners: dict[str, str] = {}
        for complaint in knowledge.complaints.values():
            if (complaint.population == "child") != (population == "child"):
                continue
            for symptom in complaint.symptoms:
                assert owners.setdefault(symptom, complaint.id) == complaint.id, symptom


def test_children_have_their_own_sets_sharing_the_adult_concepts(knowledge):
    complaints = knowledge.complaints
    for complaint in complaints.values():
        assert (complaint.population == "child") == complaint.id.startswith("child_"), complaint.id
    for child_set, adult_set, shared in (("child_fever", "fever", "fever"),
                                         ("child_cough", "cough", "cough"),
                                         ("child_diarrhoea", "diarrhoea", "diarrhoea")):
        assert shared in complaints[child_set].symptoms
        assert shared in complaints[adult_set].symptoms
        assert complaints[adult_set].population == "any"
    women_only = {c.id for c in complaints.values() if c.population == "female"}
    assert {"vaginal_bleeding", "menstrual_problems"} <= women_only


def test_history_asks_every_section_of_the_five_histories(knowledge):
    for section, slots in HISTORY_SLOTS.items():
        asked = {q.key.split(".", 1)[1] for q in knowledge.history[section]}
        assert slots <= asked, section
    allergy = {q.key: q for q in knowledge.history["allergy"]}
    assert "没有" in allergy["allergy.drugs"].options
    # a tapped allergy option must read as an allergy, not as a medicine being taken
    assert all(o in ("没有", "其他", "不清楚") or o.endswith("过敏")
               for o in allergy["allergy.drugs"].options)


# -- red flags ------------------------------------------------------------------------------------

def test_required_red_flag_rules_exist_with_emergency_advice(knowledge):
    rules = {rule.id: rule for rule in knowledge.red_flags}
    assert REQUIRED_RED_FLAGS <= set(rules)
    assert len(rules) == len(knowledge.red_flags)
    for rule in rules.values():
        assert rule.name and len(rule.advice) <= 160, rule.id
        assert "120" in rule.advice or "急诊" in rule.advice, rule.id
    suicide = rules["suicidal_intent"]
    assert "12356" in suicide.advice and "不孤单" in suicide.advice
    assert rules["infant_fever"].when == {"max_age_months": 3}
    assert rules["pregnancy_bleeding_or_abdominal_pain"].when == {"pregnant": True}


def test_red_flag_items_name_lexicon_symptoms(knowledge):
    symptoms = set(knowledge.lexicon.concepts["symptoms"])
    for rule in knowledge.red_flags:
        items = [i for group in rule.all_of for i in group] + list(rule.any_of)
        assert items, rule.id
        for item in items:
            kind, _, value = item.partition(":")
            assert kind in {"symptom", "text"}, item
            if kind == "symptom":
                assert value in symptoms, (rule.id, value)


def _symptoms_of(rule) -> set[str]:
    items = [i for group in rule.all_of for i in group] + list(rule.any_of)
    return {i.removeprefix("symptom:") for i in items if i.startswith("symptom:")}


def test_red_flags_cover_the_danger_signs(knowledge):
    rules = {rule.id: rule for rule in knowledge.red_flags}
    assert {"facial_droop", "slurred_speech", "unilateral_weakness", "unilateral_numbness"} <= (
        _symptoms_of(rules["stroke_signs"]))
    assert {"chest_pain", "sweating", "dyspnea"} <= _symptoms_of(
        rules["chest_pain_with_sweating_or_breathlessness"])
    assert {"hives", "throat_swelling", "dyspnea"} <= _symptoms_of(
        rules["severe_allergic_reaction"])
    assert {"melena", "haematochezia", "dizziness"} <= _symptoms_of(
        rules["gi_bleeding_with_dizziness"])
    assert {"fever", "convulsion"} <= _symptoms_of(rules["child_fever_with_convulsion"])
    assert {"fever", "neck_stiffness"} <= _symptoms_of(rules["fever_with_neck_stiffness"])
    order = [rule.id for rule in knowledge.red_flags]
    assert order.index("child_fever_with_convulsion") < order.index("seizure")


@pytest.mark.parametrize(("rule_id", "said", "fires"), [
    ("suicidal_intent", "觉得活着没意思，不想活了", True),
    ("suicidal_intent", "我想自杀", True),
    ("suicidal_intent", "他跟我说想死", True),
    ("suicidal_intent", "疼得想死", False),
    ("suicidal_intent", "想死你了", False),
    ("thunderclap_headache", "头疼 这辈子最疼的一次", True),
    ("sudden_severe_pain", "这辈子最疼的一次", True),
    ("thunderclap_headache", "睾丸突然剧痛", False),
    ("thunderclap_headache", "头疼得要炸开了", True),
    ("thunderclap_headache", "突然头剧痛", True),
    ("thunderclap_headache", "头疼三天了 不是突然的", False),
    ("pregnancy_bleeding_or_abdominal_pain", "怀孕七个月 突然流血了", True),
    ("pregnancy_bleeding_or_abdominal_pain", "早上见红了", True),
    ("pregnancy_bleeding_or_abdominal_pain", "刷牙时牙龈出血", False),
    ("pregnancy_bleeding_or_abdominal_pain", "鼻子流血", False),
])
def test_red_flag_phrases(knowledge, rule_id, said, fires):
    rule = next(r for r in knowledge.red_flags if r.id == rule_id)
    groups = [list(rule.any_of)] if rule.any_of else []
    groups += [list(g) for g in rule.all_of]  # every group must have a phrase that matches
    matched = [any(re.search(i.removeprefix("text:"), normalise(said))
                   for i in g if i.startswith("text:")) for g in groups]
    assert (bool(matched) and all(matched)) is fires


def test_every_fillable_slot_has_a_record_label(knowledge):
    keys = {q.key for c in knowledge.complaints.values() for q in c.questions}
    keys |= {q.key for questions in knowledge.history.values() for q in questions}
    keys |= {key.removesuffix(".none") for key in knowledge.cues}
    keys |= {"present_illness.negatives", "present_illness.resolved", "past.symptoms",
             "allergy.reactions", "chief_complaint.symptom", "chief_complaint.duration"}
    missing = sorted(k for k in keys if knowledge.label(k) == "其他")
    assert not missing, missing
    assert all("？" not in knowledge.label(k) for k in keys)  # a label, never a question


def test_diseases_carry_an_icd10_code_and_a_department(knowledge):
    diseases = knowledge.lexicon.concepts["diseases"]
    assert len(diseases) >= 1000
    for concept in diseases.values():
        assert re.fullmatch(r"[A-Z][0-9]{2}(\.[0-9A-Zx]{1,4})?", concept.code or ""), concept.id
        assert concept.departments, concept.id
    assert len(knowledge.lexicon.concepts["symptoms"]) >= 500
