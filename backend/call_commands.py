"""`frontdoor calls …`: the AI follow-up caller from the command line — place the calls due now
in the foreground, see where calls stand, purge expired recordings, put a resident on the AI
channel."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("calls")
def calls_group() -> None:
    """AI follow-up calls (AI电话随访)."""


@calls_group.command("place")
@with_appcontext
def calls_place() -> None:
    """Open the calls owed and place every one due now, one after another, in this process
    (the scheduler's dispatch-followup-calls does the same through the `calls` queue)."""
    from flask import current_app

    from backend.services.followup import call_schedule, calls
    from backend.timeutil import utcnow
    from followup.calls.policy import default_policy

    if not current_app.config["TELEPHONY_PROVIDER"]:
        raise click.ClickException("TELEPHONY_PROVIDER is not set: calls are off")
    now = utcnow()
    call_schedule.open_calls(now)
    call_schedule.recover_stale(now)
    due = call_schedule.due_call_ids(now, default_policy(),
                                     current_app.config["CALLS_PER_DISPATCH"])
    if not due and not default_policy().allows(now):
        click.echo("outside the dialling hours: nothing placed")
        return
    for call_id in due:
        click.echo(f"call {call_id}: {calls.place(call_id) or 'skipped'}")
    click.echo(f"placed: {len(due)}")


@calls_group.command("status")
@with_appcontext
def calls_status() -> None:
    """How many calls are in each state, and attempts by how they ended."""
    from sqlalchemy import func, select

    from backend.extensions import db
    from backend.models import CallAttempt, FollowUpCall

    states = db.session.execute(select(FollowUpCall.status, func.count())
                                .group_by(FollowUpCall.status)).all()
    ends = db.session.execute(select(CallAttempt.disposition, func.count())
                              .group_by(CallAttempt.disposition)).all()
    click.echo("calls: " + (", ".join(f"{s}: {n}" for s, n in sorted(states)) or "none"))
    click.echo("attempts: " + (", ".join(f"{d or 'in progress'}: {n}"
                                         for d, n in sorted(ends, key=str)) or "none"))


@calls_group.command("purge")
@with_appcontext
def calls_purge() -> None:
    """Delete transcripts and recordings past their retention now (also nightly)."""
    from backend.services.followup.call_storage import purge_expired
    from backend.timeutil import utcnow

    click.echo(f"purged: {purge_expired(utcnow())}")


@calls_group.command("channel")
@click.argument("health_record_number")
@click.argument("channel", type=click.Choice(["ai_call", "doctor"]))
@with_appcontext
def calls_channel(health_record_number: str, channel: str) -> None:
    """Follow a resident up by AI call first (ai_call) or by the doctor only (doctor)."""
    from sqlalchemy import select

    from backend.extensions import db
    from backend.models import Resident
    from backend.services import audit

    resident = db.session.execute(select(Resident).where(
        Resident.health_record_number == health_record_number)).scalar_one_or_none()
    if resident is None:
        raise click.ClickException(f"no resident with health record {health_record_number}")
    if channel == "ai_call" and not resident.phone:
        raise click.ClickException("this resident has no phone number")
    resident.followup_channel = channel
    audit.record("followup.channel.change", "resident", str(resident.external_id),
                 {"channel": channel}, actor_kind="system", actor_id="cli",
                 organization_id=resident.organization_id)
    db.session.commit()
    click.echo(f"{resident.name}: {channel}")
