"""Golden pre-visit notes: 40 scripted patients and the note a careful reader checked line by line.

`python -m tests.conversations.golden_notes` rewrites `golden/notes.json` from the current engine
(run it only when a change to the note is intended, and have the new text read again, line by
line, against the patient's words before committing). The test compares the engine's narrative
with the stored text exactly.
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
    GOLDEN.write_text(json.dumps(notes, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(notes)} notes to {GOLDEN}")


if __name__ == "__main__":
    main()
