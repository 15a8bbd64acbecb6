"""`make demo` seeds two children with partial records: a newcomer sees due and overdue doses,
a free 接种门诊 to book, and the clinic's nurse can sign in."""

from __future__ import annotations

from sqlalchemy import select

from backend.demo.schedules import seed_schedules
from backend.demo.seed import seed
from backend.demo.vaccination import seed_vaccination
from backend.extensions import db
from backend.models import Department, PatientProfile, Schedule, StaffUser, VaccinationDue
from backend.services.vaccination.history import assessment_of
from vaccination import DoseState


def test_the_demo_children_have_due_and_overdue_doses(ctx):
    seed()
    seed_schedules()
    assert seed_vaccination() == 17
    assert seed_vaccination() == 0
    states = {}
    for name in ("张子涵", "张小满"):
        child = db.session.execute(select(PatientProfile).where(PatientProfile.name == name)
                                   ).scalar_one()
        states[name] = {d.state for d in assessment_of(child).doses}
    assert DoseState.OVERDUE in states["张子涵"]
    assert DoseState.DUE in states["张小满"]
    assert len(db.session.execute(select(VaccinationDue)).scalars().all()) == 2
    fees = set(db.session.execute(select(Schedule.fee_fen).join(
        Department, Department.id == Schedule.department_id).where(Department.code == "PREV")
    ).scalars())
    assert fees == {0}
    nurse = db.session.execute(select(StaffUser).where(StaffUser.username == "nurse.east")
                               ).scalar_one()
    assert nurse.role == "vaccinator"
