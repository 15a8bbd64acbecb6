"""The daily due-scan opens one task per due follow-up, assigned to the responsible doctor,
opens nothing more when run again, and escalates what stays open too long."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from backend.extensions import db
from backend.jobs import enqueue
from backend.jobs.followup import scan_due_followups
from backend.models import AdminAlert, FollowUpTask, ProgrammeEnrolment
from backend.services.followup.due_scan import scan
from tests import factories as f
from tests import followup_support as fs
from tests.helpers_process import frontdoor

TODAY = date(2026, 12, 5)


def _tasks() -> list[tuple[int, int, date, str, str]]:
    db.session.remove()
    return sorted(db.session.execute(select(
        FollowUpTask.enrolment_id, FollowUpTask.doctor_id, FollowUpTask.due_on,
        FollowUpTask.due_rule, FollowUpTask.status)).all())


def _centre():
    org = f.organization()
    return org, f.staff(org), f.staff(org)


def test_due_and_overdue_follow_ups_become_tasks_of_their_doctor(ctx):
    org, wang, li = _centre()
    overdue = fs.enrol(fs.resident(org), wang, next_due_on=date(2026, 11, 20))
    due_soon = fs.enrol(fs.resident(org, name="李秀英"), li, next_due_on=date(2026, 12, 12))
    fs.enrol(fs.resident(org, name="赵六"), li, next_due_on=date(2026, 12, 13))  # not yet
    summary = scan(TODAY, batch=2)
    assert summary.tasks_opened == 2 and summary.batches == 2
    assert _tasks() == [
        (overdue.id, wang.id, date(2026, 11, 20), "first_followup", "open"),
        (due_soon.id, li.id, date(2026, 12, 12), "first_followup", "open")]


def test_a_second_scan_opens_nothing_new(ctx):
    org, wang, _ = _centre()
    for index in range(5):
        fs.enrol(fs.resident(org, name=f"居民{index}"), wang, next_due_on=date(2026, 12, 1))
    assert scan(TODAY, batch=3).tasks_opened == 5
    before = _tasks()
    assert scan(TODAY, batch=3).tasks_opened == 0
    assert _tasks() == before


def test_a_moved_due_date_opens_a_new_task_and_an_ended_enrolment_cancels_its_own(ctx):
    org, wang, _ = _centre()
    kept = fs.enrol(fs.resident(org), wang, next_due_on=date(2026, 12, 1))
    ended = fs.enrol(fs.resident(org, name="钱七"), wang, next_due_on=date(2026, 12, 1))
    scan(TODAY)
    db.session.remove()
    db.session.get(ProgrammeEnrolment, ended.id).ended_on = TODAY
    db.session.commit()
    summary = scan(TODAY)
    assert (summary.tasks_opened, summary.tasks_cancelled) == (0, 1)
    statuses = {row[0]: row[4] for row in _tasks()}
    assert statuses == {kept.id: "open", ended.id: "cancelled"}


def test_tasks_left_open_too_long_are_escalated_once_to_the_centres_admins(ctx):
    org, wang, _ = _centre()
    other_org = f.organization()
    fs.enrol(fs.resident(org), wang, next_due_on=date(2026, 11, 1))
    fs.enrol(fs.resident(org, name="钱七"), wang, next_due_on=date(2026, 11, 15))
    fs.enrol(fs.resident(other_org, name="孙八"), f.staff(other_org),
             next_due_on=date(2026, 11, 2))
    fs.enrol(fs.resident(org, name="周九"), wang, next_due_on=date(2026, 11, 25))  # 10 days
    assert scan(TODAY).tasks_escalated == 3
    assert scan(TODAY).tasks_escalated == 0
    alerts = {a.organization_id: a.message for a in db.session.execute(
        select(AdminAlert).where(AdminAlert.kind == "followup_overdue")).scalars()}
    assert alerts.keys() == {org.id, other_org.id}
    assert alerts[org.id].startswith("有2位居民的慢病随访已超过预约日期14天")


def test_a_scan_that_died_before_alerting_still_alerts_when_run_again(ctx):
    org, wang, _ = _centre()
    fs.enrol(fs.resident(org), wang, next_due_on=date(2026, 11, 1))
    assert scan(TODAY).tasks_escalated == 1
    db.session.execute(delete(AdminAlert))  # as if the process died before writing the alert
    db.session.commit()
    assert scan(TODAY).tasks_escalated == 0
    assert [a.organization_id for a in db.session.execute(select(AdminAlert).where(
        AdminAlert.kind == "followup_overdue")).scalars()] == [org.id]
    scan(TODAY)
    assert db.session.execute(select(func.count()).select_from(AdminAlert)).scalar_one() == 1


def test_the_scheduled_job_runs_in_a_real_worker_and_twice_is_once(ctx):
    org, wang, _ = _centre()
    enrolment = fs.enrol(fs.resident(org), wang, next_due_on=date(2026, 1, 1))
    for _ in range(2):
        job_id = enqueue(scan_due_followups, queue="maintenance")
        worker = frontdoor("worker", "--burst", "--queue", "maintenance")
        output, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0 and job_id in output, output
    assert [(row[0], row[4]) for row in _tasks()] == [(enrolment.id, "open")]
