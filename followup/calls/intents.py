"""What a resident meant by one answer on the phone (意图识别), from the recognised text.

Call-control intents come first, whatever was asked: a resident who says "明天下午再打" or "你打错
了" in answer to a blood-pressure question is not giving a reading. Then the answer is read as
the question expects it: yes/no, a blood-pressure pair, a glucose value, a year, adherence.
Deterministic and small on purpose: every answer that changes what happens next is listed here
and tested in the team's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from followup.calls.numbers import SpokenNumber, find_numbers


class IntentKind(StrEnum):
    YES = "yes"
    NO = "no"
    BLOOD_PRESSURE = "blood_pressure"  # value: (systolic, diastolic or None)
    GLUCOSE = "glucose"  # value: mmol/L
    YEAR = "year"  # value: a four-digit year
    ADHERENCE = "adherence"  # value: regular | intermittent | none
    NOT_MEASURED = "not_measured"  # 今天没量
    RESCHEDULE = "reschedule"  # value: Reschedule
    ASK_PERSON = "ask_person"  # 转人工 / 找医生
    WRONG_PERSON = "wrong_person"  # 打错了 / 不是我
    REFUSE = "refuse"  # 不需要 / 别打了
    HANG_UP = "hang_up"  # 再见 / 挂了
    UNCLEAR = "unclear"
    SILENCE = "silence"


class Expect(StrEnum):
    """What the question just asked expects."""

    YES_NO = "yes_no"
    YEAR = "year"
    BLOOD_PRESSURE = "blood_pressure"
    DIASTOLIC = "diastolic"
    GLUCOSE = "glucose"
    ADHERENCE = "adherence"
    FREE = "free"


@dataclass(frozen=True)
class Reschedule:
    """When the resident asked to be called again: days from today and the part of the day
    (morning | noon | afternoon | evening), each None when not said."""

    day_offset: int | None
    period: str | None


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    value: object = None
    words: str = ""  # the part of the utterance that decided it
    extra: dict = field(default_factory=dict)


_HANG_UP = re.compile(r"再见|拜拜|挂了|挂电话|不说了|先这样吧")
_WRONG = re.compile(r"打错了?|找错人|不是(?:我|本人)|我不是(?:他|她|本人)|没(?:有)?(?:这个|这)人|"
                    r"不认识(?:这个人|他|她)|你找错|我是(?:他|她)的?(?:老伴|爱人|儿子|女儿|家属|"
                    r"孙子|孙女|保姆|邻居)|(?:他|她)(?:现在)?不在")
_REFUSE = re.compile(r"不需要|不用(?:了|随访|打)|别(?:再)?打(?:了|来)|不要(?:再)?打|"
                     r"不想(?:说|回答|做)|"
                     r"不愿意|不回答|没兴趣|骚扰|不接受")
_ASK_PERSON = re.compile(r"转人工|人工(?:服务|客服)?|真人|找(?:我的|家庭)?医生|让医生|"
                         r"跟医生说|和医生说|医生(?:给我|跟我)?(?:打|回)电话|你是机器人")
_LATER = re.compile(r"再打|再来电话|再联系|再说吧|打过来|晚点|晚些|等会儿?|一会儿|改天|回头|"
                    r"不方便|在忙|正忙|开车|在外面|没空")
_DAYS = (("大后天", 3), ("后天", 2), ("明天", 1), ("明儿", 1), ("今天", 0), ("过两天", 2),
         ("过几天", 3), ("下周", 7), ("下个星期", 7), ("下星期", 7))
_PERIODS = (("上午", "morning"), ("早上", "morning"), ("中午", "noon"), ("下午", "afternoon"),
            ("傍晚", "evening"), ("晚上", "evening"))
_NOT_MEASURED = re.compile(r"(?:没|沒|未|忘了?|还没)(?:有)?(?:量|测|查)|没(?:有)?(?:血压计|血糖仪)")
_YES = re.compile(r"^(?:嗯+|对+|是+|好+|有+|行|可以|没错|是的|对的|对啊|是啊|是我|我是|本人|吃了|"
                  r"量了|测了|按时|一直吃|每天都吃|都吃|没问题|有的)|(?<!不)是的|(?<![不没])对|"
                  r"(?<![没沒])有(?:过|点|些|时|几次|一次|两次)|偶尔")
_NO = re.compile(r"^(?:不|没|沒|无|否|哪有|从来?没|从不|也没)|没有|不是|不对|没事|没什么|"
                 r"不(?:太)?(?:疼|痛|晕|闷|慌)")
_INTERMITTENT = re.compile(r"有时|偶尔|经常忘|老忘|忘了?(?:几|一|两)|不太按时|不按时|差不多吧|"
                           r"时吃时不吃|想起来")
_STOPPED = re.compile(r"(?:没|不|停|沒)(?:有)?(?:吃|用)了?药?|停(?:了|药)|不吃了|早就不吃")
_REGULAR = re.compile(r"(?<![不没])按时|每天|天天|一直(?:在)?吃|都(?:在)?吃|规律|"
                      r"一顿不落|没落下")
_HIGH_LABEL = re.compile(r"高压|收缩压|上面|上压")
_LOW_LABEL = re.compile(r"低压|舒张压|下面|下压")
_PULSE_LABEL = re.compile(r"心率|脉搏|心跳")
SYSTOLIC_RANGE = (60, 260)
DIASTOLIC_RANGE = (30, 160)
GLUCOSE_RANGE = (1.0, 35.0)


def recognise(text: str, expect: Expect = Expect.FREE, *, this_year: int = 2026) -> Intent:
    """The resident's intent in `text`, read as an answer to a question expecting `expect`."""
    said = re.sub(r"\s+", "", text or "")
    if not said:
        return Intent(IntentKind.SILENCE)
    control = _control(said, expect)
    if control is not None:
        return control
    reader = _READERS.get(expect)
    if reader is not None:
        found = reader(said, this_year) if expect is Expect.YEAR else reader(said)
        if found is not None:
            return found
    return _yes_no(said) or Intent(IntentKind.UNCLEAR, words=said)


