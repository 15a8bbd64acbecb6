"""Department recommendation from what the patient said, restricted to the hospital's own list.

Scores add the lexicon's department weights of every affirmed symptom (the chief complaint
counts double) and the complaint's answer rules; then age, sex and pregnancy move or exclude
departments. Each recommendation says why; when nothing stands out the honest answer is
"不确定" and general medicine.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from conversations.department_model import NONE, THRESHOLD, DepartmentModel
from conversations.knowledge import REQUESTS, Knowledge
from conversations.state import DialogueState, Recommendation

MIN_CONFIDENT_SHARE = 0.34
MODEL_REASON = "根据您的描述"
MODEL_MESSAGES = 3  # the first messages say why the patient came; later ones answer questions
MODEL_WEIGHT = 1.0  # chosen on tests/conversations/devset/triage_dev.json (0.75–1.5 all alike)
DISEASE_FACTOR = 1.5  # a named disease or finding is strong evidence for its department
SITE_FACTOR = 1.0  # the part of the body a problem is in (牙龈, 膝盖) points to who sees it
REQUEST_FACTOR = 3.0  # asking for a service (想做康复, 看中医, 建档) names the department
SURGICAL_OR_SPECIAL = {"GSUR", "ORTH", "UROL", "NSUR", "THOR", "OPHT", "ENT", "STOM", "EMER",
                       "GYNE", "OBST", "PSYC"}


@dataclass(frozen=True)
class TriageResult:
    recommendations: list[Recommendation]
    uncertain: bool  # "不确定": nothing medical understood (or, rules alone, nothing stands out)
    settled: bool = True  # sure enough to stop asking in a triage chat


def _fact_text(state: DialogueState, slot: str) -> str:
    fact = state.facts.get(slot)
    if fact is None:
        return ""
    value = fact.value
    return " ".join(map(str, value)) if isinstance(value, list) else f"{value} {fact.words}"


def _scores(knowledge: Knowledge, state: DialogueState
            ) -> tuple[dict[str, float], dict[str, list[str]]]:
    scores: dict[str, float] = defaultdict(float)
    reasons: dict[str, list[str]] = defaultdict(list)
    lexicon = knowledge.lexicon
    chief = state.facts.get("chief_complaint.symptom")
    chief_concept = chief.value if chief else None
    for concept_id in state.positive_symptoms():
        concept = lexicon.concepts["symptoms"].get(concept_id)
        if concept is None:
            continue
        factor = REQUEST_FACTOR if concept_id in REQUESTS else \
            2.0 if concept_id == chief_concept else 1.0
        for code, weight in concept.departments.items():
            scores[code] += weight * factor
            reasons[code].append(concept.name)
    has_symptoms = bool(state.positive_symptoms())
    for fact in state.diseases.values():
        concept = lexicon.concepts["diseases"].get(fact.concept)
        if concept is None or not fact.present:
            continue
        # The reason for the visit when nothing else is said; beside symptoms, a past illness is
        # background (高血压 in a headache patient) and weighs less.
        factor = DISEASE_FACTOR if not has_symptoms else (0.3 if fact.history else 1.0)
        factor *= 0.5 if fact.uncertain else 1.0
        for code, weight in concept.departments.items():
            scores[code] += weight * factor
            reasons[code].append(fact.words)
    for site, words in state.sites.items():
        concept = lexicon.concepts["body_sites"].get(site)
        for code, weight in concept.departments.items() if concept else ():
            scores[code] += weight * SITE_FACTOR
            reasons[code].append(words)
    complaint = knowledge.complaints.get(state.complaint or "")
    for rule in complaint.triage if complaint else ():
        text = _fact_text(state, f"present_illness.{rule.slot}")
        if text and any(word in text for word in rule.contains):
            for code, weight in rule.add.items():
                scores[code] += weight
                reasons[code].append(rule.reason)
    return scores, reasons


def _redirect(knowledge: Knowledge, state: DialogueState, scores: dict[str, float],
              reasons: dict[str, list[str]], available: set[str]) -> None:
    rules, patient = knowledge.departments, state.patient
    moves: dict[str, str] = {}
    if patient.age_years <= rules.paediatric_max_age:
        moves.update(rules.paediatric_redirect)
    if patient.pregnant:
        moves.update(rules.pregnancy_redirect)
    for source, target in moves.items():
        if source in scores and target in available:
            scores[target] += scores.pop(source)
            reasons[target].extend(reasons.pop(source, []))
    for code, sex in rules.sex_limits.items():
        if sex and patient.sex != sex:
            scores.pop(code, None)
    if patient.age_years > rules.paediatric_max_age:
        scores.pop("PEDI", None)


def _with_model(model: DepartmentModel, state: DialogueState, scores: dict[str, float],
                reasons: dict[str, list[str]]) -> tuple[dict[str, float], dict[str, list[str]]]:
    """The rules' shares plus the model's probabilities for the patient's own first words, at
    equal weight. With nothing understood, the model alone, and only when it is sure enough and
    does not read the words as nothing medical (then the honest answer stays "不确定")."""
    first = [m.text for m in state.transcript if m.role == "patient"][:MODEL_MESSAGES]
    if not first:
        return scores, reasons
    ranked = model.ranked(" ".join(first))
    total = sum(scores.values())
    if total <= 0 and (ranked[0][0] == NONE or ranked[0][1] < THRESHOLD):
        return scores, reasons
    combined: dict[str, float] = defaultdict(float)
    combined.update({code: value / total for code, value in scores.items()} if total > 0 else {})
    for code, p in ranked:
        if code != NONE and p > 0.02:
            combined[code] += MODEL_WEIGHT * p
            if not reasons.get(code):
                reasons[code].append(MODEL_REASON)
    return combined, reasons


def recommend(knowledge: Knowledge, state: DialogueState, available: dict[str, str],
              model: DepartmentModel | None = None) -> TriageResult:
    """Top three of the hospital's departments (`available`: code → the hospital's name).
    The rules' reading and, when given, the department model's count equally."""
    scores, reasons = _scores(knowledge, state)
    understood = sum(scores.values())
    # How sure the answer is comes from what the rules understood; the model reorders, and
    # decides alone only when nothing was understood.
    rules_sure = understood > 0 and max(scores.values()) / understood >= MIN_CONFIDENT_SHARE
    if model is not None:
        scores, reasons = _with_model(model, state, scores, reasons)
    _redirect(knowledge, state, scores, reasons, set(available))
    fallback = knowledge.departments.fallback
    if state.patient.is_child and "PEDI" in available:
        fallback = "PEDI"
    elif state.patient.pregnant and "OBST" in available:
        fallback = "OBST"
    for code in [c for c in scores if c not in available]:
        # A department this hospital does not have: its patients go to general medicine.
        target = fallback if fallback in available else None
        if target and code not in SURGICAL_OR_SPECIAL:
            scores[target] += scores[code] * 0.5
            reasons[target].extend(reasons[code])
        scores.pop(code)
    total = sum(scores.values()) or 1.0
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:3]
    recommendations = [
        Recommendation(code=code, name=available[code], confidence=round(score / total, 2),
                       reason="因为：" + " + ".join(dict.fromkeys(reasons[code])))
        for code, score in ranked if score > 0
    ]
    if model is None:  # the rules alone: unsure when nothing stands out
        uncertain = not recommendations or recommendations[0].confidence < MIN_CONFIDENT_SHARE
        settled = not uncertain
    else:  # with the model: 不确定 only when nothing medical was understood
        uncertain = not recommendations
        settled = rules_sure or (understood <= 0 and not uncertain)
    if uncertain and fallback in available and all(r.code != fallback for r in recommendations):
        unsure = Recommendation(code=fallback, name=available[fallback], confidence=0.0,
                                reason=f"不确定：建议先到{available[fallback]}就诊")
        recommendations = [unsure, *recommendations[:2]]
    return TriageResult(recommendations, uncertain, settled)

