"""Properties over any visit the console could record: the next follow-up is never in the past
nor later than the routine interval, an urgent referral is checked within two weeks, and adding
a symptom or a flag never takes an emergency away."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from followup import FollowUpVisit, ProgrammeFindings, classify, default_rules

RULES = default_rules()
SYMPTOMS = sorted(RULES.symptoms)
FLAGS = sorted(RULES.policy.flags)


def findings(programme_id: str):
    return st.builds(
        ProgrammeFindings,
        adverse_reactions=st.lists(st.sampled_from(["干咳", "脚踝水肿", "腹泻", "低血糖反应"]),
                                   max_size=2).map(tuple),
        adverse_reaction_uncontrolled=st.booleans(),
        complications=st.frozensets(st.sampled_from(
            sorted(RULES.programme(programme_id).complications)), max_size=2),
        medication_changed=st.booleans())


@st.composite
def visits(draw):
    programmes = draw(st.sampled_from([("hypertension",), ("type2_diabetes",),
                                       ("hypertension", "type2_diabetes")]))
    systolic = draw(st.integers(60, 300))
    readings = {"systolic": systolic, "diastolic": draw(st.integers(20, min(200, systolic - 1)))}
    if draw(st.booleans()) or "type2_diabetes" in programmes:
        readings["fasting_glucose"] = draw(st.floats(0.5, 50, allow_nan=False).map(
            lambda v: round(v, 1)))
    for name in ("random_glucose", "heart_rate", "temperature"):
        limit = RULES.policy.readings[name]
        if draw(st.booleans()):
            readings[name] = round(draw(st.floats(limit.min, limit.max)), 1)
    return FollowUpVisit(
        visited_on=draw(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))),
        age=draw(st.integers(35, 105)),
        programmes={p: draw(findings(p)) for p in programmes}, readings=readings,
        symptoms=frozenset(draw(st.lists(st.sampled_from(SYMPTOMS), max_size=3))),
        flags=frozenset(draw(st.lists(st.sampled_from(FLAGS), max_size=2))))


def previous_for(visit: FollowUpVisit, satisfied: bool, adverse: bool):
    last = SimpleNamespace(visited_on=visit.visited_on - dt.timedelta(days=30),
                           control_satisfied=satisfied, adverse_reaction=adverse)
    return dict.fromkeys(visit.programmes, last)


@settings(max_examples=400, deadline=None)
@given(visits(), st.booleans(), st.booleans())
def test_the_next_follow_up_is_never_in_the_past_nor_beyond_three_months(visit, sat, adverse):
    result = classify(visit, previous_for(visit, sat, adverse))
    latest = visit.visited_on + dt.timedelta(days=92)
    for outcome in result.outcomes.values():
        assert visit.visited_on < outcome.next_followup_on <= latest
        if outcome.referral is not None:
            assert outcome.next_followup_on <= visit.visited_on + dt.timedelta(days=14)
        assert outcome.decisions and outcome.next_followup_rule in {
            d.rule for d in outcome.decisions}
    assert result.next_followup_on == min(o.next_followup_on for o in result.outcomes.values())
    assert result.next_followup_on > visit.visited_on


@settings(max_examples=300, deadline=None)
@given(visits(), st.sampled_from(SYMPTOMS), st.sampled_from(FLAGS))
def test_adding_a_symptom_or_flag_never_removes_an_urgent_referral(visit, symptom, flag):
    before = classify(visit)
    more = FollowUpVisit(visited_on=visit.visited_on, age=visit.age, programmes=visit.programmes,
                         readings=visit.readings, symptoms=visit.symptoms | {symptom},
                         flags=visit.flags | {flag})
    after = classify(more)
    for programme, outcome in before.outcomes.items():
        if outcome.referral == "urgent":
            assert after.outcomes[programme].referral == "urgent"
    assert after.urgent_referral or not before.urgent_referral
