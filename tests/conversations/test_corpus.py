"""The scripted patient corpus: expected slots filled, department in the top 3, every red flag
stopped and no flag raised on its negated twin. One test per scripted patient."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.demo.seed import load_data
from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.scripted import ScriptedPatient, play

CORPUS = Path(__file__).parent / "corpus" / "patients.json"
PATIENTS = json.loads(CORPUS.read_text(encoding="utf-8"))


def hospital_departments() -> dict[str, dict[str, str]]:
    """Each demo hospital's own departments, code → name, as the database would hold them."""
    data = load_data()
    catalogue = data["department_catalogue"]
    return {org["code"]: {code: catalogue[code][0] for code in org["departments"]}
            for org in data["organizations"]}


ASSISTANT = Assistant(default_knowledge())
DEPARTMENTS = hospital_departments()


def test_the_corpus_is_big_and_varied_enough():
    assert len(PATIENTS) >= 120
    assert len({p["id"] for p in PATIENTS}) == len(PATIENTS)
    flagged = [p for p in PATIENTS if p["expect"].get("red_flag")]
    twins = [p for p in PATIENTS if p["id"].endswith("-negated")]
    assert len(flagged) >= 20 and len(twins) >= 20
    assert {p["id"].removesuffix("-negated") for p in twins} <= {p["id"] for p in flagged}


@pytest.mark.parametrize("spec", PATIENTS, ids=[p["id"] for p in PATIENTS])
def test_scripted_patient(spec):
    patient = ScriptedPatient.parse(spec, 0)
    departments = DEPARTMENTS.get(patient.hospital or "", None)
    _, outcome = play(ASSISTANT, patient, departments)
    assert outcome["check"]["passed"], "\n".join(
        outcome["check"]["failures"] + [f"narrative: {outcome['narrative']}",
                                        f"triage: {outcome['triage']}"])
