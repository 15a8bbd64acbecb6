"""`frontdoor` sub-commands that run inside the configured app: serve, worker, scheduler, …"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from backend.call_commands import calls_group

log = logging.getLogger(__name__)


def register_commands(app: Flask) -> None:
    app.cli.add_command(serve)
    app.cli.add_command(worker)
    app.cli.add_command(scheduler)
    app.cli.add_command(seed_demo)
    app.cli.add_command(audit_group)
    app.cli.add_command(staff_group)
    app.cli.add_command(converse)
    app.cli.add_command(emr_group)
    app.cli.add_command(hl7_group)
    app.cli.add_command(residents_group)
    app.cli.add_command(organizations_group)
    app.cli.add_command(calls_group)


@click.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
def serve(bind: str, workers: int, threads: int) -> None:
    """Serve the API with gunicorn (production web process)."""
    from backend.gunicorn_app import ACCESS_LOG_FORMAT, GunicornApp, MaskedAccessLogger

    GunicornApp({"bind": bind, "workers": workers, "threads": threads,
                 "worker_class": "gthread", "accesslog": "-",
                 "access_log_format": ACCESS_LOG_FORMAT, "logger_class": MaskedAccessLogger,
                 "timeout": 30, "graceful_timeout": 20}).run()


@click.command()
@click.option("--queue", "queues", multiple=True, help="Queues to take (default: all).")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty (tests, cron).")
@click.option("--simple", is_flag=True,
              help="Run jobs in this process instead of a fork per job (faster, less isolated).")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool, simple: bool) -> None:
    """Run an RQ worker for the app's queues."""
    from rq import SimpleWorker, Worker

    from backend.jobs import QUEUES
    from backend.jobs.context import set_worker_app

    redis = current_app.extensions["redis"]
    if redis is None:
        raise click.ClickException("REDIS_URL is not set: jobs run inline in embedded mode.")
    set_worker_app(current_app._get_current_object())
    _preload_for_jobs()
    names = list(queues or QUEUES)
    log.info("worker starting", extra={"queues": names, "burst": burst})
    worker_class = SimpleWorker if simple else Worker
    worker_class(names, connection=redis).work(burst=burst, with_scheduler=True)


def _preload_for_jobs() -> None:
    """Load what every job needs once, before RQ forks a work horse per job (like gunicorn's
    preload): the knowledge files and the FHIR models would otherwise load in every fork."""
    from backend.interop.fhir import questionnaire
    from conversations.knowledge import default_knowledge

    questionnaire(default_knowledge())


@click.command()
@with_appcontext
def scheduler() -> None:
    """Run the scheduler; several may run, one leads (Redis lease)."""
    from backend.scheduler import run_scheduler

    if current_app.extensions["redis"] is None:
        raise click.ClickException("REDIS_URL is not set: the demo runs its scheduler in-process.")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_scheduler(current_app._get_current_object(), stop)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo hospital group, staff, patients and a week of clinic sessions (skips what
    is already there)."""
    from backend.demo.followup import seed_followup
    from backend.demo.schedules import seed_schedules
    from backend.demo.seed import seed
    from backend.demo.vaccination import seed_vaccination

    summary = seed()
    summary["schedules"] = seed_schedules()
    summary["chronic-disease residents"] = seed_followup()
    summary["vaccination doses"] = seed_vaccination()
    click.echo(", ".join(f"{name}: {count}" for name, count in summary.items()))


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit log."""


@audit_group.command("verify")
@click.option("--no-anchor", is_flag=True,
              help="Only check; do not append a checkpoint for the verified entries.")
@with_appcontext
def audit_verify(no_anchor: bool) -> None:
    """Re-walk the chain and compare it with the checkpoint file; exit 1 if any entry was
    changed, removed or rewritten. An intact chain is anchored with a new checkpoint."""
    from backend.services.audit_verify import anchor, sealed_gaps, verify_chain

    checkpoint = None
    if no_anchor:
        count, problems = verify_chain()
    else:
        count, problems, checkpoint = anchor()
    for problem in problems:
        click.echo(f"BROKEN at seq {problem.seq}: {problem.problem}", err=True)
    if problems:
        click.echo(f"audit chain: {count} entries, {len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {count} entries")
    gaps = sealed_gaps()
    if gaps:
        click.echo(f"{gaps} number(s) sealed without an entry (a transaction that failed at "
                   "commit, or an entry removed before sealing): see the sealer's log")
    if checkpoint is not None:
        path = current_app.config["AUDIT_CHECKPOINT_PATH"]
        click.echo(f"anchored at seq {checkpoint.seq} in {path}")


