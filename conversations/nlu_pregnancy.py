"""Whether the patient says she is pregnant: only a plain statement counts (怀孕了, 孕12周), never
a guess (是不是怀孕了), a denial (没怀孕) or an earlier pregnancy (怀过两次); the pregnancy
redirect must not fire on a guess."""

from __future__ import annotations

import re

PREG_NO = re.compile(r"(?:(?<!有)没有?|不是|未|不可能|不会|没可能|否认|排除了?|不在)在?"
                     r"(?:怀孕|怀上|孕)|没怀|非孕|(?:验孕|测孕|试纸)[^，,。；;]{0,4}"
                     r"(?:阴性|一条杠|没)")
PREG_UNSURE = re.compile(r"(?:不知道|不确定|不清楚|可能|好像|也许|怀疑|是不是|有没有|会不会"
                         r"|担心|怕)[^，,。；;]{0,3}(?:怀孕|怀上|有了)|备孕|想怀孕|要怀孕")
PREG_PAST = re.compile(r"怀孕过|怀过|(?:以前|之前|曾经|上次|上一胎)[^，,。；;]{0,4}怀孕"
                       r"|怀孕[0-9一二两三四五六七八九十几]+次")
PREG_YES = re.compile(r"怀孕|怀上|怀着|孕[0-9一二两三四五六七八九十几]+周|孕期|孕妇|怀二胎"
                      r"|有身孕|有喜了|孕[早中晚]期")


def pregnancy_said(text: str) -> bool | None:
    """Only a plain statement counts; the pregnancy redirect must not fire on a guess."""
    if PREG_NO.search(text):
        return False
    if PREG_UNSURE.search(text) or PREG_PAST.search(text):
        return None  # 可能怀孕了 / 怀过两次: the dialogue has to ask, not assume
    return True if PREG_YES.search(text) else None
