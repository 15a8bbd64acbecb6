"""Masking of resident ID numbers and mobile numbers for display, logs and outbound text.

Why: identifiers must not reach log files, support screens or a cloud LLM in clear, even when
they are buried in free text a patient typed. `mask_text` is one precompiled regex pass, cheap
enough to run on every log record.

Detection is deliberately broad: any 18-character ID shape (checksum not verified, so typos are
masked too), optionally grouped 6-8-4 with spaces or dashes, and any mainland mobile number,
optionally grouped 3-4-4 and prefixed with +86/0086/86. A number inside a longer digit run (an
order number, a timestamp) is left alone. `\\d` is Unicode-aware, so full-width digits count.
"""

from __future__ import annotations

import re

_KEEP_HEAD = 3
_KEEP_TAIL = 4
_MIN_PARTIAL = _KEEP_HEAD + _KEEP_TAIL + 1

# Full-width forms (U+FF11 "１", U+FF13-FF19 "３"-"９", U+FF38/FF58 "Ｘ"/"ｘ") are what Chinese
# input methods often produce, so they are matched alongside ASCII.
_IDENTIFIERS = re.compile(
    r"(?<!\d)"
    r"(?:"
    r"(?P<id>\d{6}(?P<id_sep>[ -]?)\d{8}(?P=id_sep)\d{3}[\dXx\uFF38\uFF58])"
    r"|"
    r"(?P<cc>(?:\+|00)?86[ -]?)?"
    r"(?P<phone>[1\uFF11][3-9\uFF13-\uFF19]\d(?P<ph_sep>[ -]?)\d{4}(?P=ph_sep)\d{4})"
    r")"
    r"(?!\d)"
)


def _mask_keep_ends(value: str) -> str:
    if len(value) < _MIN_PARTIAL:
        return "*" * len(value)
    return value[:_KEEP_HEAD] + "*" * (len(value) - _MIN_PARTIAL + 1) + value[-_KEEP_TAIL:]


def mask_id_number(number: str) -> str:
    """Keep the first 3 and last 4 characters: ``110105199003071234`` -> ``110***********1234``.

    Inputs shorter than 8 characters are masked entirely.
    """
    return _mask_keep_ends(number)


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 characters: ``13812345678`` -> ``138****5678``."""
    return _mask_keep_ends(phone)


def _mask_grouped(value: str) -> str:
    """Mask the characters between the first 3 and last 4, keeping separators in place."""
    out = []
    significant = sum(1 for ch in value if ch not in " -")
    seen = 0
    for ch in value:
        if ch in " -":
            out.append(ch)
            continue
        out.append(ch if seen < _KEEP_HEAD or seen >= significant - _KEEP_TAIL else "*")
        seen += 1
    return "".join(out)


def _replace(match: re.Match[str]) -> str:
    if match.group("id") is not None:
        return _mask_grouped(match.group("id"))
    return (match.group("cc") or "") + _mask_grouped(match.group("phone"))


def mask_text(text: str) -> str:
    """Mask every resident ID number and mainland mobile number found in free text."""
    if not text:
        return text
    return _IDENTIFIERS.sub(_replace, text)
