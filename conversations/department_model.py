"""A statistical second opinion on the department, for messages the rules cannot place.

The rules decide whenever they understood something medical. When they did not (a finding they
have no term for, a body part said in an unusual way), this model reads the whole message as
character n-grams and gives a probability per department, plus one for "nothing medical"
(NONE), so a greeting or a question about parking stays "不确定". Weights are data
(`data/department_model.json`, trained by `scripts/train_department_model.py`), loaded once;
the answer is deterministic.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conversations.emergency_model import features

MODEL = Path(__file__).resolve().parent / "data" / "department_model.json"
NONE = "NONE"  # the class of messages with nothing medical in them
THRESHOLD = 0.45  # below this the model's best guess is not trusted


@dataclass(frozen=True)
class DepartmentModel:
    classes: tuple[str, ...]
    weights: dict[str, dict[int, float]]  # feature -> class index -> weight (sparse)
    bias: tuple[float, ...]

    def probabilities(self, text: str) -> dict[str, float]:
        z = list(self.bias)
        for f in set(features(text)):
            for index, weight in self.weights.get(f, {}).items():
                z[index] += weight
        top = max(z)
        exp = [math.exp(v - top) for v in z]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def ranked(self, text: str) -> list[tuple[str, float]]:
        """Departments by probability, NONE included, ties broken by code."""
        return sorted(self.probabilities(text).items(), key=lambda kv: (-kv[1], kv[0]))


def from_data(data: dict) -> DepartmentModel:
    classes = tuple(str(c) for c in data["classes"])
    weights = {str(f): {int(i): float(w) for i, w in row.items()}
               for f, row in data["weights"].items()}
    bias = tuple(float(b) for b in data["bias"])
    if len(bias) != len(classes):
        raise ValueError("department model: one bias per class is needed")
    return DepartmentModel(classes, weights, bias)


@cache
def default_model(path: Path = MODEL) -> DepartmentModel | None:
    """The shipped model, or None when no file is there (the rules alone then decide)."""
    if not path.exists():
        return None
    return from_data(json.loads(path.read_text(encoding="utf-8")))
