"""Imaging conclusions in plain words, the version rules, values as labs write them, trends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reports.explain import Level
from reports.imaging import UNEXPLAINED, explain_conclusion, imaging_level
from reports.model import ReportStatus
from reports.trends import Point, trend
from reports.values import display, interval, qualitative, quantity
from reports.versions import Action, Version, decide

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)


def test_each_sentence_of_the_conclusion_is_explained_in_order():
    explained = explain_conclusion(
        "1.脂肪肝；2.右肺上叶磨玻璃结节，Lung-RADS 3类，建议随访。"
        "3.左侧乳腺低回声结节 BI-RADS 4A类\n"
        "4.胸廓入口见小片状稍高密度影")
    assert [s.sentence[:3] for s in explained] == ["脂肪肝", "右肺上", "左侧乳", "胸廓入"]
    lung = explained[1]
    assert lung.items[0].words == "Lung-RADS 3类"
    assert "6个月后复查" in lung.items[0].advice and "Lung-RADS" in lung.items[0].source
    assert explained[2].level == Level.MARKED and "乳腺外科" in explained[2].items[0].advice
    assert explained[3].items[0].plain == UNEXPLAINED
    assert imaging_level(explained) == Level.MARKED


def test_c_tirads_and_longest_terms_first():
    explained = explain_conclusion("甲状腺右叶结节，C-TIRADS 4B类")
    assert explained[0].items[0].words == "C-TIRADS 4B类"
    assert [i.words for i in explained[0].items][1:] == []  # 结节 alone is not a glossary term
    words = [i.words for i in explain_conclusion("双肺磨玻璃结节")[0].items]
    assert words == ["磨玻璃结节"]


def _v(status: str, minutes: int, fingerprint: str) -> Version:
    return Version(ReportStatus(status), T0 + timedelta(minutes=minutes), fingerprint)


@pytest.mark.parametrize(("stored", "incoming", "action"), [
    (None, _v("final", 0, "a"), Action.CREATE),
    (_v("final", 0, "a"), _v("final", 0, "a"), Action.REPLAY),
    (_v("preliminary", 0, "a"), _v("final", 10, "b"), Action.UPDATE),
    (_v("final", 10, "b"), _v("preliminary", 0, "a"), Action.STALE),
    (_v("preliminary", 10, "b"), _v("preliminary", 0, "a"), Action.STALE),
    (_v("final", 0, "a"), _v("corrected", 20, "c"), Action.CORRECT),
    (_v("corrected", 20, "c"), _v("final", 0, "a"), Action.STALE),
    (_v("corrected", 20, "c"), _v("corrected", 20, "c"), Action.REPLAY),
    (_v("final", 0, "a"), _v("cancelled", 5, "a"), Action.CANCEL),
])
def test_versions_win_by_status_and_time_never_by_arrival(stored, incoming, action):
    assert decide(stored, incoming) == action


def test_values_as_labs_write_them():
    assert quantity("NM", "5.6").value == 5.6
    assert quantity("SN", "<^0.01").comparator == "<"
    assert quantity("SN", "^1^:^80") is None and display("SN", "^1^:^80") == "1:80"
    assert quantity("NM", "＞1000").comparator == ">"
    assert interval("3.5～5.3").high == 5.3 and interval("<5.2").low is None
    assert interval("阴性") is None
    assert qualitative("阴性(-)") == "negative" and qualitative("++") == "positive"
    assert qualitative("未检出") == "negative" and qualitative("5.6") is None


def test_a_trend_orders_points_and_names_the_direction():
    points = [Point(T0 + timedelta(days=30), 8.1, "H", "b"), Point(T0, 6.2, "H", "a")]
    rising = trend("GLU", "葡萄糖", "mmol/L", points, 3.9, 6.1)
    assert [p.report_id for p in rising.points] == ["a", "b"]
    assert rising.direction == "rising" and rising.band_high == 6.1
    assert trend("GLU", "葡萄糖", "mmol/L", points[:1], None, None).direction == "single"
