"""Who types for a child. A parent's own illness (我痛风, 我小时候哮喘) belongs in the child's
family history, under the parent's name when the conversation shows which parent is typing
(孩子他爸 said by the mother, 她妈 by the father); it is never the child's own past history."""

from __future__ import annotations

import re

_MOTHER_TYPING = re.compile(r"孩子他爸|孩子爸|娃他爸|他爸|她爸|我老公|我男人|孩子的?爸爸"
                            r"|我是(?:他|她|孩子|宝宝)的?(?:妈|妈妈|母亲)|当妈的")
_FATHER_TYPING = re.compile(r"孩子他妈|孩子妈|娃他妈|他妈|她妈|我老婆|我媳妇|孩子的?妈妈"
                            r"|我是(?:他|她|孩子|宝宝)的?(?:爸|爸爸|父亲)|当爸的")
_SPEAKERS_OWN = re.compile(r"(?:^|[，,。；;\s和跟])(?:我|俺)(?:自己|本人)?"
                           r"(?:也|小时候|以前|年轻时候?|从小)?(?:就)?(?:有|得过|患过|是|也有)?$")


def typing_parent(messages: list[str]) -> str | None:
    """母亲 or 父亲 when what was typed shows it, else None (never guessed)."""
    said = " ".join(messages)
    mother, father = bool(_MOTHER_TYPING.search(said)), bool(_FATHER_TYPING.search(said))
    return "母亲" if mother and not father else "父亲" if father and not mother else None


def speakers_own(text: str, start: int) -> bool:
    """我痛风 / 我小时候哮喘: the illness at `start` is the typist's own."""
    return _SPEAKERS_OWN.search(text[max(start - 8, 0):start]) is not None
