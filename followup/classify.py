"""Classify a follow-up visit as the standard's 分类干预 does, and say what follows from it.

Deterministic and explained: every class, referral and date names the rule and the facts that
decided it, so the family doctor sees why and keeps the final word.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from followup.dates import add_interval
from followup.records import (
    Decision,
    FollowUpInputError,
    FollowUpResult,
    FollowUpVisit,
    PreviousFollowUp,
    ProgrammeFindings,
    ProgrammeOutcome,
)
from followup.rules import FollowUpRules, Programme, default_rules

# When two consequences give the same date, the more serious one is named as the reason.
_RULE_ORDER = ("emergency_referral", "complication_referral", "consecutive_unsatisfactory_referral",
               "uncontrolled_adverse_reaction_referral", "first_unsatisfactory", "adverse_reaction",
               "medication_change", "routine_followup")
_REFERRALS = frozenset(_RULE_ORDER[1:4])
MAX_AGE = 130


def classify(visit: FollowUpVisit, previous: Mapping[str, PreviousFollowUp] | None = None,
             rules: FollowUpRules | None = None) -> FollowUpResult:
    """Classify every programme the visit follows up. `previous` holds, per programme, the last
    follow-up before this one (for the standard's 连续两次 rule)."""
    rules = rules or default_rules()
    previous = previous or {}
    _check_visit(visit, previous, rules)
    outcomes = {programme_id: _classify_programme(visit, rules.programme(programme_id), findings,
                                                  previous.get(programme_id), rules)
                for programme_id, findings in visit.programmes.items()}
    earliest = min(outcomes.values(), key=lambda o: (o.next_followup_on,
                                                     _RULE_ORDER.index(o.next_followup_rule)))
    return FollowUpResult(
        visited_on=visit.visited_on, outcomes=outcomes,
        urgent_referral=any(o.referral == "urgent" for o in outcomes.values()),
        next_followup_on=earliest.next_followup_on,
        next_followup_rule=f"{earliest.programme}:{earliest.next_followup_rule}")


def find_emergencies(programme: Programme, readings: Mapping[str, float],
                     symptoms: frozenset[str], flags: frozenset[str]) -> tuple[Decision, ...]:
    """The standard's 危急情况 present in these facts; works with whatever was measured."""
    found = []
    for criterion in programme.emergency:
        basis = criterion.when.evidence(readings, symptoms, flags)
        if basis is not None:
            found.append(Decision(rule=criterion.id, says=criterion.name, basis=basis))
    return tuple(found)


def _classify_programme(visit: FollowUpVisit, programme: Programme, findings: ProgrammeFindings,
                        previous: PreviousFollowUp | None,
                        rules: FollowUpRules) -> ProgrammeOutcome:
    missing = [r for r in programme.control_requires if r not in visit.readings]
    if missing:
        names = "、".join(rules.policy.readings[r].name for r in missing)
        raise FollowUpInputError(
            f"readings: {programme.name}随访需要{names}（{', '.join(missing)}）")
    unknown = sorted(findings.complications - set(programme.complications))
    if unknown:
        raise FollowUpInputError(f"programmes.{programme.id}.complications: unknown {unknown}; "
                                 f"known: {sorted(programme.complications)}")
    emergencies = find_emergencies(programme, visit.readings, visit.symptoms, visit.flags)
    target = programme.target_for(visit.age)
    satisfied = target.satisfied_when.evidence(visit.readings, frozenset(), frozenset()) is not None
    control_basis = tuple(f"{r}={visit.readings[r]:g}" for r in programme.control_requires)
    adverse = bool(findings.adverse_reactions) or findings.adverse_reaction_uncontrolled
    present = {"complication": bool(findings.complications), "adverse_reaction": adverse,
               "unsatisfactory": not satisfied}
    classes = tuple(c for c, _ in rules.policy.classes if present.get(c))
    follow_up_class = classes[0] if classes else "satisfactory"

    applied: dict[str, tuple[str, ...]] = {}  # rule id -> basis
    if emergencies:
        applied["emergency_referral"] = tuple(d.rule for d in emergencies)
    if findings.complications:
        applied["complication_referral"] = tuple(f"complication:{c}"
                                                 for c in sorted(findings.complications))
    if not satisfied:
        if previous is not None and not previous.control_satisfied:
            applied["consecutive_unsatisfactory_referral"] = (
                *control_basis, f"previous {previous.visited_on.isoformat()}: unsatisfactory")
        else:
            applied["first_unsatisfactory"] = (*control_basis, f"target:{target.id}")
    if adverse:
        if findings.adverse_reaction_uncontrolled:
            applied["uncontrolled_adverse_reaction_referral"] = ("adverse_reaction_uncontrolled",)
        elif previous is not None and previous.adverse_reaction:
            applied["uncontrolled_adverse_reaction_referral"] = (
                *findings.adverse_reactions,
                f"previous {previous.visited_on.isoformat()}: adverse_reaction")
        else:
            applied["adverse_reaction"] = findings.adverse_reactions
    if findings.medication_changed:
        applied["medication_change"] = ("medication_changed",)
    if not applied:
        applied["routine_followup"] = (*control_basis, f"target:{target.id}")

    decisions = tuple(Decision(rule=rule_id, says=programme.rules[rule_id].says,
                               basis=applied[rule_id])
                      for rule_id in _RULE_ORDER if rule_id in applied)
    deciding = min(decisions, key=lambda d: (
        add_interval(visit.visited_on, programme.rules[d.rule].next_followup),
        _RULE_ORDER.index(d.rule)))
    referral = ("urgent" if emergencies else
                "routine" if _REFERRALS & set(applied) else None)
    return ProgrammeOutcome(
        programme=programme.id, visited_on=visit.visited_on, follow_up_class=follow_up_class,
        class_name=rules.policy.class_name(follow_up_class), control_satisfied=satisfied,
        control_target=target.id, adverse_reaction=adverse, findings=classes or ("satisfactory",),
        emergencies=emergencies, decisions=decisions, referral=referral,
        next_followup_on=add_interval(visit.visited_on,
                                      programme.rules[deciding.rule].next_followup),
        next_followup_rule=deciding.rule,
        source=f"{programme.edition} {programme.section}")


def _check_visit(visit: FollowUpVisit, previous: Mapping[str, PreviousFollowUp],
                 rules: FollowUpRules) -> None:
    if not isinstance(visit.visited_on, dt.date) or isinstance(visit.visited_on, dt.datetime):
        raise FollowUpInputError("visited_on: must be a date")
    if isinstance(visit.age, bool) or not isinstance(visit.age, int) or not (
            0 <= visit.age <= MAX_AGE):
        raise FollowUpInputError(f"age: must be whole years from 0 to {MAX_AGE}, "
                                 f"not {visit.age!r}")
    if not visit.programmes:
        raise FollowUpInputError("programmes: a follow-up covers at least one programme")
    for programme_id in visit.programmes:
        if programme_id not in rules.programmes:
            raise FollowUpInputError(f"programmes: unknown programme {programme_id!r}; known: "
                                     f"{sorted(rules.programmes)}")
    for programme_id, last in previous.items():
        if programme_id in visit.programmes and last.visited_on >= visit.visited_on:
            raise FollowUpInputError(
                f"previous.{programme_id}: the previous follow-up ({last.visited_on}) must be "
                f"before this one ({visit.visited_on})")
    check_readings(visit.readings, rules)
    unknown = sorted(visit.symptoms - set(rules.symptoms))
    if unknown:
        raise FollowUpInputError(f"symptoms: unknown {unknown}; known: {sorted(rules.symptoms)}")
    unknown = sorted(visit.flags - set(rules.policy.flags))
    if unknown:
        raise FollowUpInputError(f"flags: unknown {unknown}; known: {sorted(rules.policy.flags)}")


def check_readings(readings: Mapping[str, float], rules: FollowUpRules | None = None) -> None:
    """Refuse impossible values (mistyped, not measured) with the reading named and a Chinese
    message; used for visits and for residents' own readings alike."""
    rules = rules or default_rules()
    for name, value in readings.items():
        limit = rules.policy.readings.get(name)
        if limit is None:
            raise FollowUpInputError(f"readings.{name}: unknown reading; known: "
                                     f"{sorted(rules.policy.readings)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise FollowUpInputError(f"readings.{name}: {limit.name}必须是数字")
        if not limit.min <= value <= limit.max:
            raise FollowUpInputError(
                f"readings.{name}: {limit.name}{value:g}{limit.unit}不在可能的范围内"
                f"（{limit.min:g}–{limit.max:g}{limit.unit}），请核对后重新输入")
    systolic, diastolic = readings.get("systolic"), readings.get("diastolic")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise FollowUpInputError("readings.diastolic: 舒张压应低于收缩压，请核对后重新输入")
