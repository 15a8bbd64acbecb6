"""Pre-visit note → FHIR R4 transaction Bundle: time per note for map + validate.

Every pre-consultation patient of the scripted corpus is played through the assistant once; the
resulting notes are then mapped with `note_to_bundle` (which parses every resource and the
Bundle through fhir.resources' R4B models) ROUNDS times. Pure Python: no Flask, no database.

    python -m bench.fhir_mapping
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

from backend.interop.fhir import (
    NoteForExchange,
    OrganizationInfo,
    PatientInfo,
    bundle_to_slots,
    note_to_bundle,
)
from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.scripted import ScriptedPatient

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "conversations" / "corpus" / \
    "patients.json"
ROUNDS = int(os.environ.get("BENCH_FHIR_ROUNDS", "20"))
CHINA = timezone(timedelta(hours=8))


def corpus_notes() -> list[NoteForExchange]:
    """One NoteForExchange per pre-consultation patient of the corpus, ready to map."""
    assistant = Assistant(default_knowledge())
    specs = [p for p in json.loads(CORPUS.read_text(encoding="utf-8"))
             if p.get("mode") == "pre_consultation"]
    notes = []
    for number, spec in enumerate(specs):
        patient = ScriptedPatient.parse(spec, number)
        state, _ = assistant.start(patient.mode, patient.context())
        for utterance in patient.utterances:
            if state.finished:
                break
            assistant.reply(state, utterance)
        note, flag = assistant.note(state), state.red_flag
        notes.append(NoteForExchange(
            note_id=str(uuid.uuid4()), version=1, supersedes_id=None,
            conversation_id=str(uuid.uuid4()),
            confirmed_at=datetime(2025, 3, 5, 9, 30, tzinfo=CHINA), narrative=note.narrative,
            slots=[vars(slot) for slot in note.slots],
            red_flag=({"rule": flag.rule_id, "name": flag.name, "words": flag.words}
                      if flag else None),
            patient=PatientInfo(id=str(uuid.uuid4()), name="王小明", sex=patient.sex,
                                birth_date=date(2025 - patient.age, 1, 15),
                                document_type="resident_id",
                                document_number="11010519491231002X", phone="13800138000"),
            organization=OrganizationInfo(id=str(uuid.uuid4()), code=patient.hospital or "H001",
                                          name="示范医院"),
            encounter_id=str(uuid.uuid4())))
    return notes


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def main() -> None:
    knowledge = default_knowledge()
    notes = corpus_notes()
    note_to_bundle(notes[0], knowledge)  # warm-up: the Questionnaire, the models' validators
    map_ms: list[float] = []
    back_ms: list[float] = []
    entries: list[int] = []
    sizes: list[int] = []
    for round_number in range(ROUNDS):
        for note in notes:
            started = time.perf_counter()
            bundle = note_to_bundle(note, knowledge)
            map_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            bundle_to_slots(bundle)
            back_ms.append((time.perf_counter() - started) * 1000)
            if round_number == 0:
                entries.append(len(bundle["entry"]))
                sizes.append(len(json.dumps(bundle, ensure_ascii=False).encode()))
    median, p95 = _percentiles(map_ms)
    back_median, back_p95 = _percentiles(back_ms)
    print(f"FHIR mapping: note_to_bundle (map + validate), fhir.resources "
          f"{version('fhir.resources')} R4B")
    for line in (
        f"notes                       {len(notes)} × {ROUNDS} rounds ({len(map_ms)} mappings)",
        f"map + validate ms / note    median {median:.2f}, p95 {p95:.2f}",
        f"bundle_to_slots ms / note   median {back_median:.3f}, p95 {back_p95:.3f}",
        f"entries / bundle            median {statistics.median(entries):g}, "
        f"max {max(entries)}",
        f"JSON bytes / bundle         median {statistics.median(sizes):g}, max {max(sizes)}",
    ):
        print(line)


if __name__ == "__main__":
    main()
