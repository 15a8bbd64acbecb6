"""Character error rate: how far a transcript is from what was said, in edits per character.

Both sides are normalised the same way first (simplified characters, Arabic numbers, no
punctuation), so "血压145/88" and "血压一百四十五八十八" count as the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.speech.normalise import comparable


def edit_distance(reference: str, hypothesis: str) -> int:
    """Levenshtein distance (substitutions, insertions, deletions), character by character."""
    previous = list(range(len(hypothesis) + 1))
    for i, wanted in enumerate(reference, start=1):
        current = [i]
        for j, heard in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (wanted != heard)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Scored:
    reference: str
    hypothesis: str
    errors: int
    length: int

    @property
    def cer(self) -> float:
        return self.errors / self.length if self.length else float(self.errors > 0)


def score(reference: str, hypothesis: str) -> Scored:
    wanted, heard = comparable(reference), comparable(hypothesis)
    return Scored(reference, hypothesis, edit_distance(wanted, heard), len(wanted))


def corpus_cer(scores: list[Scored]) -> float:
    """Errors over all reference characters (long utterances weigh more, as in ASR papers)."""
    total = sum(s.length for s in scores)
    return sum(s.errors for s in scores) / total if total else 0.0