@audit_group.command("seal")
@click.option("--once", is_flag=True, help="Seal what is pending, then exit.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000),
              help="Entries sealed per transaction.")
@click.option("--interval-ms", default=100, show_default=True, type=click.IntRange(10, 60_000),
              help="Pause between rounds when caught up.")
@with_appcontext
def audit_seal(once: bool, batch: int, interval_ms: int) -> None:
    """Link appended audit entries into the hash chain, in order. Run one (a second waits idle
    on the sealer lock); stop it with SIGTERM, and a killed one resumes where the chain ends."""
    from backend.services.audit_seal import run_sealer, seal_pending

    if once:
        result = seal_pending(batch)
        click.echo(f"sealed {result.sealed} entries ({result.gaps} empty numbers); chain head "
                   f"{result.head}" + (" (another sealer is at work)" if result.busy else ""))
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_sealer(stop, batch=batch, interval=interval_ms / 1000)


@click.group("staff")
def staff_group() -> None:
    """Console staff accounts."""


@staff_group.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", required=True, type=click.Choice(
    ["family_doctor", "hospital_admin", "group_auditor", "clinician", "department_head",
     "integration"]))
@click.option("--organization", "organization_code", required=True, help="Organization code.")
@click.option("--his-code", default=None, help="工号 as the HIS names the clinician (OBR-16).")
@click.option("--department", "department_code", default=None, help="Department code.")
@click.option("--wecom-userid", default=None,
              help="企业微信 account: where their critical values (危急值) are messaged.")
@click.password_option()
@with_appcontext
def staff_create(username: str, display_name: str, role: str, organization_code: str,
                 his_code: str | None, department_code: str | None, wecom_userid: str | None,
                 password: str) -> None:
    """Create a staff account (the password is asked twice, never echoed)."""
    from backend.services.staff import create_staff

    try:
        staff = create_staff(username, display_name, role, organization_code, password,
                             his_code, department_code, wecom_userid)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {staff.username} ({staff.role})")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def converse(path: str) -> None:
    """Play scripted patients (JSON list) through the assistant; print one JSON line each."""
    from backend.services.scripted import run_file

    failed = []
    try:
        for outcome in run_file(path):
            click.echo(json.dumps(outcome, ensure_ascii=False))
            if "error" in outcome:
                failed.append(f"{outcome['id']}: {outcome['error']}")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if failed:  # every other patient was still played and printed
        raise click.ClickException(f"{len(failed)} patient(s) could not be played: "
                                   + "; ".join(failed))


@click.group("emr")
def emr_group() -> None:
    """The outbox of pre-visit notes on their way to the hospital EMR."""


@emr_group.command("status")
@with_appcontext
def emr_status() -> None:
    """How many deliveries are in each state."""
    from sqlalchemy import func, select

    from backend.extensions import db
    from backend.models import EmrDelivery

    rows = db.session.execute(select(EmrDelivery.status, func.count())
                              .group_by(EmrDelivery.status)).all()
    click.echo(", ".join(f"{status}: {count}" for status, count in sorted(rows)) or "empty")


@emr_group.command("redrive")
@click.argument("delivery_ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Every dead-lettered delivery.")
@with_appcontext
def emr_redrive(delivery_ids: tuple[int, ...], all_dead: bool) -> None:
    """Put dead-lettered deliveries back in the queue (by row id, or --all-dead)."""
    from backend.jobs import enqueue
    from backend.jobs.emr import dispatch_due_deliveries
    from backend.services.emr import redrive

    if not delivery_ids and not all_dead:
        raise click.UsageError("name delivery ids or pass --all-dead")
    count = redrive(None if all_dead else list(delivery_ids))
    enqueue(dispatch_due_deliveries, queue="emr")
    click.echo(f"redriven: {count}")


@click.group("residents")
def residents_group() -> None:
    """Residents of the chronic-disease programmes (居民健康档案)."""


@residents_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--organization", "organization_code", required=True,
              help="Code of the community health centre that manages these residents.")
