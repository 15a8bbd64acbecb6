"""Configuration is typed, and production refuses to start on demo secrets."""

from __future__ import annotations

import pytest

from backend import config


def test_defaults_are_the_embedded_demo():
    settings = config.load({})
    assert settings["JOBS_INLINE"] is True
    assert settings["DATABASE_URL"].startswith("sqlite")


def test_bad_values_name_the_setting():
    with pytest.raises(config.ConfigError, match="SESSION_TTL_HOURS"):
        config.load({"SESSION_TTL_HOURS": "three"})
    with pytest.raises(config.ConfigError, match="RATELIMIT_ENABLED"):
        config.load({"RATELIMIT_ENABLED": "maybe"})


def test_production_refuses_demo_secrets_and_embedded_mode():
    with pytest.raises(config.ConfigError) as excinfo:
        config.load({"FRONTDOOR_ENV": "production"})
    message = str(excinfo.value)
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_HMAC_KEYS",
                 "REDIS_URL", "DATABASE_URL", "WECOM_SECRET"):
        assert name in message  # WeCom: critical values must reach clinicians


def test_production_starts_with_real_settings():
    settings = config.load({
        "FRONTDOOR_ENV": "production", "SECRET_KEY": "s" * 40,
        "FIELD_ENCRYPTION_KEYS": "k1:" + "ab" * 16, "FIELD_ENCRYPTION_KEY_ID": "k1",
        "BLIND_INDEX_KEY": "b" * 32, "WECHAT_APP_SECRET": "w" * 32,
        "AUDIT_HMAC_KEYS": "a1:" + "cd" * 32, "AUDIT_HMAC_KEY_ID": "a1",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "WECOM_CORP_ID": "ww0123456789abcdef", "WECOM_AGENT_ID": "1000002",
        "WECOM_SECRET": "s" * 43,
        "DATABASE_URL": "postgresql://db/frontdoor"})
    assert settings["JOBS_INLINE"] is False
    assert config.sqlalchemy_url(settings["DATABASE_URL"]).startswith("postgresql+psycopg://")


@pytest.mark.parametrize(("keys", "key_id"), [
    ("a1:abcd", "a1"),  # too short
    ("a1:" + "zz" * 32, "a1"),  # not hex
    ("a1:" + "cd" * 32, "a2"),  # the current id has no key
])
def test_audit_keys_are_checked_at_start_up(keys, key_id):
    with pytest.raises(config.ConfigError, match="AUDIT_HMAC_KEYS"):
        config.load({"AUDIT_HMAC_KEYS": keys, "AUDIT_HMAC_KEY_ID": key_id})
