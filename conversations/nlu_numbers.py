"""Quantities in patients' Chinese: numerals, durations, temperature, frequency, pain, habits.

Split from `conversations.nlu` so each file stays readable. Everything here reads text that
`nlu.normalise` has already cleaned and returns spans into it: deciding which duration belongs to
the chief complaint needs the lexicon mentions, and that is `nlu`'s job.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_DIGITS = {"零": 0, "〇": 0, "幺": 1, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3,
           "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_INT = re.compile(r"[零〇幺一二两俩三仨四五六七八九十百千万]+")
_ARABIC = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_VAGUE = {"几": (2.0, 4.0), "好几": (3.0, 5.0), "几十": (20.0, 50.0)}
#: A numeral as patients write it, used inside the patterns below ("几" and ranges included).
NUM = r"(?:[0-9]+(?:\.[0-9]+)?|[零〇幺一二两俩三仨四五六七八九十廿百千万几]+)"


class Quantity(NamedTuple):
    """A value found in the text: `value` days / °C / count, span into the normalised text."""

    start: int
    end: int
    value: float
    approximate: bool
    relative: bool = False  # 昨天/上周: a point in time, not a counted length


def _cn_int(s: str) -> int | None:
    """Chinese integer reading, including the spoken short forms 一百二 (120) and 两万三."""
    if not _CN_INT.fullmatch(s):
        return None
    if len(s) > 1 and all(c in _DIGITS for c in s):  # 二零二三: read digit by digit
        return int("".join(str(_DIGITS[c]) for c in s))
    total = section = 0
    digit: int | None = None
    last_unit, zero = 1, False
    for ch in s:
        if ch in "零〇":
            zero, digit = True, None
        elif ch in _DIGITS:
            if digit is not None:
                return None
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit, last_unit, zero = None, _UNITS[ch], False
        else:  # 万
            total += (section + (digit or 0)) * 10000
            section, digit, last_unit, zero = 0, None, 10000, False
    if digit is not None:
        short = last_unit > 1 and not zero and len(s) > 1 and s[-2] in "百千万"
        section += digit * last_unit // 10 if short else digit
    return total + section


def _exact(s: str) -> float | None:
    if _ARABIC.fullmatch(s):
        return float(s)
    if s in ("半", "一半"):
        return 0.5
    if s.endswith("半"):  # 一个半, 三个半
        whole = _exact(s[:-1].removesuffix("个"))
        return None if whole is None else whole + 0.5
    if "点" in s:  # 三十八点五
        whole, _, frac = s.partition("点")
        w = _cn_int(whole)
        if w is None or not frac or any(c not in _DIGITS for c in frac):
            return None
        return float(f"{w}.{''.join(str(_DIGITS[c]) for c in frac)}")
    value = _cn_int(s.replace("廿", "二十"))
    return None if value is None else float(value)


def number_range(s: str) -> tuple[float, float, bool] | None:
    """(low, high, vague) for a numeral: 三 → (3, 3), 两三 → (2, 3), 十几 → (11, 19, vague)."""
    s = s.strip()
    if not s:
        return None
    if s in _VAGUE:
        return (*_VAGUE[s], True)
    m = re.fullmatch(r"(.+?)(?:到|至|-|~)(.+)", s)
    if m:
        a, b = _exact(m[1]), _exact(m[2])
        return None if a is None or b is None else (min(a, b), max(a, b), False)
    if s[-1] in "多来余几" and len(s) > 1:
        base = _exact(s[:-1])
        if base is None or base < 1:
            return None
        mag = 1
        while base % (mag * 10) == 0 and mag * 10 <= base:
            mag *= 10
        if s[-1] == "几":
            return base + 1, base + mag - 1, True
        return (base, base, True) if s[-1] == "来" else (base, base + mag, True)
    positional = len(s) > 2 and all(c in _DIGITS for c in s)  # 二零二三
    for i in range(0 if not positional else len(s), len(s) - 1):
        # 两三 / 三五 / 十五六 / 二三十: two adjacent digits are a range
        a, b = _DIGITS.get(s[i], 0), _DIGITS.get(s[i + 1], 0)
        if a and b and 0 < b - a <= 2:
            lo, hi = _exact(s[:i + 1] + s[i + 2:]), _exact(s[:i] + s[i + 1:])
            if lo is not None and hi is not None:
                return lo, hi, False
    value = _exact(s)
    return None if value is None else (value, value, False)


def parse_chinese_number(text: str) -> float | None:
    """三 → 3, 一百二 → 120, 一个半 → 1.5, 3.5 → 3.5, 两三 → 2.5; vague 几/十几/多 → None."""
    found = number_range(text.strip().removesuffix("个"))
    if found is None or found[2]:
        return None
    return (found[0] + found[1]) / 2


# -- durations ----------------------------------------------------------------------------------

_UNIT_DAYS = {"分钟": 1 / 1440, "小时": 1 / 24, "钟头": 1 / 24, "天": 1.0, "日": 1.0, "周": 7.0,
              "星期": 7.0, "礼拜": 7.0, "月": 30.0, "年": 365.0}
_DURATION = re.compile(
    r"(?P<pre>将近|差不多|大概|大约|快要?|近|约|大|小|好)?"
    rf"(?P<num>{NUM}(?:(?:到|至|-|~){NUM})?|半)"  # 三 / 3-5 / 三到五 / 半
    # 十多 / 一个多 / 一个半 / 一个半多
    r"(?P<m1>多|来|余)?(?P<ge>个)?(?P<m2>多|来)?(?P<half>半)?(?P<m3>多)?"
    r"(?P<unit>分钟|小时|钟头|天|日|周|星期|礼拜|月|年)"
    r"(?P<post>多|半(?![个包支根次])|左右|上下|出头)?")  # 一年多 / 三天半 / 一周左右
_FREQUENCY_AFTER = re.compile(
    rf"[^，,。；;了天]{{0,6}}?(?:{NUM}|半)(?:多|来)?"
    r"(?:次|回|趟|遍|包|支|根|瓶|杯|两|斤|顿|片|粒)")
_AGE_BEFORE = re.compile(r"(孩子|宝宝|娃|儿子|女儿|闺女|孙子|孙女|小孩|今年|刚满|才满|岁)$")
# 月经还算准 30天左右 / 周期28天: how long a cycle is, not how long a complaint has lasted
_CYCLE_BEFORE = re.compile(r"(?:周期|准|规律|规则)[^，,。；;]{0,3}$")
# 三个月大 / 十个月的宝宝: an age, not a length
_NOT_DURATION_AFTER = re.compile(r"大(?![概便])|岁|级|代|份|初|底|号|两头|到晚|比(?!较)"
                                 r"|的(?:宝宝|孩子|娃|小孩|婴儿|闺女|儿子)")
_RELATIVE = {"大前天": 3.0, "前天晚上": 1.5, "前天夜里": 1.5, "前天": 2.0, "昨天晚上": 0.5,
             "昨天夜里": 0.5, "昨天半夜": 0.5, "昨晚": 0.5, "昨夜": 0.5, "昨天下午": 0.75,
             "昨天中午": 0.8, "昨天早上": 1.0, "昨天上午": 1.0, "昨天": 1.0, "昨儿": 1.0,
             "今天凌晨": 0.25, "今天早上": 0.25, "今天上午": 0.25, "今天一早": 0.25, "今早": 0.25,
             "今天早晨": 0.25, "早上起来": 0.25, "今天中午": 0.15, "今天下午": 0.1,
             "今天晚上": 0.05, "今晚": 0.05, "今天": 0.25, "刚才": 1 / 24, "刚刚": 1 / 24,
             "上个星期": 7.0, "上星期": 7.0, "上个礼拜": 7.0, "上礼拜": 7.0, "上周": 7.0,
             "上个月": 30.0, "上月": 30.0, "去年": 365.0, "前年": 730.0, "这两天": 2.0,
             "这几天": 3.0, "最近两天": 2.0, "最近几天": 3.0}
def said_as_a_day(words: str) -> bool:
    """昨天晚上 / 早上起来: a day or a time of day named, not a length counted."""
    return words in _RELATIVE


_RELATIVE_RE = re.compile("|".join(sorted(_RELATIVE, key=len, reverse=True)))
_WAITED = frozenset("等蹲憋坐站排找弄忙哄")
_IDIOMS = {"十天半个月": 12.5, "个把月": 30.0, "个把星期": 7.0, "个把礼拜": 7.0, "一年半载": 365.0,
           "三天两头": None, "一天到晚": None, "天天": None, "一年四季": None, "一年到头": None}
_IDIOM_RE = re.compile("|".join(_IDIOMS))


_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_TODAY_IS = re.compile(r"今天(?:是|都|已经)?(?:周|礼拜|星期)(?P<d>[一二三四五六日天])")
_ON_WEEKDAY = re.compile(r"(?P<w>上上个?|上个?|这个?|本)?(?:周|礼拜|星期)(?P<d>[一二三四五六日天])")


def weekday_lengths(text: str) -> list[Quantity]:
    """上周六打的球 今天周二 / 礼拜二开始的 今天礼拜五: the days since a weekday, counted from the
    weekday the patient says today is (never from the server's clock: the words must agree)."""
    today = _TODAY_IS.search(text)
    if today is None:
        return []
    now = _WEEKDAY[today["d"]]
    found = []
    for m in _ON_WEEKDAY.finditer(text):
        if today.start() <= m.start() < today.end():
            continue
        then, week = _WEEKDAY[m["d"]], m["w"] or ""
        days = now - then + (14 if week.startswith("上上") else 7 if week.startswith("上") else 0)
        if not week and days < 0:
            days += 7  # 周日开始的 今天周三: the Sunday just gone
        if days > 0:
            found.append(Quantity(m.start(), m.end(), float(days), False))
    return found


def durations(text: str) -> list[Quantity]:
    """Every length of time in the text, in days; `nlu` decides which one is the complaint's."""
    found = []
    for m in _DURATION.finditer(text):
        unit, num, pre = m["unit"], m["num"], m["pre"] or ""
        if unit == "月" and not m["ge"] and num != "半" and not num.endswith(("仨", "俩")):
            continue  # 三月 is March; a length of months is 三个月 (仨月, 俩月: no month's name)
        if _NOT_DURATION_AFTER.match(text, m.end()) or _AGE_BEFORE.search(text, 0, m.start()):
            continue  # 三个月大 / 孩子两个半月 (age), 八十年代, 三天两头, 3月5号
        before = text[max(m.start() - 1, 0):m.start()]  # 过几个钟头 / 隔两天: later, not how long
        if before in ("每", "月", "过", "隔") or _FREQUENCY_AFTER.match(text, m.end()) or (
                unit in ("天", "日") and _CYCLE_BEFORE.search(text, max(m.start() - 8, 0),
                                                            m.start())):
            continue  # 每天 / 一天拉五次 / 一天一包烟: a rate, not a length
        if num == "半" and unit == "天" and (before in _WAITED or text.startswith("才", m.end())):
            continue  # 尿等半天才出来 / 蹲半天: a while, not how long the illness has lasted
        if num == "半":
            # 大半年: a bit over half a year (seven months or so), not two thirds of it
            low = high = 0.6 if pre == "大" else 0.4 if pre == "小" else 0.5
            vague = pre in ("大", "小")
        else:
            rng = number_range(("好" if pre == "好" else "") + num + (m["m1"] or ""))
            if rng is None or (unit == "年" and rng[1] >= 150):
                continue
            low, high, vague = rng
        value = (low + high) / 2 + (0.5 if m["half"] or m["post"] == "半" else 0)
        # 一个多月, 一年多: a little more than the unit (people say 一个多月 for five or six
        # weeks, rarely for seven); the note still writes 1个月余
        extra = m["m2"] == "多" or m["post"] == "多" or m["m3"] == "多"
        value += (0.2 if value >= 1 else 0.1) if extra else 0  # 半年多: a little more
        approx = vague or low != high or extra or pre not in ("", "大", "小", "好") or (
            m["post"] in ("左右", "上下", "出头")) or m["m2"] == "来"
        found.append(Quantity(m.start(), m.end(), value * _UNIT_DAYS[unit], approx))
    weekdays = weekday_lengths(text)
    today = _TODAY_IS.search(text) if weekdays else None
    if today:  # 今天周二 names the day, it is no onset
        weekdays.append(Quantity(today.start(), today.end(), 0.0, False))
    special = weekdays + [
        Quantity(m.start(), m.end(), _RELATIVE[m[0]], True, relative=True)
        for m in _RELATIVE_RE.finditer(text)
        if not any(w.start < m.end() and m.start() < w.end for w in weekdays)]
    special += [Quantity(m.start(), m.end(), _IDIOMS[m[0]] or 0.0, True)
                for m in _IDIOM_RE.finditer(text)]
    found = [q for q in found if not any(r.start < q.end and q.start < r.end for r in special)]
    return sorted(q for q in found + special if q.value)  # 三天两头 is how often, not how long


# -- temperature, frequency, severity -----------------------------------------------------------

_TEMP = re.compile(
    rf"(?P<num>{NUM}(?:点[零一二三四五六七八九]|\.[0-9])?)(?:度|℃|°c?)"
    r"(?P<frac>[0-9一二三四五六七八九半])?"  # 38度5
    r"|(?:烧到|烧了|发烧|发热|体温|高烧|低烧|烧|量了?|测了?|最高)(?:有|是|到|在|了|都|烧|\s)*"
    r"(?P<bare>[34][0-9](?:\.[0-9])?)(?![0-9天次岁分个小年月周号点度℃°])")


def temperature(text: str, last: bool = False) -> float | None:
    """Highest body temperature named (°C), or the last one when the patient corrects himself."""
    values = []
    for m in _TEMP.finditer(text):
        if m["bare"]:
            value: float | None = float(m["bare"])
        else:
            value = _exact(m["num"])
            frac = m["frac"]
            if frac and not frac.isdigit() and text[m.end():m.end() + 1] in tuple("直下天次个些点"):
                frac = None  # 39度一直不退: 一 starts the next word
            if value is not None and frac:
                tenth = int(frac) if frac.isdigit() else _DIGITS.get(frac, 5)  # 半 is five tenths
                value += tenth / 10
        if value is not None and 34 <= value <= 43:
            values.append(round(value, 1))
    return (values[-1] if last else max(values)) if values else None


_TIMES = re.compile(
    r"(?:每天|一天|一日|每日|天天|今天|一晚上?|每晚|每天晚上|一夜|一宿)"
    r"[^，,。；;0-9一二两三四五六七八九十几好]{0,5}?"
    rf"(?P<num>好几|{NUM})(?P<mod>多|来|余)?(?:次|回|趟|遍)(?![药片粒])")


def times_per_day(text: str) -> int | None:
    """一天拉五六次 → 5: the lower bound, so a summary never overstates what the patient said."""
    for m in _TIMES.finditer(text):
        rng = number_range(m["num"] + (m["mod"] or ""))
        if rng is not None and rng[0] >= 1:
            return int(rng[0])
    return None


_PAIN = "疼|痛|难受|不舒服|晕|痒|胀|闷|酸|麻|恶心|喘|咳|累"
_SEVERITY_WORDS = [
    (10, "一辈子最|这辈子最|从来没有?这么|从没这么|生平最|疼死了?|痛死了?"),
    (9, "剧痛|剧烈|受不了|忍不了|忍受不了|难以忍受|忍不住|打滚|要人?命|要死|刀割|撕裂"),
    (8, f"(?:非常|特别|相当|十分|极其|太)(?:厉害|严重|{_PAIN})|(?:很|好)(?:厉害|严重)"),
    (7, f"(?:很|好|真)(?:{_PAIN})|厉害|严重|(?:{_PAIN})得很"),
    (5, f"(?:有点|有些|比较|挺|蛮)(?:厉害|严重)|(?:比较|挺|蛮|还挺)(?:{_PAIN})|中等"),
    (3, f"(?:没有?|不是)(?:很|那么|太)(?:厉害|严重|{_PAIN})?"
        f"|不(?:太|怎么|是很|那么)(?:{_PAIN}|严重|厉害)|不严重|不厉害|有点|有一点|有些|还好|还行"
        "|能忍"),
    (2, "一点点|轻微|稍微|微微|隐隐"),
    (0, "一点(?:也|都)不(?:疼|痛)|(?<![疼痛])不(?:疼|痛)了?(?![得的])"),
]
_SEVERITY = re.compile("|".join(f"(?P<s{level}>{words})" for level, words in _SEVERITY_WORDS))
_SCORE = re.compile(
    r"(?<!满分)(?<!总分)(?<![0-9.满总])(?P<n>10|[0-9]|[零一二两三四五六七八九十]{1,2})"
    r"(?:分(?![钟之])|/10)")


def severity(text: str, last: bool = False) -> int | None:
    """0–10, only from a score the patient gives (七八分 → 7); words are never turned into a
    number (see `intensity_words`)."""
    scores = []
    for m in _SCORE.finditer(text):
        follow = text[m.end():m.end() + 1]
        if m["n"] == "十" and follow and follow not in "了吧啊左,，。.!！ ":
            continue  # 十分疼: "very", not a score
        rng = number_range(m["n"])
        if rng is not None and 0 <= rng[0] <= 10:
            scores.append(int(rng[0]))
    if not scores:
        return None
    return scores[-1] if last else max(scores)


def intensity_words(text: str) -> str | None:
    """The patient's own words for a marked intensity (疼得受不了, 非常厉害) when no score was
    given: the note quotes them rather than inventing a number."""
    strong = [m for m in _SEVERITY.finditer(text)
              if int(next(k for k, v in m.groupdict().items() if v)[1:]) >= 7]
    return strong[-1][0] if strong else None


# -- habits: how much, how long -----------------------------------------------------------------

_AMOUNT = {
    "smoke": re.compile(rf"(?P<per>每天|一天|天天|每日|一日)?[抽吸了个能要得都]{{0,3}}"
                        rf"(?P<n>{NUM}|半)(?P<more>多)?(?P<u>包|支|根)(?!药)"),
    "alcohol": re.compile(rf"(?P<per>每天|一天|天天|每日|每次|一次|每顿|一顿|每周|一周)?"
                          rf"[喝了个能要得都]{{0,3}}(?P<n>{NUM}|半)(?P<more>多)?"
                          r"(?P<u>两|斤|瓶|杯|听|罐|碗|盅)")}
_DRINK = re.compile(r"白酒|啤酒|红酒|黄酒|葡萄酒|米酒|洋酒")
_PER = {"一天": "每天", "天天": "每天", "每日": "每天", "一日": "每天", "一次": "每次",
        "一顿": "每顿", "一周": "每周"}


def _plain(s: str) -> str:
    """Arabic digits where the patient was exact (二十 → 20, 半 stays 半), his words otherwise."""
    value = parse_chinese_number(s)
    if value is None or (value != 0.5 and not value.is_integer()):
        return s
    return "半" if value == 0.5 else str(int(value))


def _habit_amount(text: str, habit: str) -> str:
    """每天1包 / 每天白酒半斤 for habit "smoke" / "alcohol"; "" when no amount is named."""
    m = _AMOUNT[habit].search(text)
    if not m:
        return ""
    per = _PER.get(m["per"] or "", m["per"] or "")
    drink = _DRINK.search(text) if habit == "alcohol" else None
    return f"{per}{drink[0] if drink else ''}{_plain(m['n'])}{m['u']}{m['more'] or ''}"


def _length_text(q: Quantity, text: str) -> str:
    """二十年 → 20年 for a summary; vague lengths (十几年) keep the patient's words."""
    years = q.value / 365
    exact = not q.approximate and years >= 1 and years.is_integer()
    return f"{int(years)}年" if exact else text[q.start:q.end]


_NEG_VERB = r"(?:不|没有?|从不|从来不|从来没有?|从没|不会|未|无|否认)再?"
_SMOKE_NO = re.compile(rf"{_NEG_VERB}(?:抽|吸)(?![搐筋血风氧气收])过?烟?"
                       r"|烟(?:也|都|从来)?(?:不|没有?)(?:抽|吸|沾|碰)")
_ALCOHOL_NO = re.compile(rf"{_NEG_VERB}(?:喝|饮|沾)过?酒|滴酒不沾"
                         r"|酒(?:也|都|从来)?(?:不|没有?)(?:喝|饮|沾|碰)")
_BOTH_NO = re.compile(r"烟酒(?:都|也|从来|一概)?(?:不|没有?)(?:沾|碰|抽|喝)?|不抽烟?也?不喝"
                      r"|(?:不|没有?|从不|从来不|无)(?:抽烟|吸烟)[和、或及]?(?:喝酒|饮酒)")
_OCCASIONAL = re.compile(
    r"(?:偶尔|有时|很少|不怎么|应酬时?|逢年过节)[^，,。；;]{0,3}?(?P<verb>[抽吸喝饮])")


Topic = tuple[int, int, str]  # span and what is talked about: "smoke", "alcohol", "quit", …


def habits(text: str, topics: list[Topic],
           attached: list[tuple[Topic | None, Quantity]]) -> dict[str, str]:
    """吸烟20年，每天1包 / 不吸烟 / 已戒酒: the plain summary a note-writer would put down.

    `topics` are what the utterance talks about, `attached` each length with its topic (`nlu`
    knows the lexicon and the clauses, so it decides both)."""
    result: dict[str, str] = {}
    for name, topic, word, no in (("smoking", "smoke", "吸烟", _SMOKE_NO),
                                  ("alcohol", "alcohol", "饮酒", _ALCOHOL_NO)):
        amount = _habit_amount(text, topic)
        mine = [t for t in topics if t[2] == topic]
        quits = []  # 戒烟 / 戒酒 / 烟戒了: 戒 names its habit, or follows the habit it ends
        for t in (t for t in topics if t[2] == "quit"):
            prior = [x[2] for x in topics if x[2] in ("smoke", "alcohol") and x[1] <= t[0]]
            named = {"烟": "smoke", "酒": "alcohol"}.get(text[t[1] - 1], "")
            if (named or (prior[-1] if prior else "")) == topic:
                quits.append(t)
        if not mine and not quits and not (topic == "smoke" and amount):
            continue
        years = next((_length_text(q, text) for t, q in attached if t in mine), "")
        quit_years = next((_length_text(q, text) for t, q in attached if t in quits), "")
        if quits:
            result[name] = (f"{word}{years}，" if years else "") + f"已戒{word[1]}{quit_years}"
        elif no.search(text) or _BOTH_NO.search(text):
            result[name] = f"不{word}"
        elif any((m["verb"] in "抽吸") == (topic == "smoke") for m in _OCCASIONAL.finditer(text)):
            result[name] = f"偶尔{word}"
        else:
            result[name] = word + years + (f"，{amount}" if amount else "")
    return result