def _control(said: str, expect: Expect) -> Intent | None:
    if match := _WRONG.search(said):
        return Intent(IntentKind.WRONG_PERSON, words=match.group())
    if match := _REFUSE.search(said):
        return Intent(IntentKind.REFUSE, words=match.group())
    if match := _ASK_PERSON.search(said):
        return Intent(IntentKind.ASK_PERSON, words=match.group())
    if match := _LATER.search(said):
        return Intent(IntentKind.RESCHEDULE, _when(said), words=match.group())
    if match := _HANG_UP.search(said):
        return Intent(IntentKind.HANG_UP, words=match.group())
    if expect in (Expect.BLOOD_PRESSURE, Expect.DIASTOLIC, Expect.GLUCOSE) and (
            match := _NOT_MEASURED.search(said)):
        return Intent(IntentKind.NOT_MEASURED, words=match.group())
    return None


def _when(said: str) -> Reschedule:
    day = next((offset for word, offset in _DAYS if word in said), None)
    period = next((name for word, name in _PERIODS if word in said), None)
    return Reschedule(day, period)


def _yes_no(said: str) -> Intent | None:
    no, yes = _NO.search(said), _YES.search(said)
    if no and (not yes or no.start() <= yes.start()):
        return Intent(IntentKind.NO, words=no.group())
    if yes:
        return Intent(IntentKind.YES, words=yes.group())
    return None


def read_blood_pressure(said: str) -> Intent | None:
    """A blood-pressure pair: labelled (高压一百五低压九十) or in order (一百四十五八十八)."""
    numbers = [part for n in find_numbers(said) if not _labelled(said, n, _PULSE_LABEL)
               for part in _split_pair(said, n)]
    if not numbers:
        return None
    high = next((n for n in numbers if _labelled(said, n, _HIGH_LABEL)), None)
    low = next((n for n in numbers if _labelled(said, n, _LOW_LABEL)), None)
    labelled = high is not None and low is not None
    rest = [n for n in numbers if n is not high and n is not low]
    if high is None and rest:
        high = rest.pop(0)
    if low is None and rest:
        low = rest.pop(0)
    if high is None:
        return _diastolic_only(said, low)
    systolic = high.value
    diastolic = low.value if low is not None else None
    if not labelled and diastolic is not None and diastolic > systolic and _within(
            diastolic, SYSTOLIC_RANGE):
        systolic, diastolic = diastolic, systolic
    if not _within(systolic, SYSTOLIC_RANGE):
        return None
    if diastolic is not None and not _within(diastolic, DIASTOLIC_RANGE):
        diastolic = None  # misheard: the caller asks for the low number again
    return Intent(IntentKind.BLOOD_PRESSURE, (int(systolic), _int(diastolic)), words=said)


