"""Find personal identifiers in free text a patient typed, and mask them before it is stored.

Why: patients type their ID number, phone or bank card into the assistant ("我的身份证是…"),
and the transcript is kept and shown again. Nothing in a medical conversation needs those
numbers, so they are masked before the text is stored or understood, and never come back.

Detection is by validity, not by shape alone, so long numbers that mean something else (a
dose, an order number) stay as typed:
- resident ID numbers (GB 11643-1999): 18 characters whose ISO 7064 MOD 11-2 check character is
  right, optionally grouped 6-8-4 with spaces or dashes;
- bank card numbers: 16 to 19 digits that pass the Luhn check, optionally grouped by spaces or
  dashes;
- mainland mobile numbers: 1[3-9] and 9 more digits, optionally +86/0086/86 and grouped 3-4-4.
Full-width digits (what Chinese input methods often produce) count as digits. Masking keeps the
first 3 and last 4 digits and any separators, like every other masked identifier here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_D = r"[0-9\uFF10-\uFF19]"
_X = r"[0-9\uFF10-\uFF19Xx\uFF38\uFF58]"
_SEP = r"[ \-]"
_RESIDENT_ID = re.compile(
    rf"(?<![0-9\uFF10-\uFF19A-Za-z]){_D}{{6}}(?P<s>{_SEP}?){_D}{{8}}(?P=s){_D}{{3}}{_X}"
    rf"(?![0-9\uFF10-\uFF19A-Za-z])")
_BANK_CARD = re.compile(
    rf"(?<![0-9\uFF10-\uFF19]){_D}(?:{_SEP}?{_D}){{15,18}}(?![0-9\uFF10-\uFF19])")
_MOBILE = re.compile(
    rf"(?<![0-9\uFF10-\uFF19])(?:(?:\+|00|\uFF0B)?[8\uFF18][6\uFF16]{_SEP}?)?"
    rf"(?P<number>[1\uFF11][3-9\uFF13-\uFF19]{_D}(?P<s>{_SEP}?){_D}{{4}}(?P=s){_D}{{4}})"
    rf"(?![0-9\uFF10-\uFF19])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_KEEP_HEAD, _KEEP_TAIL = 3, 4


@dataclass(frozen=True)
class MaskedText:
    """The text with every identifier masked, and which kinds were found (never the values)."""

    text: str
    found: tuple[str, ...]


def _plain(value: str) -> str:
    """ASCII digits (and X) only: separators dropped, full-width forms folded."""
    return "".join(unicodedata.normalize("NFKC", ch).upper() for ch in value if ch not in " -")


def is_resident_id(value: str) -> bool:
    plain = _plain(value)
    if len(plain) != 18 or not plain[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(plain[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == plain[17]


def passes_luhn(value: str) -> bool:
    plain = _plain(value)
    if not plain.isdigit():
        return False
    total = 0
    for index, digit in enumerate(int(d) for d in reversed(plain)):
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _mask(value: str) -> str:
    """Keep the first 3 and last 4 significant characters and every separator."""
    significant = sum(1 for ch in value if ch not in " -")
    out, seen = [], 0
    for ch in value:
        if ch in " -":
            out.append(ch)
            continue
        out.append(ch if seen < _KEEP_HEAD or seen >= significant - _KEEP_TAIL else "*")
        seen += 1
    return "".join(out)


def mask_identifiers(text: str) -> MaskedText:
    """Mask resident ID numbers, bank card numbers and mobile numbers found in `text`."""
    found: list[str] = []

    def resident_id(match: re.Match[str]) -> str:
        if not is_resident_id(match.group()):
            return match.group()
        found.append("resident_id")
        return _mask(match.group())

    def bank_card(match: re.Match[str]) -> str:
        if not passes_luhn(match.group()):
            return match.group()
        found.append("bank_card")
        return _mask(match.group())

    def mobile(match: re.Match[str]) -> str:
        found.append("mobile")
        start = match.start("number") - match.start()
        return match.group()[:start] + _mask(match.group("number"))

    if not text:
        return MaskedText(text, ())
    masked = _RESIDENT_ID.sub(resident_id, text)
    masked = _BANK_CARD.sub(bank_card, masked)
    masked = _MOBILE.sub(mobile, masked)
    return MaskedText(masked, tuple(found))
