"""The health-education library: every item well-formed and sourced; only reviewed items are
served; matching answers the moment, never repeats, and keeps to the caps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from content.library import CONDITIONS, LibraryError, default_library, load
from content.matching import Caps, Person, Sent, pick

NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
OLDER_MAN = Person(age=72, sex="male", conditions=frozenset({"hypertension"}))
DIABETIC = Person(age=58, sex="female", conditions=frozenset({"type2_diabetes"}))


def test_at_least_forty_items_each_citing_its_source():
    served = default_library().served()
    assert len(served) >= 40
    for item in served:
        assert item.source and item.reviewer and item.reviewed_on <= NOW.date()
        assert item.conditions <= set(CONDITIONS)


@pytest.mark.parametrize("topic", ["diet", "salt", "exercise", "medication", "foot_care",
                                   "hypoglycaemia", "home_bp"])
def test_the_standards_topics_are_covered(topic):
    assert any(item.topic == topic for item in default_library().served())


def test_a_draft_is_never_served(tmp_path: Path):
    (tmp_path / "items.yaml").write_text(
        "source: test\nreviewer: 审核人\nreviewed_on: 2026-11-01\nsources: {s: 某指南}\n"
        "items:\n"
        "  - {id: a, title: 甲, topic: salt, conditions: [hypertension], body: 少吃盐, source: s}\n"
        "  - {id: b, title: 乙, topic: salt, conditions: [hypertension], body: 少吃盐, source: s,"
        " status: draft}\n", encoding="utf-8")
    library = load(tmp_path)
    assert [item.id for item in library.served()] == ["a"]
    picks = pick(OLDER_MAN, frozenset(), [], NOW, limit=5, caps=Caps(5, 5), library=library)
    assert [p.item.id for p in picks] == ["a"]


@pytest.mark.parametrize(("text", "words"), [
    ("source: t\nsources: {s: x}\nreviewed_on: 2026-01-01\nreviewer: r\nitems:\n"
     "  - {id: a, title: 甲, topic: t, conditions: [asthma], body: 文, source: s}\n",
     "conditions"),
    ("source: t\nsources: {s: x}\nreviewed_on: 2026-01-01\nreviewer: r\nitems:\n"
     "  - {id: a, title: 甲, topic: t, conditions: [hypertension], body: 文, source: nowhere}\n",
     "unknown source"),
    ("source: t\nsources: {s: x}\nreviewed_on: 2026-01-01\nreviewer: r\nitems:\n"
     "  - {id: a, title: 甲, topic: t, conditions: [hypertension], body: 文, source: s}\n"
     "  - {id: a, title: 乙, topic: t, conditions: [hypertension], body: 文, source: s}\n",
     "used twice"),
])
def test_a_malformed_library_names_the_item(tmp_path: Path, text, words):
    (tmp_path / "items.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        load(tmp_path)
    assert "items.yaml items[" in str(caught.value) and words in str(caught.value)


def test_a_high_blood_pressure_brings_an_item_about_it():
    [chosen] = pick(OLDER_MAN, frozenset({"bp_high"}), [], NOW)
    assert "bp_high" in chosen.item.findings and chosen.why == "finding:bp_high"
    assert "hypertension" in chosen.item.conditions


def test_a_low_glucose_brings_hypoglycaemia_advice():
    [chosen] = pick(DIABETIC, frozenset({"glucose_low"}), [], NOW)
    assert chosen.item.topic in {"hypoglycaemia", "exercise"}


def test_nothing_is_sent_twice_and_the_caps_hold():
    history: list[Sent] = []
    moment = NOW
    for _ in range(20):
        for chosen in pick(DIABETIC, frozenset({"glucose_high"}), history, moment):
            history.append(Sent(chosen.item.id, moment))
        moment += dt.timedelta(hours=12)
    ids = [s.item_id for s in history]
    assert len(ids) == len(set(ids))
    for sent in history:
        window = [s for s in history if dt.timedelta(0) <= sent.sent_at - s.sent_at
                  < dt.timedelta(days=7)]
        assert len(window) <= Caps().per_week
    assert not pick(DIABETIC, frozenset({"glucose_high"}), [Sent("x", NOW)], NOW)  # 1 a day


def test_items_of_another_condition_or_age_are_not_picked():
    young = Person(age=40, sex="female", conditions=frozenset({"type2_diabetes"}))
    picks = pick(young, frozenset({"class_complication"}), [], NOW, limit=20, caps=Caps(20, 20))
    assert picks and all("type2_diabetes" in p.item.conditions for p in picks)
    assert all(p.item.min_age <= 40 for p in picks)
