"""What a resident means on the phone, in the ways our residents actually answer."""

from __future__ import annotations

import pytest

from followup.calls.intents import Expect, IntentKind, Reschedule, recognise
from followup.calls.numbers import find_numbers


@pytest.mark.parametrize(("said", "values"), [
    ("一百四十五八十八", [145, 88]),
    ("一百五八十", [150, 80]),
    ("一百零五", [105]),
    ("一百二十", [120]),
    ("两百", [200]),
    ("七点八", [7.8]),
    ("十二点五", [12.5]),
    ("一九五八年", [1958]),
    ("一千九百五十八", [1958]),
    ("１４５／８８", [145, 88]),
    ("量了，高压138，低压86，心跳七十", [138, 86, 70]),
])
def test_numbers_are_read_as_spoken(said, values):
    assert [n.value for n in find_numbers(said)] == values


@pytest.mark.parametrize(("said", "pair"), [
    ("一百四十五八十八", (145, 88)),
    ("今天量的是一百三十二，八十四", (132, 84)),
    ("高压一百五低压九十", (150, 90)),
    ("低压是九十二，高压一百六", (160, 92)),
    ("上面一百四下面八十五", (140, 85)),
    ("早上量了145/88，脉搏72", (145, 88)),
    ("一百二八十", (120, 80)),
    ("八十一百三", (130, 80)),  # said low first without labels: the larger is the high one
])
def test_blood_pressure_pairs(said, pair):
    intent = recognise(said, Expect.BLOOD_PRESSURE)
    assert intent.kind is IntentKind.BLOOD_PRESSURE
    assert intent.value == pair


def test_half_a_blood_pressure_keeps_the_high_number_and_asks_for_the_low():
    assert recognise("一百四", Expect.BLOOD_PRESSURE).value == (140, None)
    assert recognise("九十", Expect.DIASTOLIC).value == (None, 90)


def test_numbers_that_cannot_be_a_blood_pressure_are_not_taken_as_one():
    assert recognise("三十五", Expect.BLOOD_PRESSURE).kind is IntentKind.UNCLEAR
    assert recognise("一千二", Expect.BLOOD_PRESSURE).kind is IntentKind.UNCLEAR


@pytest.mark.parametrize(("said", "value"), [
    ("七点八", 7.8), ("血糖是6.2", 6.2), ("空腹八点一个", 8.1), ("大概九个多吧", 9.0),
])
def test_glucose_values(said, value):
    intent = recognise(said, Expect.GLUCOSE)
    assert (intent.kind, intent.value) == (IntentKind.GLUCOSE, value)


@pytest.mark.parametrize("said", ["今天还没量", "这两天没测", "家里没有血压计", "忘了量了"])
def test_not_measured(said):
    assert recognise(said, Expect.BLOOD_PRESSURE).kind is IntentKind.NOT_MEASURED


@pytest.mark.parametrize(("said", "year"), [
    ("一九五八年", 1958), ("我是五八年的", 1958), ("1949年生的", 1949), ("四九年", 1949),
])
def test_birth_years(said, year):
    intent = recognise(said, Expect.YEAR, this_year=2026)
    assert (intent.kind, intent.value) == (IntentKind.YEAR, year)


@pytest.mark.parametrize(("said", "kind"), [
    ("是我", IntentKind.YES), ("嗯，对", IntentKind.YES), ("对的对的", IntentKind.YES),
    ("是的，我就是", IntentKind.YES), ("没有", IntentKind.NO), ("不是", IntentKind.NO),
    ("没有什么不舒服", IntentKind.NO), ("不对", IntentKind.NO),
])
def test_yes_and_no(said, kind):
    assert recognise(said, Expect.YES_NO).kind is kind


@pytest.mark.parametrize(("said", "when"), [
    ("明天下午再打吧", Reschedule(1, "afternoon")),
    ("我在外面，晚上再说吧", Reschedule(None, "evening")),
    ("后天上午打过来", Reschedule(2, "morning")),
    ("现在正忙着呢", Reschedule(None, None)),
    ("下周再联系我", Reschedule(7, None)),
])
def test_reschedule_whatever_was_asked(said, when):
    intent = recognise(said, Expect.BLOOD_PRESSURE)
    assert (intent.kind, intent.value) == (IntentKind.RESCHEDULE, when)


@pytest.mark.parametrize(("said", "kind"), [
    ("你打错了吧", IntentKind.WRONG_PERSON),
    ("不是我，我是他女儿", IntentKind.WRONG_PERSON),
    ("我们家没这个人", IntentKind.WRONG_PERSON),
    ("他现在不在", IntentKind.WRONG_PERSON),
    ("给我转人工", IntentKind.ASK_PERSON),
    ("我想跟医生说", IntentKind.ASK_PERSON),
    ("你是机器人吗", IntentKind.ASK_PERSON),
    ("不需要，以后别打了", IntentKind.REFUSE),
    ("我不想回答", IntentKind.REFUSE),
    ("好了好了，挂了", IntentKind.HANG_UP),
    ("就这样，再见", IntentKind.HANG_UP),
])
def test_call_control_wins_over_the_answer(said, kind):
    assert recognise(said, Expect.BLOOD_PRESSURE).kind is kind


@pytest.mark.parametrize(("said", "adherence"), [
    ("天天都按时吃", "regular"), ("是的", "regular"), ("有时候忘了吃", "intermittent"),
    ("偶尔漏一次", "intermittent"), ("早就不吃了", "none"), ("停药半个月了", "none"),
])
def test_medication_adherence(said, adherence):
    intent = recognise(said, Expect.ADHERENCE)
    assert (intent.kind, intent.value) == (IntentKind.ADHERENCE, adherence)


def test_silence_is_its_own_intent():
    assert recognise("  ", Expect.YES_NO).kind is IntentKind.SILENCE
