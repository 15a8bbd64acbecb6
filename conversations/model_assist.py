"""Let a language model fill what the rules missed, never overrule them.

Called only when the rule engine understood nothing in a substantial utterance (saves latency
and cost). Model findings are added with `source="model"`: they never overwrite the patient's
rule-extracted facts, and red flags ignore them. Names the model returns for diseases and
allergies are mapped back to lexicon ids; anything unknown is dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from conversations.facts import add_to_list, set_fact
from conversations.knowledge import Lexicon
from conversations.llm.base import GuardedModel
from conversations.llm.extraction import extract_with_model
from conversations.nlu import normalise, understand
from conversations.state import DialogueState, SymptomFact

MIN_LENGTH = 6


def _concept_for(lexicon: Lexicon, kind: str, name: str) -> str | None:
    text = normalise(name)
    for concept in lexicon.concepts[kind].values():
        if text == concept.name or text in concept.terms:
            return concept.id
    return None


def make_model_helper(model: GuardedModel, lexicon: Lexicon
                      ) -> Callable[[str, DialogueState], None]:
    allowed = {c.id: [c.name, *c.terms] for c in lexicon.concepts["symptoms"].values()}

    def helper(utterance: str, state: DialogueState) -> None:
        if model.offline or len(utterance.strip()) < MIN_LENGTH:
            return
        if understand(utterance, lexicon).mentions:
            return  # the rules understood it
        found = extract_with_model(model, utterance, allowed)
        if not found:
            return
        for item in found["symptoms"]:
            if item["concept"] not in state.symptoms:
                state.symptoms[item["concept"]] = SymptomFact(
                    concept=item["concept"], present=not item["negated"], words=utterance,
                    turn=state.turn, source="model")
        if found["duration_days"] is not None and "chief_complaint.duration" not in state.facts:
            set_fact(state, "chief_complaint.duration", float(found["duration_days"]), utterance,
                     uncertain=True, source="model")
        if found["severity"] is not None and "present_illness.severity" not in state.facts:
            set_fact(state, "present_illness.severity", found["severity"], utterance,
                     source="model")
        for kind, key, names in (("chronic_diseases", "past.chronic_diseases",
                                  found["chronic_diseases"]),
                                 ("drugs", "allergy.drugs", found["drug_allergies"]),
                                 ("foods", "allergy.foods", found["food_allergies"])):
            for name in names:
                concept = _concept_for(lexicon, kind, name)
                if concept:
                    add_to_list(state, key, concept, utterance, source="model")

    return helper
