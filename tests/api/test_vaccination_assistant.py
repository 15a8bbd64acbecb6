"""The parent asks the assistant "下次打什么疫苗" and hears the schedule's answer for that child;
a danger sign in the same message still comes first."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from backend.services.vaccination.assistant import asks_about_schedule
from tests import factories as f
from tests.vaccination_support import clinic, family, give

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _ask(client, headers, patient_id, text):
    started = client.post("/api/v1/mp/conversations", headers=headers,
                          json={"patient_id": patient_id, "mode": "triage"})
    assert started.status_code == 201, started.json
    reply = client.post(f"/api/v1/mp/conversations/{started.json['data']['id']}/messages",
                        headers=headers, json={"text": text})
    assert reply.status_code == 200, reply.json
    return reply.json["data"]


@pytest.mark.parametrize("text", ["孩子下次打什么疫苗？", "下次打什么", "孩子该打什么疫苗了",
                                  "宝宝什么时候打下一针", "还有哪些疫苗没打", "接下来要打哪几针"])
def test_the_ways_parents_ask_are_recognised(text):
    assert asks_about_schedule(text)


@pytest.mark.parametrize("text", ["想打HPV疫苗", "打完疫苗发烧了", "孩子咳嗽三天了",
                                  "打了疫苗以后腿肿了"])
def test_other_messages_are_not_taken_for_the_question(text):
    assert not asks_about_schedule(text)


def test_the_answer_comes_from_the_childs_record(client, ctx):
    kid, at = family(), clinic()
    for vaccine, dose, day in (("HepB", 1, "2026-06-01"), ("BCG", 1, "2026-06-02"),
                               ("HepB", 2, "2026-07-01")):
        give(client, at, kid, vaccine, dose, day)
    turn = _ask(client, kid.headers, kid.child_id, "孩子下次打什么疫苗？")
    assert turn["red_flag"] is None
    assert "现在就可以打的：乙肝疫苗第3剂、脊灰疫苗第1剂、百白破疫苗第1剂、A群流脑多糖疫苗第1剂。" \
        in turn["text"]
    assert "下一次：2027年1月2日起可以打" in turn["text"]
    assert "没太听明白" not in turn["text"] and "接种门诊医生" in turn["text"]


def test_without_records_it_says_so_and_counts_from_the_birth_date(client, ctx):
    kid = family(birth=date(2026, 10, 1))
    turn = _ask(client, kid.headers, kid.child_id, "该打什么疫苗了")
    assert turn["text"].startswith("我们这里还没有小明的接种记录")
    assert "乙肝疫苗第1剂" in turn["text"]  # 出生时: due from birth


def test_a_danger_sign_in_the_same_message_wins(client, ctx):
    kid = family()
    turn = _ask(client, kid.headers, kid.child_id, "孩子发烧抽搐了，下次打什么疫苗")
    assert turn["red_flag"] is not None
    assert "现在就可以打的" not in turn["text"]


def test_a_symptom_in_the_same_message_keeps_the_interview_going(client, ctx):
    kid = family()
    turn = _ask(client, kid.headers, kid.child_id, "孩子咳嗽两天了，下次打什么疫苗")
    answer, interview = turn["text"].split("\n\n")
    assert "现在就可以打的" in answer
    assert interview == "好的。孩子呼吸怎么样？"  # the cough interview's next question


def test_an_adult_hears_the_programme_is_for_children(client, ctx):
    acct = f.account()
    me = f.profile(acct, name="张伟")
    turn = _ask(client, f.bearer(f.account_token(acct)), str(me.external_id), "我该打什么疫苗")
    assert "18岁以下儿童" in turn["text"]
