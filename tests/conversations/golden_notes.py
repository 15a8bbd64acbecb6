"""Golden pre-visit notes: scripted patients and the note a careful reader signed line by line.

`golden/notes.json` holds the notes a reviewer read against the patient's words and found
signable; `test_golden_notes.py` requires the engine to write them exactly. `golden/pending.json`
holds the other corpus notes with the reviewer's problems: the engine's work list. A note moves
from pending to golden only after a reviewer has read the new text line by line.

`python -m tests.conversations.golden_notes` writes the engine's current notes for all 40
chosen patients to `golden/candidates.json` for the next review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conversations.dialogue import Assistant
from conversations.knowledge import default_knowledge
from conversations.scripted import ScriptedPatient, play

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus" / "patients.json"
GOLDEN = HERE / "golden" / "notes.json"
CANDIDATES = HERE / "golden" / "candidates.json"
COUNT = 40


def chosen() -> list[dict[str, Any]]:
    """The corpus's pre-consultation patients without an emergency, the first 40."""
    patients = json.loads(CORPUS.read_text(encoding="utf-8"))
    calm = [p for p in patients if p["mode"] == "pre_consultation"
            and not p["expect"].get("red_flag")]
    return calm[:COUNT]


def narrative(spec: dict[str, Any], assistant: Assistant) -> str:
    _, outcome = play(assistant, ScriptedPatient.parse(spec, 0))
    return outcome["narrative"]


def main() -> None:
    assistant = Assistant(default_knowledge())
    notes = [{"id": spec["id"], "utterances": spec["utterances"],
              "narrative": narrative(spec, assistant).split("\n")} for spec in chosen()]
    CANDIDATES.write_text(json.dumps(notes, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    print(f"wrote {len(notes)} notes to {CANDIDATES}")


if __name__ == "__main__":
    main()
