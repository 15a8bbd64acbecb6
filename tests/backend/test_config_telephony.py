"""The AI caller's settings refuse what cannot work, naming the setting."""

from __future__ import annotations

import pytest

from backend import config

ALIYUN = {"TELEPHONY_PROVIDER": "aliyun", "ALIYUN_VMS_ACCESS_KEY_ID": "LTAI-x",
          "ALIYUN_VMS_ACCESS_KEY_SECRET": "secret", "ALIYUN_VMS_CALLBACK_TOKEN": "token",
          "REDIS_URL": "redis://127.0.0.1:6379/0"}


def test_calls_are_off_by_default():
    assert config.load({})["TELEPHONY_PROVIDER"] == ""


@pytest.mark.parametrize(("settings", "named"), [
    ({"TELEPHONY_PROVIDER": "twilio"}, "TELEPHONY_PROVIDER"),
    ({"TELEPHONY_PROVIDER": "freeswitch", "FREESWITCH_DIAL_STRING": "sofia/gateway/trunk"},
     "FREESWITCH_DIAL_STRING"),
    ({"CALL_AUDIO_BIND": "9099"}, "CALL_AUDIO_BIND"),
    ({**ALIYUN, "ALIYUN_VMS_CALLBACK_TOKEN": ""}, "ALIYUN_VMS_CALLBACK_TOKEN"),
    ({**ALIYUN, "REDIS_URL": ""}, "REDIS_URL"),
    ({"CALLS_PER_DISPATCH": "0"}, "CALLS_PER_DISPATCH"),
])
def test_settings_that_cannot_work_are_refused(settings, named):
    with pytest.raises(config.ConfigError, match=named):
        config.load(settings)


def test_a_complete_aliyun_setting_loads():
    assert config.load(ALIYUN)["TELEPHONY_PROVIDER"] == "aliyun"
