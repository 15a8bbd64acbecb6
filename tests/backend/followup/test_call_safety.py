"""During a follow-up call the assistant's red-flag rules read every answer as they read typed
text, about the resident being called."""

from __future__ import annotations

import datetime as dt

from backend.services.followup.call_safety import assistant_red_flags
from followup.calls.dialogue import CallDialogue
from followup.calls.outcome import Callee, CallStatus


def test_the_assistants_rules_raise_what_the_call_script_does_not_list(ctx):
    check = assistant_red_flags(71, "female")
    bleeding = check("我今天一直流血止不住")
    assert bleeding is not None and bleeding.rule == "heavy_bleeding"
    assert check("血压一百三八十，挺好的") is None
    assert check("没有不舒服") is None


def test_a_call_ends_with_the_120_advice_on_the_assistants_red_flag(ctx):
    resident = Callee(name="刘桂芳", birth_year=1948, age=78,
                      programmes=frozenset({"hypertension"}), centre="东城社区卫生服务中心",
                      doctor="李医生")
    dialogue = CallDialogue(resident, red_flag_check=assistant_red_flags(78, "female"),
                            today=dt.date(2026, 12, 7))
    dialogue.start()
    dialogue.hear("是我")
    dialogue.hear("一九四八年")
    turn = dialogue.hear("胸口像压了块石头，一直出冷汗")
    assert turn.hang_up and "120" in turn.say
    assert dialogue.outcome().status is CallStatus.RED_FLAG