@with_appcontext
def residents_import(path: str, organization_code: str) -> None:
    """Import residents (and their programmes) from a CSV or a FHIR Bundle of Patients (.json).
    All or nothing: any bad row refuses the file, every bad row is listed with its line."""
    from backend.services.followup.resident_files import (
        MAX_FILE_BYTES,
        ResidentFileError,
        read_file,
    )
    from backend.services.followup.resident_import import ImportRejected, import_residents
    from backend.timeutil import local_today

    if os.path.getsize(path) > MAX_FILE_BYTES:
        raise click.ClickException(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB; split it")
    with open(path, "rb") as handle:
        raw = handle.read()
    today = local_today()
    try:
        rows, problems = read_file(raw, path, today)
        summary = import_residents(rows, problems, organization_code, today)
    except ImportRejected as exc:
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(f"{path}: {problem}", err=True)
        if len(exc.problems) > MAX_PROBLEMS_SHOWN:
            click.echo(f"… and {len(exc.problems) - MAX_PROBLEMS_SHOWN} more", err=True)
        raise click.ClickException(str(exc)) from exc
    except (ResidentFileError, ValueError) as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    click.echo(f"residents added: {summary.residents_added}, updated: "
               f"{summary.residents_updated}; enrolments added: {summary.enrolments_added}, "
               f"already open: {summary.enrolments_kept}")


MAX_PROBLEMS_SHOWN = 500


@click.group("organizations")
def organizations_group() -> None:
    """Hospitals and health centres of the group."""


@organizations_group.command("set-location")
@click.argument("code")
@click.option("--province", required=True, help="GB/T 2260 province code, two digits (11 北京).")
@click.option("--region", type=click.Choice(["north", "south"]), default=None,
              help="Only where the Yangtze crosses the province (China-PAR north/south).")
@with_appcontext
def organizations_set_location(code: str, province: str, region: str | None) -> None:
    """Say where a centre is, for the 10-year cardiovascular risk's north/south term."""
    from backend.services.organizations import set_location

    try:
        organization = set_location(code, province, region)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    side = organization.cvd_region or "from the province"
    click.echo(f"{organization.code}: province {organization.province}, region {side}")


@click.group("hl7")
def hl7_group() -> None:
    """HL7 v2 results (ORU^R01) from the hospital's LIS/PACS."""


@hl7_group.command("status")
@with_appcontext
def hl7_status() -> None:
    """What needs a person: open critical values, reports waiting for a patient, refused
    messages not yet taken again."""
    from sqlalchemy import func, select

    from backend.extensions import db
    from backend.models import CriticalAlert, InboundDeadLetter, Report

    def count(model, *where) -> int:
        return db.session.execute(select(func.count()).select_from(model).where(*where)
                                  ).scalar_one()

    click.echo(f"open critical values: {count(CriticalAlert, CriticalAlert.status == 'open')}, "
               f"reports waiting for a patient: {count(Report, Report.patient_id.is_(None))}, "
               f"dead letters: {count(InboundDeadLetter, InboundDeadLetter.redriven_at.is_(None))}")


@hl7_group.command("listen")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for the LIS on another machine).")
@click.option("--port", default=2575, show_default=True, type=click.IntRange(1, 65535))
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Processes sharing the port; each connection stays in one. One process "
                   "batches all its connections' messages; add processes only for many "
                   "connections.")
@with_appcontext
def hl7_listen(host: str, port: int, processes: int) -> None:
    """Receive ORU^R01 over MLLP and answer each with an ACK (AA, AE or AR)."""
    from backend.extensions import db
    from backend.services.reports.hl7_inbound import listener

    app = current_app._get_current_object()
    server = listener(app, host, port, app.config["HL7_ALLOWED_PEERS"])
    ready_read, ready_write = os.pipe()  # each child writes a byte once it takes connections
    children = []
    for _ in range(processes - 1):
        pid = os.fork()
        if pid == 0:  # a child takes connections from the same listening socket
            os.close(ready_read)
            db.engine.dispose(close=False)
            _stop_on_signal(server)
            os.write(ready_write, b"1")
            os.close(ready_write)
            try:
                server.serve_forever()
            finally:
                os._exit(0)
        children.append(pid)
    os.close(ready_write)
    _stop_on_signal(server, children)
    try:
        _wait_for_children(ready_read, len(children))
    except click.ClickException:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        server.server_close()
        raise
    log.info("mllp listener started", extra={"host": host, "port": server.port,
                                             "processes": processes})
    # Printed once every process takes connections: scripts and benchmarks wait for this line.
    click.echo(f"listening for HL7 v2 (MLLP) on {host}:{server.port} ({processes} process(es))")
    try:
        server.serve_forever()
    finally:
        server.server_close()
        for pid in children:
            os.waitpid(pid, 0)


def _wait_for_children(ready: int, count: int) -> None:
    """Read one byte per forked process; an early end of the pipe means a child died first."""
    received = 0
    with os.fdopen(ready, "rb", buffering=0) as pipe:
        while received < count:
            chunk = pipe.read(count - received)
            if not chunk:
                raise click.ClickException("a listener process exited before it was ready")
            received += len(chunk)


def _stop_on_signal(server, children: list[int] | None = None) -> None:
    def stop(*_args) -> None:
        for pid in children or []:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        threading.Thread(target=server.shutdown).start()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
