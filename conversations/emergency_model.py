"""A statistical second look for emergencies the rules missed: character n-grams, logistic.

It reads what the patient typed as a whole and gives a probability that it describes an
emergency. It never decides on its own and never clears a flag: when the rules raise nothing and
the probability reaches the model's threshold, the assistant raises a *possible* emergency
(可能), logged for review. Weights and threshold are data (`data/emergency_model.json`, trained
and chosen by `scripts/train_emergency_model.py`), loaded once.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conversations.nlu import normalise

MODEL = Path(__file__).resolve().parent / "data" / "emergency_model.json"


def features(text: str) -> list[str]:
    """Character 1–3-grams of the normalised text, spaces kept as boundaries."""
    t = f" {normalise(text)} "
    return [t[i:i + n] for n in (1, 2, 3) for i in range(len(t) - n + 1) if t[i:i + n].strip()]


@dataclass(frozen=True)
class EmergencyModel:
    weights: dict[str, float]
    bias: float
    threshold: float = 0.95  # the file's own cut (chosen with its weights) replaces this

    def probability(self, text: str) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in set(features(text)))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def strongest(self, text: str, count: int = 3) -> list[str]:
        """The words (2–3 characters, no spaces) that pushed hardest towards an emergency: the
        basis shown for review."""
        grams = {f: self.weights[f] for f in set(features(text))
                 if self.weights.get(f, 0) > 0 and len(f) > 1 and " " not in f}
        return [f for f, _ in sorted(grams.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


@cache
def default_model(path: Path = MODEL) -> EmergencyModel | None:
    """The shipped model, or None when no file is there (the rules alone then decide)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return EmergencyModel(weights={str(k): float(v) for k, v in data["weights"].items()},
                          bias=float(data["bias"]),
                          threshold=float(data.get("threshold", EmergencyModel.threshold)))