def _split_pair(said: str, number: SpokenNumber) -> list[SpokenNumber]:
    """A recogniser writes "一百三十八，八十六" as 138.86: a blood pressure cannot have
    decimals, so a decimal point between two plausible readings separates them."""
    text = said[number.start:number.end]
    whole, dot, fraction = text.replace("点", ".").partition(".")
    if not dot or not whole.isdigit() or not fraction.isdigit() or len(fraction) < 2:
        return [number]
    high, low = float(whole), float(fraction)
    if _within(high, SYSTOLIC_RANGE) and _within(low, DIASTOLIC_RANGE):
        middle = number.start + len(whole)
        return [SpokenNumber(high, number.start, middle, True),
                SpokenNumber(low, middle + 1, number.end, True)]
    return [number]


def read_diastolic(said: str) -> Intent | None:
    """The low number alone, after the caller asked for it ("九十")."""
    numbers = find_numbers(said)
    if len(numbers) >= 2:
        return read_blood_pressure(said)
    if numbers and _within(numbers[0].value, DIASTOLIC_RANGE):
        return Intent(IntentKind.BLOOD_PRESSURE, (None, int(numbers[0].value)), words=said)
    return None


def _diastolic_only(said: str, low: SpokenNumber | None) -> Intent | None:
    if low is None or not _within(low.value, DIASTOLIC_RANGE):
        return None
    return Intent(IntentKind.BLOOD_PRESSURE, (None, int(low.value)), words=said)


def read_glucose(said: str) -> Intent | None:
    """A glucose value in mmol/L ("七点八", "8.2", "八个多" → 8)."""
    for number in find_numbers(said):
        if _within(number.value, GLUCOSE_RANGE):
            return Intent(IntentKind.GLUCOSE, number.value, words=said)
    return None


def read_year(said: str, this_year: int) -> Intent | None:
    """A birth year: 1958, 一九五八, 五八年 (two digits: the 1900s or 2000s, not in the future)."""
    for number in find_numbers(said):
        value = int(number.value)
        if number.value != value:
            continue
        if 1900 <= value <= this_year:
            return Intent(IntentKind.YEAR, value, words=said)
        if number.digits_read and 0 <= value <= 99 and "年" in said[number.end:number.end + 2]:
            year = 2000 + value if 2000 + value <= this_year - 18 else 1900 + value
            return Intent(IntentKind.YEAR, year, words=said)
    return None


def read_adherence(said: str) -> Intent | None:
    """服药依从性 of the record form: regular (规律), intermittent (间断), none (不服药)."""
    if match := _INTERMITTENT.search(said):
        return Intent(IntentKind.ADHERENCE, "intermittent", words=match.group())
    if match := _STOPPED.search(said):
        return Intent(IntentKind.ADHERENCE, "none", words=match.group())
    if match := _REGULAR.search(said):
        return Intent(IntentKind.ADHERENCE, "regular", words=match.group())
    answer = _yes_no(said)
    if answer is not None and answer.kind is IntentKind.YES:
        return Intent(IntentKind.ADHERENCE, "regular", words=answer.words)
    if answer is not None and answer.kind is IntentKind.NO:
        return Intent(IntentKind.ADHERENCE, "intermittent", words=answer.words)
    return None


def _labelled(said: str, number: SpokenNumber, label: re.Pattern[str]) -> bool:
    """The label (高压, 低压, 脉搏) stands right before the number."""
    before = said[max(0, number.start - 5):number.start]
    hits = list(label.finditer(before))
    if not hits:
        return False
    between = before[hits[-1].end():]
    return not find_numbers(between)


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


_READERS = {Expect.BLOOD_PRESSURE: read_blood_pressure, Expect.DIASTOLIC: read_diastolic,
            Expect.GLUCOSE: read_glucose, Expect.YEAR: read_year,
            Expect.ADHERENCE: read_adherence}
