"""Which channel reminds a resident of a follow-up (随访提醒渠道), by consent and reachability.

The channels, what each needs and their order per reminder are data (`data/channels.yaml`).
`choose_channel` is the reference for one resident; the backend's set-based reminder queue
builds the same choice in SQL from the same `ChannelRules` and is tested against it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from followup.rules import RulesError

CHANNELS_FILE = Path(__file__).resolve().parent / "data" / "channels.yaml"
CHANNEL_IDS = ("miniprogram", "sms", "ai_call")
REMINDER_KINDS = ("followup_due", "followup_overdue")
# What a channel may need; each is one fact about the resident (see `Reach`).
NEEDS = ("miniprogram_consent", "phone_reachable", "sms_consent", "call_consent")


@dataclass(frozen=True)
class Reach:
    """What is known about reaching one resident.

    miniprogram_consent: the resident uses the mini-program and has a follow-up
    subscribe-message grant left; phone_reachable: a phone number on file that has not been
    reported out of service; sms_consent / call_consent: the resident agreed to texts / calls."""

    miniprogram_consent: bool = False
    phone_reachable: bool = False
    sms_consent: bool = False
    call_consent: bool = False


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    needs: tuple[str, ...]


@dataclass(frozen=True)
class ChannelChoice:
    channel: str | None  # None: no channel; the task stays with the doctor on the worklist
    why: str


@dataclass(frozen=True)
class ChannelRules:
    edition: str
    effective: dt.date
    source: str
    channels: dict[str, Channel]
    order: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class CallRequest:
    """The hand-off to the AI phone call (智能外呼, built in `followup.calls`): whom to call,
    about which follow-up. `contact_id` is the outbox row's public id; the call reports back
    against it."""

    contact_id: str
    kind: str  # followup_due | followup_overdue
    resident_name: str
    phone: str
    centre_name: str
    due_on: dt.date


def choose_channel(kind: str, reach: Reach, available: frozenset[str],
                   rules: ChannelRules | None = None) -> ChannelChoice:
    """The first channel of the kind's order that the hospital has set up (`available`) and
    whose needs the resident meets."""
    rules = rules or channel_rules()
    if kind not in rules.order:
        raise ValueError(f"kind: unknown reminder {kind!r}")
    skipped = []
    for channel_id in rules.order[kind]:
        channel = rules.channels[channel_id]
        if channel_id not in available:
            skipped.append(f"{channel.name}未开通")
            continue
        missing = [need for need in channel.needs if not getattr(reach, need)]
        if not missing:
            return ChannelChoice(channel_id, f"{channel.name}：居民已同意且可送达")
        skipped.append(f"{channel.name}不可用（{'、'.join(missing)}）")
    return ChannelChoice(None, "；".join([*skipped, "由责任医生联系"]))


def fallback_channel(kind: str, failed: str, reach: Reach, available: frozenset[str],
                     rules: ChannelRules | None = None) -> ChannelChoice:
    """After `failed` could not deliver (an SMS the carrier reports undelivered): the next
    channel of the kind's order after it that the resident allows, never one before it (those
    were passed over when the reminder was first chosen), else the doctor."""
    rules = rules or channel_rules()
    order = rules.order.get(kind)
    if order is None or failed not in order:
        raise ValueError(f"{kind}: {failed!r} is not one of its channels")
    later = ChannelRules(rules.edition, rules.effective, rules.source, rules.channels,
                         {**rules.order, kind: order[order.index(failed) + 1:]})
    choice = choose_channel(kind, reach, available, later)
    failed_name = rules.channels[failed].name
    return ChannelChoice(choice.channel, f"{failed_name}未送达；{choice.why}")


@cache
def channel_rules(path: Path = CHANNELS_FILE) -> ChannelRules:
    """Load and check the channels file; a mistake names the file and the entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        channels = {}
        for channel_id, spec in data["channels"].items():
            if channel_id not in CHANNEL_IDS:
                raise RulesError(f"{path.name}: channels.{channel_id}: unknown channel")
            needs = tuple(spec["needs"])
            unknown = [need for need in needs if need not in NEEDS]
            if unknown or not needs:
                raise RulesError(f"{path.name}: channels.{channel_id}.needs: {unknown or 'empty'}")
            channels[channel_id] = Channel(channel_id, str(spec["name"]), needs)
        order = {}
        for kind in REMINDER_KINDS:
            ids = tuple(data["order"][kind])
            wrong = [i for i in ids if i not in channels] or (
                ["duplicate"] if len(set(ids)) != len(ids) else [])
            if wrong:
                raise RulesError(f"{path.name}: order.{kind}: {wrong}")
            order[kind] = ids
        effective = data["effective"]
        if not isinstance(effective, dt.date):
            raise RulesError(f"{path.name}: effective: not a date")
        return ChannelRules(str(data["edition"]), effective, str(data["source"]), channels,
                            order)
    except (KeyError, TypeError) as error:
        raise RulesError(f"{path.name}: missing or malformed {error}") from error
