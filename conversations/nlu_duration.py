"""How long the complaint has lasted, of all the lengths an utterance names, and words the
patient takes back (眼皮跳 不是 是眼皮耷拉). Split from `nlu` so that module stays a reader."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from conversations import nlu_context as ctx
from conversations import nlu_cues as cues
from conversations import nlu_numbers as qty
from conversations.nlu_types import Duration, Mention

if TYPE_CHECKING:  # the reader is built in nlu, which imports this module
    from conversations.nlu import _Reader


# 一个半月前感冒(以后)开始堵的: the day an antecedent illness came is when this one began
_STARTED_AFTER = re.compile(r"前[^，,。；;\s]{0,6}?(?:以后|之后|后)?开始")


_THIS_BOUT = re.compile(r"(?:这回|这次|这一次|这一回|这趟)(?:又|是|都|已经|有)?$")


def complaint_duration(r: _Reader, found: list[qty.Quantity], mentions: tuple[Mention, ...],
              correction: bool) -> Duration | None:
    """The longest length said of a current symptom (the illness began with it), else one said
    on its own (an answer to 多久了?); after 不对/改成, the last one said."""
    past = {m.start for m in mentions if m.history or m.negated}
    scored = []
    for q in found:
        topic = r.attach(q.start, q.end)
        if topic and topic[2] == "symptom" and topic[0] not in past:
            scored.append((2, q))
        elif topic is None and (not q.relative or cues.STARTED.match(r.text, q.end)):
            scored.append((1, q))
        elif topic and _STARTED_AFTER.match(r.text, q.end):  # 一个半月前感冒开始堵的
            scored.append((1, q))
    if not scored:
        return None
    # A length said (半个多月) outranks a time of day that may only say when it is worse
    # (早上起来晕得厉害); among lengths, the one said of a symptom, then the longest.
    # 前天开始疼的 今天起了水泡: the day it began outranks a later day
    # 反反复复两年多 这回一个礼拜: the length of this bout outranks how long it has come and gone
    best = scored[-1][1] if correction else max(
        scored, key=lambda p: (bool(_THIS_BOUT.search(r.text, max(p[1].start - 4, 0), p[1].start)),
                               not p[1].relative, _began(r.text, p[1]), p[0], p[1].value))[1]
    topic = r.attach(best.start, best.end)
    of = next((cid for s, _e, kind, cid in r.found if topic and s == topic[0]
               and kind == "symptoms"), None)
    return Duration(round(best.value, 4), r.original(best.start, best.end), best.approximate, of,
                    onset=_began(r.text, best))


# 眼皮跳 不是 是眼皮耷拉 / 尿床 不对 是憋不住: the patient takes the first word back
_TAKEN_BACK = re.compile(r"[\s，,]+(?:不是|不对|说错了?)[\s，,]*(?:是|应该是)")


def retracted(text: str, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Symptoms said just before a self-correction, in its sentence, are not the patient's."""
    for m in _TAKEN_BACK.finditer(text):
        lo = ctx.sentence_of(text, m.start())[0]
        after = any(x.kind == "symptoms" and x.start >= m.end() for x in mentions)
        mentions = tuple(x for x in mentions if not (
            after and x.kind in ("symptoms", "diseases") and lo <= x.start and x.end <= m.start()
            and not text[x.end:m.start()].strip(" ，,")))
    return mentions


def _began(text: str, q: qty.Quantity) -> bool:
    return bool(cues.ONSET.match(text, q.end))
