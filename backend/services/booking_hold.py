"""Holding a place (预约挂号's busiest write, every patient at once on 放号 day): the slot, its
session, the 就诊人's locked row and any twin of this Idempotency-Key in one statement; the rules
and the place taken in one more (`UPDATE … WHERE booked < capacity`, so nothing is oversold);
the booking inserted with its audit number and answered from what was loaded.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from backend.auth import Principal
from backend.driver_statement import DriverStatement
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    Department,
    Doctor,
    Organization,
    PatientProfile,
    PrincipalKind,
    Schedule,
    Slot,
)
from backend.services import audit, booking_hold_start, listings, messages
from backend.services.access import parse_id, visible_profiles
from backend.services.booking_rules import (
    BookingRules,
    department_refusal,
    suspended_until,
)
from backend.services.bookings import _LOADERS, rules_for
from backend.services.deferred import commit
from backend.services.loaded_rows import as_loaded
from backend.timeutil import as_utc, local_today, utcnow

log = logging.getLogger(__name__)


def _by_key(account_id: int, key: str | None) -> Booking | None:
    if not key:
        return None
    return db.session.execute(select(Booking).where(
        Booking.account_id == account_id, Booking.idempotency_key == key)
        .options(*_LOADERS)).scalar_one_or_none()


# The slot with its session, department, doctor and hospital in one query, for the steps one by
# one (staff, or a patient's start that found nothing); the columns `booking_hold_start` reads.
_SLOT_WITH_SESSION = select(Slot).where(Slot.external_id == bindparam("slot_id")).options(
    joinedload(Slot.schedule).options(
        load_only(Schedule.organization_id, Schedule.department_id, Schedule.doctor_id,
                  Schedule.clinic_date, Schedule.half_day, Schedule.registration_type,
                  Schedule.fee_fen, Schedule.release_at, Schedule.status, Schedule.now_serving,
                  Schedule.minutes_per_patient, Schedule.external_id),
        joinedload(Schedule.department).load_only(
            Department.name, Department.external_id, Department.min_age, Department.max_age,
            Department.sex_limit),
        joinedload(Schedule.doctor).load_only(Doctor.name, Doctor.external_id),
        joinedload(Schedule.organization).load_only(
            Organization.name, Organization.external_id, Organization.booking_rules)))


def _check_slot(slot: Slot | None) -> Slot:
    now = utcnow()
    if slot is None or as_utc(slot.schedule.release_at) > now:
        raise NotFound("没有找到这个号源。")
    if slot.schedule.status != "open":
        raise Conflict("医生这个时段停诊了，请选择其他时间。", code="schedule_stopped")
    if as_utc(slot.starts_at) <= now:
        raise Conflict("这个时段已经过了，请选择其他时间。", code="slot_past")
    return slot


def _bookable_slot(slot_id) -> Slot:
    return _check_slot(db.session.execute(_SLOT_WITH_SESSION,
                                          {"slot_id": parse_id(slot_id)}).scalar_one_or_none())


def _locked_person(principal: Principal, patient_id) -> PatientProfile:
    patient = db.session.execute(visible_profiles(principal).where(
        PatientProfile.external_id == parse_id(patient_id)).with_for_update(
        of=PatientProfile)).scalar_one_or_none()
    if patient is None:
        raise NotFound("没有找到这位就诊人。")
    return patient


def _start(principal: Principal, args: dict[str, Any], key: str | None
           ) -> tuple[Booking | None, Slot | None, PatientProfile | None]:
    """(the booking this key already made, or the bookable slot and the 就诊人 with their row
    locked). A patient's request asks once; when that finds nothing, or for anyone else, the
    steps one by one, in the same order, so the refusal names what is missing."""
    if principal.kind == PrincipalKind.ACCOUNT:
        started = booking_hold_start.start(parse_id(args["slot_id"]),
                                           parse_id(args["patient_id"]),
                                           principal.account_id, key)
        if started is not None:
            if started.twin_id is not None:
                return _by_key(principal.account_id, key), None, None
            return None, _check_slot(started.slot), started.patient
    existing = _by_key(principal.account_id, key)
    if existing is not None:
        return existing, None, None
    slot = _bookable_slot(args["slot_id"])
    return None, slot, _locked_person(principal, args["patient_id"])


def _take_and_history_statements():
    """(PostgreSQL's one statement, the two statements elsewhere), built once: the conditional
    slot UPDATE and the person's live bookings and no-shows since a day; PostgreSQL's also says
    whether the request's Idempotency-Key has made a booking."""
    slots = Slot.__table__
    take = update(slots).where(slots.c.id == bindparam("slot_id"),
                               slots.c.booked < slots.c.capacity).values(
        booked=slots.c.booked + 1)
    history = (Booking.patient_id == bindparam("patient_id")) & (
        Booking.status.in_(ACTIVE_STATUSES)
        | ((Booking.status == BookingStatus.NO_SHOW) & (Booking.clinic_date >= bindparam("since"))))
    columns = (Booking.status, Booking.department_id, Booking.clinic_date)
    taken = select(func.count().label("taken")).select_from(
        take.returning(slots.c.id).cte("taken")).subquery()
    twins = Booking.__table__.alias("twin")
    twin_id = select(twins.c.id).where(twins.c.account_id == bindparam("account_id"),
                                       twins.c.idempotency_key == bindparam("key"))
    together = select(taken.c.taken, twin_id.scalar_subquery().label("twin_id"),
                      *columns).select_from(taken).outerjoin(Booking, history)
    return together, (take, select(*columns).where(history))


_together, (_TAKE, _HISTORY) = _take_and_history_statements()
_TAKE_WITH_HISTORY = DriverStatement(_together)


def _history_and_take(principal: Principal, key: str | None, patient: PatientProfile,
                      slot: Slot, since) -> tuple[list[tuple], bool, bool]:
    """The person's live bookings and no-shows since `since`, one place taken in the slot
    (`UPDATE … WHERE booked < capacity`: never more than its places), and whether a booking of
    this Idempotency-Key may exist, in one round trip on PostgreSQL. Read after the person's
    row was locked, so a parallel hold of theirs (a twin request too: it takes the same lock
    before it writes) that committed first is seen; a refusal afterwards rolls the place back
    with the transaction."""
    params = {"slot_id": slot.id, "patient_id": patient.id, "since": since,
              "account_id": principal.account_id, "key": key}
    if db.session.get_bind().dialect.name != "postgresql":  # no UPDATE inside WITH
        rows = db.session.execute(_HISTORY, params).all()
        taken = db.session.execute(_TAKE, params).rowcount == 1
        return [tuple(row) for row in rows], taken, key is not None
    rows = _TAKE_WITH_HISTORY.rows(params)
    return ([tuple(row[2:]) for row in rows if row.status is not None], rows[0].taken == 1,
            rows[0].twin_id is not None)


def _check_person(patient: PatientProfile, slot: Slot, rules: BookingRules,
                  history: list[tuple]) -> None:
    department, today = slot.schedule.department, local_today()
    if not patient.document_number:
        raise ValidationFailed("挂号需要实名信息，请先补全就诊人的证件号。", field="patient_id")
    refusal = department_refusal(department.min_age, department.max_age, department.sex_limit,
                                 patient.birth_date, patient.sex, today)
    if refusal:
        raise Conflict(refusal, code="department_not_suitable", field="patient_id")
    no_shows = [day for status, _, day in history if status == BookingStatus.NO_SHOW]
    until = suspended_until(no_shows, today, rules)
    if until:
        raise Conflict(f"近期爽约次数较多，{until:%Y年%-m月%-d日}前暂不能在线挂号。"
                       "如需看病，请到医院窗口挂号。", code="booking_suspended")
    active = [(department, day) for status, department, day in history
              if status != BookingStatus.NO_SHOW]
    if (slot.schedule.department_id, slot.schedule.clinic_date) in set(active):
        raise Conflict("同一天同一个科室只能挂一个号。", code="duplicate_booking")
    if len(active) >= rules.max_active_bookings:
        raise Conflict(f"每位就诊人最多同时有{rules.max_active_bookings}个预约，"
                       "请先就诊或取消其他预约。", code="too_many_bookings")


def _no_show_since(rules: BookingRules):
    return local_today() - timedelta(days=rules.no_show_window_days + rules.suspension_days)


def hold(principal: Principal, args: dict[str, Any], key: str | None,
         journey_check: Callable[[PatientProfile, Slot], None] | None = None
         ) -> tuple[Booking, bool]:
    """Take one place in a slot for a 就诊人, pending payment. Returns (booking, created).

    `journey_check` adds a journey's own rule (the 接种门诊: one visit per child per day), run
    with the person's row locked like the engine's rules."""
    existing, slot, patient = _start(principal, args, key)
    if existing is not None:
        return existing, False
    schedule, organization = slot.schedule, slot.schedule.organization
    rules = rules_for(organization)
    history, taken, twin_made = _history_and_take(principal, key, patient, slot,
                                                  _no_show_since(rules))
    try:
        _check_person(patient, slot, rules, history)
        if journey_check is not None:
            journey_check(patient, slot)
        if not taken:
            raise Conflict("这个时段的号已经约满了，请选择其他时间。", code="slot_full")
    except Conflict:
        db.session.rollback()  # gives the place back at once
        # A twin request that held the lock first (only looked up when it made a booking).
        twin = _by_key(principal.account_id, key) if twin_made else None
        if twin is not None:
            return twin, False
        raise
    listings.changed(schedule.organization_id, schedule.department_id)
    try:
        booking, audit_number = _insert_booking(principal, key, patient, slot, rules)
    except IntegrityError:
        db.session.rollback()
        existing = _by_key(principal.account_id, key)
        if existing is not None:
            return existing, False
        raise Conflict("同一天同一个科室只能挂一个号。", code="duplicate_booking") from None
    audit.record("booking.hold", "booking", str(booking.external_id),
                 {"patient": str(patient.external_id), "slot": str(slot.external_id),
                  "free": booking.status == BookingStatus.CONFIRMED}, number=audit_number)
    if booking.status == BookingStatus.CONFIRMED:
        messages.notify(booking, "booked", {})
    commit()
    log.info("slot held", extra={"booking": str(booking.external_id),
                                 "free": booking.status == BookingStatus.CONFIRMED})
    return booking, True


_BOOKING = Booking.__table__
_WRITTEN = tuple(name for name in _BOOKING.c.keys() if name != "id")  # every column but the id
_INSERT_BOOKING = insert(_BOOKING).returning(_BOOKING.c.id)
# With the hold's audit entry number, on PostgreSQL: taken as the booking is written, just
# before the commit.
_INSERT_NUMBERED = DriverStatement(
    insert(_BOOKING).returning(_BOOKING.c.id, audit.NEXT_NUMBER.label("audit_number")),
    _WRITTEN)


def _insert_booking(principal: Principal, key: str | None, patient: PatientProfile, slot: Slot,
                    rules: BookingRules) -> tuple[Booking, int | None]:
    """One Core INSERT … RETURNING id (no unit of work, no reload of the row): every column's
    value is known here, so the booking joins the session as the row it now is, with what the
    response shows attached from the rows already loaded. On PostgreSQL the same statement
    takes the number of the hold's audit entry (returned beside the booking). A session without
    a fee is confirmed at once."""
    schedule, now = slot.schedule, utcnow()
    free = schedule.fee_fen == 0
    values = dict.fromkeys(_WRITTEN)
    values.update(
        external_id=uuid.uuid4(), created_at=now, updated_at=now,
        account_id=principal.account_id, patient_id=patient.id,
        organization_id=schedule.organization_id, department_id=schedule.department_id,
        doctor_id=schedule.doctor_id, schedule_id=schedule.id, slot_id=slot.id,
        clinic_date=schedule.clinic_date, fee_fen=schedule.fee_fen,
        status=BookingStatus.CONFIRMED if free else BookingStatus.HELD, idempotency_key=key,
        confirmed_at=now if free else None,
        hold_expires_at=None if free else now + timedelta(minutes=rules.hold_minutes))
    if audit.numbers_in_statements(db.session):
        booking_id, number = _INSERT_NUMBERED.one(values)
    else:
        booking_id, number = db.session.connection().execute(
            _INSERT_BOOKING, values).scalar_one(), None
    values["id"] = booking_id
    booking = as_loaded(Booking, values)  # as if loaded: no pending change, nothing to flush
    for name, value in (("patient", patient), ("organization", schedule.organization),
                        ("slot", slot), ("schedule", schedule),
                        ("department", schedule.department), ("doctor", schedule.doctor)):
        set_committed_value(booking, name, value)
    return booking, number
