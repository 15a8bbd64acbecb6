"""Train the character n-gram department model (conversations/data/department_model.json).

A softmax regression over character 1–3-grams, trained on the project's own written sets only:
the department-labelled first messages in `tests/conversations/devset/triage_training_*.json`,
the look-alike twins of the development emergency set that name a department, and the half of
the independent triage set whose ids end in an odd number (the even half stays held out for
measurement). Plain SGD in a fixed order: the same data gives the same file, byte for byte.

Run:  .venv/bin/python scripts/train_department_model.py
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

from conversations.department_model import NONE
from conversations.emergency_model import features

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "tests" / "conversations" / "devset"
OUT = ROOT / "conversations" / "data" / "department_model.json"
EPOCHS, RATE, L2, MIN_COUNT, MAX_FEATURES, KEEP = 8, 0.3, 1e-5, 2, 40000, 0.02


def _odd(item_id: str) -> bool:
    number = re.search(r"(\d+)$", item_id)
    return bool(number) and int(number.group(1)) % 2 == 1


def examples() -> list[tuple[str, str]]:
    """(text, department) pairs; a message with several acceptable departments teaches the
    first, the one a nurse would name first."""
    data: list[tuple[str, str]] = []
    for path in sorted(DEVSET.glob("triage_training_*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            codes = item.get("departments") or []
            data.append((item["text"], codes[0] if codes else NONE))
    dev = json.loads((DEVSET / "emergencies_dev.json").read_text(encoding="utf-8"))
    data += [(" ".join(i["utterances"]), i["department"]) for i in dev
             if i.get("expect") == "none" and i.get("department")]
    independent = ROOT / "tests" / "conversations" / "independent" / "triage.json"
    data += [(i["text"], i["department"]) for i in json.loads(independent.read_text())
             if _odd(i["id"])]
    return data


def train(data: list[tuple[str, str]]) -> dict:
    classes = sorted({label for _, label in data})
    at = {c: i for i, c in enumerate(classes)}
    counts = Counter(f for text, _ in data for f in set(features(text)))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # ties by name: stable
    vocab = [f for f, n in ranked[:MAX_FEATURES] if n >= MIN_COUNT]
    index = {f: i for i, f in enumerate(vocab)}
    k = len(classes)
    weights = [[0.0] * k for _ in vocab]
    bias = [0.0] * k
    rows = [(sorted({index[f] for f in features(text) if f in index}), at[label])
            for text, label in data]
    for epoch in range(EPOCHS):
        rate = RATE / (1 + epoch)
        for ids, label in rows:
            z = bias[:]
            for i in ids:
                row = weights[i]
                for c in range(k):
                    z[c] += row[c]
            top = max(z)
            exp = [math.exp(v - top) for v in z]
            total = sum(exp)
            grad = [e / total for e in exp]
            grad[label] -= 1.0
            for c in range(k):
                bias[c] -= rate * grad[c]
            for i in ids:
                row = weights[i]
                for c in range(k):
                    row[c] -= rate * (grad[c] + L2 * row[c])
    kept = {f: {str(c): round(w, 3) for c, w in enumerate(weights[i]) if abs(w) >= KEEP}
            for f, i in index.items()}
    return {"classes": classes, "bias": [round(b, 4) for b in bias],
            "weights": {f: row for f, row in kept.items() if row}}


def main() -> None:
    data = examples()
    model = train(data)
    OUT.write_text(json.dumps({
        "source": "Trained by scripts/train_department_model.py on the project's own written sets "
                  "(tests/conversations/devset/triage_training_*.json, the department-labelled "
                  "twins of emergencies_dev.json, odd-numbered items of "
                  "tests/conversations/independent/triage.json); project licence. Not trained on "
                  "Toyhom/Chinese-medical-dialogue-data or IMCS-21.",
        "examples": len(data), **model,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    print(f"{len(data)} examples, {len(model['classes'])} classes, "
          f"{len(model['weights'])} features -> {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
