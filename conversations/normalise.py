"""Text normalisation that keeps offsets: one character in, one out (spaces folded), so what
the engine matches can always be quoted back exactly as the patient typed it. Input slips
(甲壮腺, 肾结实) are corrected to words of the same length, from `data/typos.yaml`; traditional
characters become simplified (`data/traditional.tsv`)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

TRADITIONAL_FILE = Path(__file__).resolve().parent / "data" / "traditional.tsv"


def _traditional(path: Path) -> dict[int, int]:
    """繁 → 简, one character each (OpenCC's table, source in the file)."""
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            table[ord(traditional)] = ord(simplified)
    return table


_TABLE = _traditional(TRADITIONAL_FILE)
_TABLE.update({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})  # full-width ASCII
_TABLE.update({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})
_TABLE.update({c: c - 0xFEE0 + 32 for c in range(0xFF21, 0xFF3B)})  # Ａ → a
_TABLE[0x3000] = ord(" ")
_WORDS = re.compile(r"\S+")
TYPOS_FILE = Path(__file__).resolve().parent / "data" / "typos.yaml"


def _typos(path: Path) -> tuple[dict[str, str], re.Pattern[str] | None]:
    """Slip (or dialect word) -> its Mandarin form; a correction of another length would break
    quoting, so it is refused."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    said = {**(data.get("typos") or {}), **(data.get("dialect") or {})}
    initials = {str(k).lower(): str(v) for k, v in (data.get("initials") or {}).items()}
    table = {str(k).translate(_TABLE).lower(): str(v) for k, v in said.items()} | initials
    wrong = sorted(k for k, v in table.items() if len(k) != len(v))
    if wrong:
        raise ValueError(f"{path.name}: a correction must keep the length of its slip: {wrong}")
    words = [re.escape(w) for w in sorted(table.keys() - initials.keys(),
                                          key=len, reverse=True)]
    words += [rf"(?<![a-z]){re.escape(w)}(?![a-z])" for w in sorted(initials, key=len,
                                                                     reverse=True)]
    return table, re.compile("|".join(words)) if words else None


_SLIPS, _SLIP_RE = _typos(TYPOS_FILE)


def _normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index of the original character."""
    t = text.translate(_TABLE)
    if _SLIP_RE is not None:
        t = _SLIP_RE.sub(lambda m: _SLIPS[m[0]], t)
    parts, index = [], []
    for m in _WORDS.finditer(t):
        if parts:
            index.append(m.start() - 1)
        parts.append(m[0])
        index.extend(range(m.start(), m.end()))
    return " ".join(parts), index


def normalise_mapped(text: str) -> tuple[str, list[int]]:
    """The normalised text and, per character, where it stood in what the patient typed."""
    return _normalise(text)


def normalise(text: str) -> str:
    """Full-width → half-width, traditional → simplified, lower-case Latin, one space."""
    return _normalise(text)[0]
