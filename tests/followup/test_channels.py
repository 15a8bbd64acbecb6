"""Which channel reminds a resident: consent and reachability decide, in the order the channels
file sets for each reminder; nobody reachable stays with the doctor."""

from __future__ import annotations

import datetime as dt

import pytest

from followup import RulesError
from followup.channels import Reach, channel_rules, choose_channel, fallback_channel

ALL = frozenset({"miniprogram", "sms", "ai_call"})
APP = Reach(miniprogram_consent=True, phone_reachable=True, sms_consent=True, call_consent=True)
PHONE_ONLY = Reach(phone_reachable=True, sms_consent=True, call_consent=True)


@pytest.mark.parametrize(("kind", "reach", "available", "expected"), [
    ("followup_due", APP, ALL, "miniprogram"),
    ("followup_due", PHONE_ONLY, ALL, "sms"),
    ("followup_due", Reach(phone_reachable=True, call_consent=True), ALL, "ai_call"),
    ("followup_due", Reach(sms_consent=True, call_consent=True), ALL, None),  # no phone
    ("followup_due", Reach(phone_reachable=True), ALL, None),  # no consent
    ("followup_due", PHONE_ONLY, frozenset({"miniprogram"}), None),  # SMS not set up
    ("followup_overdue", APP, ALL, "ai_call"),
    ("followup_overdue", APP, frozenset({"miniprogram", "sms"}), "sms"),  # no call placer
    ("followup_overdue", Reach(miniprogram_consent=True), ALL, "miniprogram"),
])
def test_first_channel_the_resident_allows_and_the_hospital_offers(kind, reach, available,
                                                                   expected):
    assert choose_channel(kind, reach, available).channel == expected


def test_the_reason_says_why_nobody_was_messaged():
    choice = choose_channel("followup_due", Reach(phone_reachable=True), frozenset({"sms"}))
    assert choice.channel is None
    assert "小程序订阅消息未开通" in choice.why and "sms_consent" in choice.why
    assert choice.why.endswith("由责任医生联系")


def test_the_channels_file_names_its_edition_and_source():
    rules = channel_rules()
    assert rules.effective >= dt.date(2026, 12, 1)
    assert "个人信息保护法" in rules.source and rules.edition


def test_a_mistyped_channels_file_is_refused_with_the_entry_named(tmp_path):
    bad = tmp_path / "channels.yaml"
    bad.write_text("edition: x\neffective: 2026-12-06\nsource: y\nchannels:\n"
                   "  sms: {name: 短信, needs: [phone_reachable, fax_consent]}\n"
                   "order: {followup_due: [sms], followup_overdue: [sms]}\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"channels.yaml: channels.sms.needs"):
        channel_rules(bad)
    with pytest.raises(ValueError, match="unknown reminder"):
        choose_channel("birthday", APP, ALL)


@pytest.mark.parametrize(("kind", "reach", "expected"), [
    # due: miniprogram, sms, ai_call → after sms only the call is left
    ("followup_due", Reach(True, True, True, True), "ai_call"),
    ("followup_due", Reach(True, True, True, False), None),  # never back to the app
    # overdue: ai_call, sms, miniprogram → after sms only the app is left
    ("followup_overdue", Reach(True, True, True, True), "miniprogram"),
    ("followup_overdue", Reach(False, True, True, True), None),
])
def test_an_undelivered_text_passes_on_only_to_a_later_channel(kind, reach, expected):
    choice = fallback_channel(kind, "sms", reach, ALL)
    assert choice.channel == expected
    assert choice.why.startswith("短信未送达")
    if expected is None:
        assert choice.why.endswith("由责任医生联系")
