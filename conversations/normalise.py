"""Text normalisation that keeps offsets: one character in, one out (spaces folded), so what
the engine matches can always be quoted back exactly as the patient typed it. Input slips
(甲壮腺, 肾结实) are corrected to words of the same length, from `data/typos.yaml`."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

_TRAD = ("頭头發发燒烧嘔呕瀉泻過过噁恶痠酸氣气悶闷腫肿暈晕頸颈腳脚膚肤癢痒嗎吗沒没無无"
         "這这還还會会個个幾几兩两點点歲岁醫医藥药壓压臟脏腎肾腸肠熱热體体溫温陽阳對对"
         "蝦虾鮮鲜關关節节難难聽听說说記记講讲從从來来時时間间開开經经傷伤術术膽胆結结"
         "歷历為为麼么後后裡里裏里們们媽妈爺爷親亲號号嚴严厲厉輕轻較较覺觉狀状週周鐘钟"
         "餘余斷断續续陣阵帶带視视線线紅红燙烫乾干嗆呛變变擔担減减輸输懷怀菸烟煙烟飲饮"
         "憶忆確确許许應应該该錯错題题邊边問问數数萬万並并認认幫帮給给檢检診诊療疗膿脓"
         "瘡疮絞绞隱隐劇剧聲声啞哑嚨咙糞粪臉脸風风濕湿塊块蟲虫脹胀噴喷淚泪腦脑脈脉闌阑"
         "貝贝魚鱼類类雞鸡黴霉黃黄勁劲睏困級级嘗尝雜杂壞坏")
_TABLE = {ord(_TRAD[i]): ord(_TRAD[i + 1]) for i in range(0, len(_TRAD), 2)}
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
    table = {str(k).translate(_TABLE).lower(): str(v) for k, v in said.items()}
    wrong = sorted(k for k, v in table.items() if len(k) != len(v))
    if wrong:
        raise ValueError(f"{path.name}: a correction must keep the length of its slip: {wrong}")
    words = sorted(table, key=len, reverse=True)
    return table, re.compile("|".join(map(re.escape, words))) if words else None


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
    """Full-width → half-width, common traditional → simplified, lower-case Latin, one space."""
    return _normalise(text)[0]
