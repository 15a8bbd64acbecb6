"""Children a clinic nurse would recognise, each with the rule of the schedule that decides it.

Every row: the child's birth date, the record as the clinic holds it, the day the parent asks,
what must be shown for the doses in question, and which recorded doses must be flagged.
`expect` items are "<series> <dose> <state>" plus optional checks: `from=` the earliest date,
`by=` the latest date, `give=` the vaccines, `per=` a word of the governing edition, `because=`
a word of the rule that set the earliest date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.vaccination.support import day, records
from vaccination import assess


@dataclass(frozen=True)
class Case:
    id: str
    rule: str  # the schedule's words this case checks
    born: str
    on: str
    given: tuple[str, ...] = ()
    expect: tuple[str, ...] = ()
    flagged: tuple[str, ...] = ()  # "<vaccine> <date> <flaw>"
    not_flagged: bool = field(default=False)  # every recorded dose must count


CASES = [
    # --- on time -------------------------------------------------------------------------------
    Case("newborn on the day of birth", "乙肝疫苗第1剂出生后24小时内；卡介苗出生时，<3月龄完成",
         born="2026-03-01", on="2026-03-01",
         expect=("hepb 1 due from=2026-03-01 by=2026-03-01", "bcg 1 due by=2026-05-31",
                 "polio 1 not_yet_due from=2026-05-01")),
    Case("one month old: second hepatitis B dose", "乙肝疫苗1月龄接种第2剂，与第1剂间隔≥28天",
         born="2026-01-15", on="2026-02-15", given=("HepB 1 2026-01-15", "BCG 1 2026-01-16"),
         expect=("hepb 1 completed", "bcg 1 completed",
                 "hepb 2 due from=2026-02-15 by=2026-11-15", "hepb 3 not_yet_due from=2026-07-15"),
         not_flagged=True),
    Case("two months old: first IPV, the deadline worked back from dose 3",
         "脊灰疫苗第3剂<12月龄完成，补种时两剂间隔≥28天",
         born="2026-01-10", on="2026-03-10", given=("HepB 1 2026-01-10", "HepB 2 2026-02-10"),
         expect=("polio 1 due from=2026-03-10 by=2026-11-14",
                 "polio 2 not_yet_due from=2026-04-10")),
    Case("four years old: the bOPV booster", "4周岁接种第4剂bOPV，<5周岁完成",
         born="2022-03-15", on="2026-03-15",
         given=("IPV 1 2022-05-15", "IPV 2 2022-06-15", "bOPV 3 2022-07-15"),
         expect=("polio 3 completed", "polio 4 due from=2026-03-15 by=2027-03-14 give=bOPV,IPV")),
    Case("eight months: MMR and JE live given the same day both count",
         "国家免疫规划疫苗均可同时接种，注射类疫苗不同部位接种",
         born="2025-06-01", on="2026-02-10", given=("MMR 1 2026-02-01", "JE-L 1 2026-02-01"),
         expect=("mmr 1 completed", "je_live 1 completed", "mmr 2 not_yet_due from=2026-12-01"),
         not_flagged=True),
    Case("month-end birthday: 6 months after 31 August is 28 February", "起始免疫月龄（满6月龄）",
         born="2025-08-31", on="2026-03-01", given=("MPSV-A 1 2026-02-28",),
         expect=("mpsv_a 1 completed", "mpsv_a 2 not_yet_due from=2026-05-31"),
         not_flagged=True),
    Case("premature baby follows the actual age", "早产儿按照出生后实际月龄接种疫苗",
         born="2026-02-01", on="2026-04-01",
         given=("HepB 1 2026-02-01", "BCG 1 2026-03-20", "HepB 2 2026-03-01"),
         expect=("polio 1 due from=2026-04-01", "bcg 1 completed"), not_flagged=True),
    # --- late: catch-up (补种) --------------------------------------------------------------------
    Case("first hepatitis B dose missed at birth", "若出生24小时内未及时接种，应尽早接种",
         born="2026-03-01", on="2026-03-03", expect=("hepb 1 overdue from=2026-03-01",)),
    Case("hepatitis B dose 3 waits 4 months from dose 1", "第3剂与第1剂间隔不小于4个月",
         born="2026-01-10", on="2026-08-01", given=("HepB 1 2026-05-01", "HepB 2 2026-06-01"),
         expect=("hepb 3 not_yet_due from=2026-09-01 because=第1剂间隔",)),
    Case("four and a half, no polio dose: four to make up",
         "≥4岁儿童未达到4剂应补种完成4剂，间隔≥28天",
         born="2021-10-01", on="2026-03-01",
         expect=("polio 1 overdue from=2021-12-01", "polio 2 overdue from=2026-03-29",
                 "polio 3 overdue from=2026-04-26", "polio 4 not_yet_due from=2026-05-24")),
    Case("moving in at one year with a partial record",
         "只需补种未完成的剂次，无需重新开始全程接种",
         born="2024-05-20", on="2025-06-01",
         given=("HepB 1 2024-05-20", "BCG 1 2024-05-21", "HepB 2 2024-06-20", "HepB 3 2024-11-20",
                "IPV 1 2024-07-20", "IPV 2 2024-08-20"),
         expect=("hepb 3 completed", "polio 3 overdue from=2024-09-20",
                 "dtap 1 overdue from=2024-07-20 per=2025", "mmr 1 overdue from=2025-01-20"),
         not_flagged=True),
    Case("MPSV-A given late: MPSV-AC waits 12 months", "A群C群流脑第1剂与A群流脑第2剂间隔≥12个月",
         born="2023-01-01", on="2026-01-05", given=("MPSV-A 1 2023-07-01", "MPSV-A 2 2025-03-01"),
         expect=("mpsv_ac 1 not_yet_due from=2026-03-01 because=A群流脑多糖疫苗第2剂",)),
    Case("hepatitis A live, dose shown before any is recorded", "甲肝减毒活疫苗18月龄接种1剂",
         born="2024-06-01", on="2025-12-01",
         expect=("hepa_live 1 due from=2025-12-01 by=2026-05-31",)),
    Case("hepatitis A inactivated started: its second dose follows", "甲肝灭活疫苗两剂间隔≥6个月",
         born="2024-06-01", on="2026-01-01", given=("HepA-I 1 2025-12-01",),
         expect=("hepa_inactivated 2 not_yet_due from=2026-06-01",)),
    # --- too early / too close ----------------------------------------------------------------
    Case("hepatitis B dose 2 given before 1 month", "1月龄接种第2剂（起始免疫月龄）",
         born="2026-01-31", on="2026-03-05", given=("HepB 1 2026-01-31", "HepB 2 2026-02-25"),
         expect=("hepb 2 due from=2026-02-28",), flagged=("HepB 2026-02-25 too_early",)),
    Case("hepatitis B dose 3 given 39 days after dose 2", "第3剂与第2剂间隔应≥60天",
         born="2026-01-10", on="2026-07-20",
         given=("HepB 1 2026-01-10", "HepB 2 2026-06-01", "HepB 3 2026-07-10"),
         expect=("hepb 3 not_yet_due from=2026-07-31 because=第2剂间隔",),
         flagged=("HepB 2026-07-10 too_close",)),
    Case("bOPV given before the two IPV doses", "2月龄、3月龄各接种1剂IPV",
         born="2026-01-10", on="2026-03-20", given=("bOPV 1 2026-03-12",),
         expect=("polio 1 due",), flagged=("bOPV 2026-03-12 wrong_vaccine",)),
    Case("JE inactivated dose 2 five days after dose 1", "乙脑灭活疫苗第1、2剂间隔7~10天",
         born="2025-06-01", on="2026-02-15", given=("JE-I 1 2026-02-01", "JE-I 2 2026-02-06"),
         expect=("je_inactivated 2 due from=2026-02-08",), flagged=("JE-I 2026-02-06 too_close",)),
    Case("a fourth hepatitis B dose is not needed", "全程3剂",
         born="2025-01-01", on="2026-01-01",
         given=("HepB 1 2025-01-01", "HepB 2 2025-02-01", "HepB 3 2025-07-01", "HepB 4 2025-09-01"),
         expect=("hepb 3 completed",), flagged=("HepB 2025-09-01 extra_dose",)),
    # --- live-vaccine spacing ----------------------------------------------------------------
    Case("JE live 10 days after MMR does not count; the repeat waits 28 days from it",
         "两种注射类减毒活疫苗未同时接种，应间隔≥28天",
         born="2025-06-01", on="2026-02-25", given=("MMR 1 2026-02-01", "JE-L 1 2026-02-11"),
         expect=("mmr 1 completed", "je_live 1 not_yet_due from=2026-03-11 because=间隔≥28天"),
         flagged=("JE-L 2026-02-11 live_spacing",)),
    Case("varicella (non-programme, live) 14 days before MMR 2",
         "注射类减毒活疫苗间隔≥28天，自费疫苗亦然",
         born="2024-06-01", on="2025-12-20",
         given=("MMR 1 2025-02-01", "VAR 1 2025-12-01", "MMR 2 2025-12-15"),
         expect=("mmr 2 not_yet_due from=2026-01-12 because=麻腮风疫苗",),
         flagged=("MMR 2025-12-15 live_spacing",)),
    Case("bOPV three days after MMR is fine: oral live vaccines have no spacing",
         "口服类减毒活疫苗与其他疫苗未同时接种，对接种间隔不做限制",
         born="2025-06-01", on="2026-02-10",
         given=("IPV 1 2025-08-01", "IPV 2 2025-09-01", "MMR 1 2026-02-01", "bOPV 3 2026-02-04"),
         expect=("polio 3 completed", "mmr 1 completed"), not_flagged=True),
    Case("MMR 2 due, but a varicella dose 10 days ago pushes it", "注射类减毒活疫苗间隔≥28天",
         born="2024-06-01", on="2025-12-11", given=("MMR 1 2025-02-01", "VAR 1 2025-12-01"),
         expect=("mmr 2 not_yet_due from=2025-12-29 because=水痘减毒活疫苗",)),
    # --- upper age limits, clinic decides ------------------------------------------------------
    Case("BCG missed, under 3 months: give it", "未接种卡介苗的<3月龄儿童可直接补种",
         born="2026-01-10", on="2026-03-10", expect=("bcg 1 due by=2026-04-09",)),
    Case("BCG missed, 5 months old: PPD test first", "3月龄~3岁儿童PPD试验阴性者应予补种",
         born="2026-01-10", on="2026-06-10", expect=("bcg 1 clinic_decides",)),
    Case("BCG missed, 3 years 11 months: still PPD test first", "3月龄~3岁…应予补种",
         born="2021-05-01", on="2025-04-30", expect=("bcg 1 clinic_decides",)),
    Case("BCG missed, 4 years old: not given", "≥4岁儿童不予补种",
         born="2021-05-01", on="2025-05-01", expect=("bcg 1 past_age_limit",)),
    Case("MPSV-A missed, 2 years old: MPSV-AC instead at 3", "≥24月龄不再补种A群流脑多糖疫苗",
         born="2023-01-01", on="2025-01-05",
         expect=("mpsv_a 1 past_age_limit", "mpsv_a 2 past_age_limit",
                 "mpsv_ac 1 not_yet_due from=2026-01-01")),
    Case("18 years old: the programme's catch-up has ended", "补种通用原则：<18周岁人群",
         born="2007-01-01", on="2025-01-02",
         expect=("hepb 1 past_age_limit", "mmr 2 past_age_limit")),
    Case("six years old with only two DTaP doses: clinic arranges DT",
         "≥6岁累计<3剂，用白破疫苗补齐3剂",
         born="2018-01-01", on="2025-06-01", given=("DTaP 1 2018-04-01", "DTaP 2 2018-05-01"),
         expect=("dtap 3 clinic_decides", "dtap 5 clinic_decides")),
    # --- the 2025 DTaP change ------------------------------------------------------------------
    Case("born 2023: DTaP 1-3 at 3-5 months under 2021, 18-month dose due in December 2024",
         "2021年版：百白破3、4、5、18月龄",
         born="2023-06-10", on="2024-12-10",
         given=("DTaP 1 2023-09-10", "DTaP 2 2023-10-10", "DTaP 3 2023-11-10"),
         expect=("dtap 3 completed per=2021", "dtap 4 due from=2024-12-10 by=2025-06-09 per=2021",
                 "dtap 5 not_yet_due from=2029-06-10 give=DTaP per=2025"), not_flagged=True),
    Case("born 2023: the 18-month dose still missing in February 2025 follows the 2025 notice",
         "自2025年1月1日起按调整后的程序",
         born="2023-06-10", on="2025-02-01",
         given=("DTaP 1 2023-09-10", "DTaP 2 2023-10-10", "DTaP 3 2023-11-10"),
         expect=("dtap 4 due per=2025",)),
    Case("born 2018: DT at 6 years in 2024 counts", "2021年版：6周岁接种1剂白破疫苗",
         born="2018-09-01", on="2024-09-10",
         given=("DTaP 1 2018-12-01", "DTaP 2 2019-01-01", "DTaP 3 2019-02-01", "DTaP 4 2020-03-01",
                "DT 5 2024-09-05"),
         expect=("dtap 5 completed per=2021",), not_flagged=True),
    Case("born 2018: DT due at 6 years in September 2024", "2021年版：6周岁接种1剂白破疫苗",
         born="2018-09-01", on="2024-09-10",
         given=("DTaP 1 2018-12-01", "DTaP 2 2019-01-01", "DTaP 3 2019-02-01", "DTaP 4 2020-03-01"),
         expect=("dtap 5 due give=DT per=2021",)),
    Case("born 2019: the 6-year dose in 2025 is DTaP, replacing DT",
         "2025年起6周岁接种百白破，替代白破疫苗",
         born="2019-03-01", on="2025-03-05",
         given=("DTaP 1 2019-06-01", "DTaP 2 2019-07-01", "DTaP 3 2019-08-01", "DTaP 4 2020-09-01"),
         expect=("dtap 5 due from=2025-03-01 by=2026-02-28 give=DTaP per=2025",)),
    Case("born 2025: DTaP from 2 months", "2025年起百白破2、4、6、18月龄",
         born="2025-03-01", on="2025-05-01", expect=("dtap 1 due from=2025-05-01 per=2025",)),
    Case("born 2025: DTaP at 2 months counts", "2025年起百白破2月龄接种第1剂",
         born="2025-03-01", on="2025-06-01", given=("DTaP 1 2025-05-01",),
         expect=("dtap 1 completed per=2025", "dtap 2 not_yet_due from=2025-07-01"),
         not_flagged=True),
    Case("born 2025: third DTaP at 6 months, not 5", "2025年起百白破第3剂6月龄",
         born="2025-03-01", on="2025-08-15", given=("DTaP 1 2025-05-01", "DTaP 2 2025-07-01"),
         expect=("dtap 3 not_yet_due from=2025-09-01 per=2025",)),
    Case("DTaP at 2 months in 2024 was too early", "2021年版：百白破3月龄起",
         born="2024-06-01", on="2024-09-05", given=("DTaP 1 2024-08-05",),
         expect=("dtap 1 due from=2024-09-01 per=2021",), flagged=("DTaP 2024-08-05 too_early",)),
    Case("two months old in November 2024 waits for 3 months", "2025年1月1日前仍按2021年版",
         born="2024-09-01", on="2024-11-05",
         expect=("dtap 1 not_yet_due from=2024-12-01 per=2021",)),
    Case("born November 2024: first DTaP due on 1 January 2025", "自2025年1月1日起2月龄接种",
         born="2024-11-01", on="2025-01-02", expect=("dtap 1 due from=2025-01-01 per=2025",)),
    Case("fourth DTaP less than 6 months after the third", "第4剂与第3剂间隔≥6个月",
         born="2025-01-10", on="2026-07-15",
         given=("DTaP 1 2025-03-10", "DTaP 2 2025-05-10", "DTaP 3 2026-01-20", "DTaP 4 2026-07-10"),
         expect=("dtap 4 not_yet_due from=2026-07-20 because=第3剂间隔",),
         flagged=("DTaP 2026-07-10 too_close",)),
]


def _check(status, checks: list[str], where: str) -> None:
    for check in checks:
        key, _, value = check.partition("=")
        if key == "from":
            assert status.earliest == day(value), f"{where}: earliest {status.earliest}"
        elif key == "by":
            assert status.latest == day(value), f"{where}: latest {status.latest}"
        elif key == "give":
            assert status.vaccines == tuple(value.split(",")), f"{where}: {status.vaccines}"
        elif key == "per":
            assert value in status.citation, f"{where}: governed by {status.citation}"
        elif key == "because":
            assert value in status.earliest_because, f"{where}: {status.earliest_because}"
        else:
            raise AssertionError(f"{where}: unknown check {check!r}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_child(case: Case):
    result = assess(day(case.born), records(*case.given), day(case.on))
    for line in case.expect:
        series, dose, state, *checks = line.split()
        status = result.dose(series, int(dose))
        where = f"{case.id} [{case.rule}] {series} {dose}"
        assert status.state == state, f"{where}: {status.state} ({status.earliest_because})"
        assert status.rule and status.citation
        _check(status, checks, where)
    found = {f"{f.record.vaccine} {f.record.given_on} {f.flaw}" for f in result.flagged}
    assert found == set(case.flagged), f"{case.id}: flagged {found}"
    if case.not_flagged:
        assert not result.flagged


def test_the_table_covers_at_least_forty_children_worth_of_rules():
    assert len(CASES) >= 40
