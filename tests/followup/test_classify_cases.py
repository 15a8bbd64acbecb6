"""The standard's 分类干预, one row per follow-up a family doctor would recognise.

Each row: who and what was found at the visit (and the previous follow-up where it matters),
and what 国家基本公共卫生服务规范（第三版） makes of it: the class, whether and how to refer, the
rule that sets the next date, and the date. Visits are on 10 March 2026: +3 months is 10 June,
+2 weeks is 24 March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from followup import ProgrammeFindings, classify

from .support import DM, HT, visit

DAY = dt.date(2026, 3, 10)
THREE_MONTHS = dt.date(2026, 6, 10)
TWO_WEEKS = dt.date(2026, 3, 24)
OK = ProgrammeFindings()


def before(satisfied: bool = True, adverse: bool = False) -> SimpleNamespace:
    """The previous follow-up, a month earlier, as a stored outcome carries it."""
    return SimpleNamespace(visited_on=dt.date(2026, 2, 10), control_satisfied=satisfied,
                           adverse_reaction=adverse)


@dataclass
class Case:
    story: str
    readings: dict[str, float]
    expect: dict[str, tuple[str, str | None, str]]  # programme -> (class, referral, rule)
    ht: ProgrammeFindings | None = None
    dm: ProgrammeFindings | None = None
    age: int = 60
    symptoms: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    previous: dict[str, SimpleNamespace] = field(default_factory=dict)


SAT, UNSAT, ADR, COMP = "satisfactory", "unsatisfactory", "adverse_reaction", "complication"
ROUTINE = "routine_followup"
FIRST = "first_unsatisfactory"
TWICE = "consecutive_unsatisfactory_referral"
EMERGENCY = "emergency_referral"
BP = {"systolic": 128, "diastolic": 78}  # a controlled pressure
FPG = {"fasting_glucose": 6.2}  # a controlled fasting glucose

CASES = [
    # ---- hypertension: control and the 140/90 boundary
    Case("高血压，血压128/78，无不适", BP, {HT: (SAT, None, ROUTINE)}, ht=OK),
    Case("血压139/89，刚好达标", {"systolic": 139, "diastolic": 89}, {HT: (SAT, None, ROUTINE)},
         ht=OK),
    Case("收缩压140，首次不达标", {"systolic": 140, "diastolic": 85}, {HT: (UNSAT, None, FIRST)},
         ht=OK),
    Case("舒张压90，首次不达标", {"systolic": 132, "diastolic": 90}, {HT: (UNSAT, None, FIRST)},
         ht=OK),
    Case("65岁老人血压148/88，按150/90达标", {"systolic": 148, "diastolic": 88},
         {HT: (SAT, None, ROUTINE)}, ht=OK, age=65),
    Case("64岁血压148/88，按140/90不达标", {"systolic": 148, "diastolic": 88},
         {HT: (UNSAT, None, FIRST)}, ht=OK, age=64),
    Case("72岁老人收缩压150，不达标", {"systolic": 150, "diastolic": 80},
         {HT: (UNSAT, None, FIRST)}, ht=OK, age=72),
    Case("80岁老人舒张压90，不达标", {"systolic": 136, "diastolic": 90},
         {HT: (UNSAT, None, FIRST)}, ht=OK, age=80),
    # ---- two consecutive unsatisfactory follow-ups
    Case("上次不达标，这次150/95仍不达标：转诊", {"systolic": 150, "diastolic": 95},
         {HT: (UNSAT, "routine", TWICE)}, ht=OK, previous={HT: before(satisfied=False)}),
    Case("上次达标，这次150/95：首次不达标", {"systolic": 150, "diastolic": 95},
         {HT: (UNSAT, None, FIRST)}, ht=OK, previous={HT: before()}),
    Case("上次不达标，这次已达标：常规随访", BP, {HT: (SAT, None, ROUTINE)}, ht=OK,
         previous={HT: before(satisfied=False)}),
    Case("上次只有药物不良反应，这次不达标：首次不达标", {"systolic": 146, "diastolic": 84},
         {HT: (UNSAT, None, FIRST)}, ht=OK, previous={HT: before(adverse=True)}),
    # ---- the 180/110 emergency boundary
    Case("血压179/109，未到危急值", {"systolic": 179, "diastolic": 109},
         {HT: (UNSAT, None, FIRST)}, ht=OK),
    Case("收缩压180：紧急转诊", {"systolic": 180, "diastolic": 100},
         {HT: (UNSAT, "urgent", EMERGENCY)}, ht=OK),
    Case("舒张压110：紧急转诊", {"systolic": 170, "diastolic": 110},
         {HT: (UNSAT, "urgent", EMERGENCY)}, ht=OK),
    Case("血压达标但视力模糊：紧急转诊", BP, {HT: (SAT, "urgent", EMERGENCY)}, ht=OK,
         symptoms=("blurred_vision",)),
    Case("喘憋不能平卧：紧急转诊", {"systolic": 150, "diastolic": 92},
         {HT: (UNSAT, "urgent", EMERGENCY)}, ht=OK, symptoms=("orthopnoea",)),
    Case("哺乳期血压142/92：紧急转诊", {"systolic": 142, "diastolic": 92},
         {HT: (UNSAT, "urgent", EMERGENCY)}, ht=OK, age=36, flags=("pregnant_or_breastfeeding",)),
    Case("妊娠期血压正常：不转诊", {"systolic": 118, "diastolic": 76},
         {HT: (SAT, None, ROUTINE)}, ht=OK, age=38, flags=("pregnant_or_breastfeeding",)),
    Case("有社区处理不了的其他疾病：紧急转诊", BP, {HT: (SAT, "urgent", EMERGENCY)}, ht=OK,
         flags=("unmanageable_other_condition",)),
    # ---- adverse reactions, complications, medication changes
    Case("服氨氯地平后脚踝水肿：不良反应，2周随访", BP, {HT: (ADR, None, "adverse_reaction")},
         ht=ProgrammeFindings(adverse_reactions=("氨氯地平后脚踝水肿",))),
    Case("依那普利干咳，上次也干咳：不良反应难以控制，转诊", BP,
         {HT: (ADR, "routine", "uncontrolled_adverse_reaction_referral")},
         ht=ProgrammeFindings(adverse_reactions=("干咳",)), previous={HT: before(adverse=True)}),
    Case("医生判断不良反应难以控制：转诊", BP,
         {HT: (ADR, "routine", "uncontrolled_adverse_reaction_referral")},
         ht=ProgrammeFindings(adverse_reactions=("头晕乏力",),
                              adverse_reaction_uncontrolled=True)),
    Case("新发脑卒中：并发症，转诊", BP, {HT: (COMP, "routine", "complication_referral")},
         ht=ProgrammeFindings(complications=frozenset({"stroke"}))),
    Case("并发症、不良反应、不达标同时出现：记并发症", {"systolic": 152, "diastolic": 96},
         {HT: (COMP, "routine", "complication_referral")},
         ht=ProgrammeFindings(complications=frozenset({"heart_failure"}),
                              adverse_reactions=("心率慢",))),
    Case("不达标又有不良反应：记不良反应", {"systolic": 150, "diastolic": 88},
         {HT: (ADR, None, FIRST)}, ht=ProgrammeFindings(adverse_reactions=("面部潮红",))),
    Case("血压达标但调整了降压药：2周随访", BP, {HT: (SAT, None, "medication_change")},
         ht=ProgrammeFindings(medication_changed=True)),
    # ---- type 2 diabetes: the 7.0 boundary and the consecutive rule
    Case("糖尿病，空腹血糖6.2", FPG, {DM: (SAT, None, ROUTINE)}, dm=OK),
    Case("空腹血糖6.9，达标", {"fasting_glucose": 6.9}, {DM: (SAT, None, ROUTINE)}, dm=OK),
    Case("空腹血糖7.0，首次不达标", {"fasting_glucose": 7.0}, {DM: (UNSAT, None, FIRST)}, dm=OK),
    Case("上次不达标，这次空腹8.2：转诊", {"fasting_glucose": 8.2}, {DM: (UNSAT, "routine", TWICE)},
         dm=OK, previous={DM: before(satisfied=False)}),
    # ---- diabetes emergencies: 16.7 and 3.9
    Case("空腹血糖16.6，未到危急值", {"fasting_glucose": 16.6}, {DM: (UNSAT, None, FIRST)}, dm=OK),
    Case("空腹血糖16.7：紧急转诊", {"fasting_glucose": 16.7}, {DM: (UNSAT, "urgent", EMERGENCY)},
         dm=OK),
    Case("空腹血糖3.9：低血糖，紧急转诊", {"fasting_glucose": 3.9},
         {DM: (SAT, "urgent", EMERGENCY)}, dm=OK),
    Case("空腹血糖4.0：不转诊", {"fasting_glucose": 4.0}, {DM: (SAT, None, ROUTINE)}, dm=OK),
    Case("空腹达标，餐后随机血糖17.2：紧急转诊", {"fasting_glucose": 6.5, "random_glucose": 17.2},
         {DM: (SAT, "urgent", EMERGENCY)}, dm=OK),
    Case("随机血糖3.5：紧急转诊", {"fasting_glucose": 5.8, "random_glucose": 3.5},
         {DM: (SAT, "urgent", EMERGENCY)}, dm=OK),
    Case("糖尿病人血压182/96：紧急转诊", {**FPG, "systolic": 182, "diastolic": 96},
         {DM: (SAT, "urgent", EMERGENCY)}, dm=OK),
    Case("心率100：不算心动过速", {**FPG, "heart_rate": 100}, {DM: (SAT, None, ROUTINE)}, dm=OK),
    Case("心率101：心动过速，紧急转诊", {**FPG, "heart_rate": 101},
         {DM: (SAT, "urgent", EMERGENCY)}, dm=OK),
    Case("体温39.0：不转诊", {**FPG, "temperature": 39.0}, {DM: (SAT, None, ROUTINE)}, dm=OK),
    Case("体温39.2：紧急转诊", {**FPG, "temperature": 39.2}, {DM: (SAT, "urgent", EMERGENCY)},
         dm=OK),
    Case("呼气有烂苹果味、深大呼吸：紧急转诊", {"fasting_glucose": 15.1},
         {DM: (UNSAT, "urgent", EMERGENCY)}, dm=OK,
         symptoms=("acetone_breath", "deep_rapid_breathing")),
    Case("多饮多尿：紧急转诊", {"fasting_glucose": 12.0}, {DM: (UNSAT, "urgent", EMERGENCY)},
         dm=OK, symptoms=("polydipsia", "polyuria")),
    Case("心悸出汗：紧急转诊", {"fasting_glucose": 5.2}, {DM: (SAT, "urgent", EMERGENCY)},
         dm=OK, symptoms=("palpitations", "sweating")),
    Case("孕期空腹血糖6.3：紧急转诊", {"fasting_glucose": 6.3},
         {DM: (SAT, "urgent", EMERGENCY)}, dm=OK, age=35, flags=("pregnant_or_breastfeeding",)),
    Case("二甲双胍后腹泻：不良反应，2周随访", FPG, {DM: (ADR, None, "adverse_reaction")},
         dm=ProgrammeFindings(adverse_reactions=("二甲双胍后腹泻",))),
    Case("新发糖尿病足：转诊", FPG, {DM: (COMP, "routine", "complication_referral")},
         dm=ProgrammeFindings(complications=frozenset({"diabetic_foot"}))),
    Case("加了格列美脲：2周随访", FPG, {DM: (SAT, None, "medication_change")},
         dm=ProgrammeFindings(medication_changed=True)),
    # ---- one resident in both programmes
    Case("两病都达标", {**BP, **FPG}, {HT: (SAT, None, ROUTINE), DM: (SAT, None, ROUTINE)},
         ht=OK, dm=OK),
    Case("血压达标、血糖7.5不达标", {**BP, "fasting_glucose": 7.5},
         {HT: (SAT, None, ROUTINE), DM: (UNSAT, None, FIRST)}, ht=OK, dm=OK),
    Case("两病患者血压185/95：两项都紧急转诊", {"systolic": 185, "diastolic": 95, **FPG},
         {HT: (UNSAT, "urgent", EMERGENCY), DM: (SAT, "urgent", EMERGENCY)}, ht=OK, dm=OK),
    Case("两病患者多尿：糖尿病危急情况", {**BP, "fasting_glucose": 9.0},
         {HT: (SAT, None, ROUTINE), DM: (UNSAT, "urgent", EMERGENCY)}, ht=OK, dm=OK,
         symptoms=("polyuria",)),
    Case("两病患者呕吐：两项都紧急转诊", {**BP, **FPG},
         {HT: (SAT, "urgent", EMERGENCY), DM: (SAT, "urgent", EMERGENCY)}, ht=OK, dm=OK,
         symptoms=("vomiting",)),
    Case("血压连续两次不达标，血糖达标", {"systolic": 148, "diastolic": 86, **FPG},
         {HT: (UNSAT, "routine", TWICE), DM: (SAT, None, ROUTINE)}, ht=OK, dm=OK,
         previous={HT: before(satisfied=False), DM: before()}),
]

DATES = {ROUTINE: THREE_MONTHS}


@pytest.mark.parametrize("case", CASES, ids=[c.story for c in CASES])
def test_the_standard_classifies_the_follow_up(case: Case):
    result = classify(visit(DAY, age=case.age, ht=case.ht, dm=case.dm, symptoms=case.symptoms,
                            flags=case.flags, **case.readings), previous=case.previous)
    assert set(result.outcomes) == set(case.expect)
    for programme, (follow_up_class, referral, rule) in case.expect.items():
        outcome = result.outcomes[programme]
        assert (outcome.follow_up_class, outcome.referral, outcome.next_followup_rule) == (
            follow_up_class, referral, rule), programme
        assert outcome.next_followup_on == DATES.get(rule, TWO_WEEKS), programme
        assert outcome.source.startswith("国家基本公共卫生服务规范（第三版）")
        assert rule in [d.rule for d in outcome.decisions]
    assert result.urgent_referral == any(r == "urgent" for _, r, _ in case.expect.values())
    assert result.next_followup_on == min(o.next_followup_on for o in result.outcomes.values())


def test_there_are_at_least_forty_cases_with_both_emergency_sets():
    assert len(CASES) >= 40
    urgent = {p for c in CASES for p, (_, r, _) in c.expect.items() if r == "urgent"}
    assert urgent == {HT, DM}
    assert any(rule == TWICE for c in CASES for _, _, rule in c.expect.values())
