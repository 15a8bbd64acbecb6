"""Recognised text made comparable with what patients type: simplified characters, Arabic numbers.

Whisper writes a mix of traditional and simplified characters and of Chinese and Arabic numerals
("血壓145-88", "一百四十五八十八"). OpenCC turns traditional into simplified; numerals are
converted with cn2an, but only where they are clearly numbers (a unit such as 十/百, or a counter
such as 岁/天/次 after them), because blind conversion turns 二甲双胍 into "2甲双胍" and 一下 into
"1下". A spoken blood-pressure pair (一百四十五八十八) becomes two numbers "145/88".
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_DIGIT = "零〇一二两三四五六七八九"
_DIGIT_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                 "七": 7, "八": 8, "九": 9}
# One Chinese number below ten thousand, read the way people say it: 一百四十五, 八十八, 一千零二.
_ONE_NUMBER = re.compile(
    rf"(?:[{_DIGIT}]千)?(?:零?[{_DIGIT}]百)?(?:零?[{_DIGIT}]?十)?(?:零?[{_DIGIT}](?![十百千]))?")
_RUN = re.compile(rf"[{_DIGIT}十百千]+")
# Counters that make a bare digit a number: 三天, 五次, 七十二岁, 十二月, 两片.
_COUNTERS = ("岁", "天", "次", "月", "日", "号", "年", "周", "个", "片", "粒", "颗", "支", "毫",
             "克", "斤", "公斤", "小时", "分钟", "度", "点", "层", "楼", "床", "杯", "口", "顿")
# Words whose numeral is part of the word, never a quantity.
_LEXICAL = ("二甲双胍", "一下", "一点点", "一点儿", "一些", "一直", "一起", "一般", "一样", "一定",
            "一会", "一阵", "一边", "三七", "六味", "一切", "一旦", "万一", "十分", "一天到晚",
            "一动", "一吃", "一躺", "一走", "一站", "一蹲", "一上", "一喝", "一用")
_PUNCTUATION = re.compile(r"[\s，。！？、；：,.!?;:\"'“”‘’（）()《》【】\[\]…—~-]+")
_DASHED_PAIR = re.compile(r"(\d{2,3})\s*[-—~到]\s*(\d{2,3})")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _converter():
    import opencc  # imported on first use: the text-only paths of the app never need it

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    with _lock:  # OpenCC's converter object is not documented as thread-safe
        return _converter().convert(text)


def _numbers_in(run: str) -> list[str] | None:
    """`run` split into consecutive well-formed Chinese numbers, or None if it does not split."""
    import cn2an

    pieces: list[str] = []
    position = 0
    while position < len(run):
        match = _ONE_NUMBER.match(run, position)
        if not match or match.end() == position:
            return None
        piece = match.group()
        try:
            pieces.append(str(int(cn2an.cn2an(piece.replace("两", "二"), "smart"))))
        except ValueError:
            return None
        position = match.end()
    return pieces


def _inside_word(text: str, start: int, end: int) -> bool:
    """True when text[start:end] overlaps a word such as 二甲双胍 whose numeral is not a number."""
    for word in _LEXICAL:
        for found in re.finditer(re.escape(word), text):
            if found.start() < end and start < found.end():
                return True
    return False


def _convert_run(text: str, match: re.Match[str]) -> str:
    run = match.group()
    start, end = match.span()
    if _inside_word(text, start, end):
        return run
    if len(run) > 1 and all(c in _DIGIT for c in run):  # 二零二六: read digit by digit
        return "".join(str(_DIGIT_VALUES[c]) for c in run)
    followed_by_counter = text[end:].startswith(_COUNTERS)
    has_unit = any(unit in run for unit in "十百千")
    if not (has_unit or followed_by_counter):
        return run
    numbers = _numbers_in(run)
    if not numbers:
        return run
    return "/".join(numbers)


def numbers_to_digits(text: str) -> str:
    """Clear Chinese numerals as Arabic numbers; 一百四十五八十八 → 145/88; 145-88 → 145/88."""
    converted = _RUN.sub(lambda m: _convert_run(text, m), text)
    return _DASHED_PAIR.sub(r"\1/\2", converted)


def normalise_transcript(text: str) -> str:
    """What a recognizer heard, as the assistant reads typed text."""
    return numbers_to_digits(to_simplified(text.strip()))


def comparable(text: str) -> str:
    """Text stripped of punctuation and spaces, for character error rates."""
    return _PUNCTUATION.sub("", normalise_transcript(text))
