"""A job as the patient says it (我送快递的, 上二年级, 退休了 以前是开车的) and the word the 病历's
个人史 writes for it; the table of patterns is `data/occupations.yaml`."""

from __future__ import annotations

import re

Job = tuple[str, re.Pattern[str], bool]  # the 病历 word, how it is said, whether it is broad

_JOB_NOUN = re.compile(r"(?:我|俺|他|她|本人)?(?:是|当)?(?P<job>(?:以前是|原来是|之前是)?"
                       r"[^，,。？?\s是在都也了]{0,5}"
                       r"(?:工人|工|师|员|(?:学|医|研究|大学|中学|小学)生|户|老板|农民|警察|军人"
                       r"|医生|大夫|护士|会计|司机|保安|经理|主管|总监|工头|导购|主妇))"
                       r"(?:的|啊|呢|了|呀)?")


_JOB_FRAME = re.compile(r"^(?:我|俺|他|她|本人)?(?:以前|原来)?(?:是|在|做|干|搞|当|跑)?"
                        r"|(?:的|上班|工作|打工|干活|了|啊|呢)+$")


def is_job_noun(said: str) -> bool:
    """护士 / 煤矿工人: a job said as its own name."""
    return _JOB_NOUN.fullmatch(said) is not None


def name_of(jobs: tuple[Job, ...], said: str) -> str:
    """A job already said as a noun keeps the patient's words (煤矿工人 says more than 矿工); a
    broad word keeps them beside it (个体经营（卖海鲜）); what matches nothing stays as said."""
    noun = _JOB_NOUN.fullmatch(said) or _JOB_NOUN.fullmatch(said.split()[0] if said.split() else "")
    if noun:
        return noun["job"]
    found = [(name, m, broad) for name, pattern, broad in jobs if (m := pattern.search(said))]
    if not found:
        return said
    name, m, broad = found[0]
    before = next((other for other, m2, _ in found[1:] if m2.start() >= m.end()
                   or m2.end() <= m.start()), None)
    if name == "退休" and before:
        return f"{name}（原{before}）"  # 退休（原司机）
    words = _JOB_FRAME.sub("", said.split()[0] if said.split() else said)
    return f"{name}（{words}）" if broad and len(words) > 2 and words != name else name
