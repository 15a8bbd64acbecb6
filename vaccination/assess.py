"""What a child is due for on a given day: the pure function behind "孩子下次打什么疫苗？".

Which version of a course governs a dose (the 2025 DTaP change): a dose that was given follows
the schedule in force on the day it was given; a dose still to give follows the schedule in force
on the later of its due date and the assessment date, i.e. the rules it will be given under. So a
child born in 2023 had DTaP 1-3 under the 2021 edition and gets the 18-month and 6-year doses
under the 2025 notice (DTaP at 6 years instead of DT).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from vaccination.records import (
    Assessment,
    DoseGiven,
    DoseState,
    DoseStatus,
    FlaggedDose,
    Flaw,
    check_records,
)
from vaccination.schedule import DoseRule, Programme, Series, SeriesVersion, programme


def assess(birth_date: date, records: Iterable[DoseGiven], on: date,
           schedule: Programme | None = None) -> Assessment:
    """Every programme dose's state on `on`, and the recorded doses that do not count."""
    schedule = schedule or programme()
    given = list(records)
    check_records(birth_date, on, given, schedule)
    given.sort(key=lambda r: (r.given_on, r.dose))
    spaced_out = _live_spacing_flaws(given, schedule)
    valid: dict[tuple[str, int], date] = {}  # (series, dose) -> date given
    statuses: list[DoseStatus] = []
    flagged: list[FlaggedDose] = []
    for series in _series_to_assess(schedule, given):
        mine = [(i, r) for i, r in enumerate(given)
                if any(r.vaccine in d.vaccines for v in series.versions for d in v.doses)]
        course = _Course(schedule, series, birth_date, on, given, valid)
        flagged += course.count(mine, spaced_out)
        statuses += course.statuses()
    return Assessment(birth_date=birth_date, on=on, doses=tuple(statuses),
                      flagged=tuple(sorted(flagged, key=lambda f: f.record.given_on)))


def _series_to_assess(schedule: Programme, given: list[DoseGiven]) -> list[Series]:
    """Every course, but of live-or-inactivated alternatives (乙脑, 甲肝) only those the child
    has started, or the default scheme before any dose of the group."""
    started = {s.id for r in given for s in schedule.series_of(r.vaccine)}
    chosen = []
    for series in schedule.series.values():
        group = series.alternative_of
        if group is None or series.id in started:
            chosen.append(series)
        elif series.default and not any(schedule.series[s].alternative_of == group
                                        for s in started):
            chosen.append(series)
    return chosen


def _live_spacing_flaws(given: list[DoseGiven], schedule: Programme) -> dict[int, str]:
    """Index of each injectable live dose given 1-27 days after another one -> why."""
    gap = schedule.live_spacing_days
    flaws: dict[int, str] = {}
    live = [(i, r) for i, r in enumerate(given) if schedule.vaccines[r.vaccine].live_injectable]
    for i, record in live:
        for _, earlier in live:
            days = (record.given_on - earlier.given_on).days
            if 0 < days < gap:
                flaws[i] = (f"{record.given_on} 距 {earlier.given_on} 接种的"
                            f"{schedule.vaccines[earlier.vaccine].name}仅{days}天，"
                            f"两种注射类减毒活疫苗未同时接种应间隔≥{gap}天")
                break
    return flaws


def _complete_by(rule: DoseRule) -> str:
    span = rule.complete_by
    assert span is not None
    if span.unit == "d":
        return f"出生后{span.amount}天内完成"
    return f"<{span.as_age()}完成"


class _Course:
    """One course for one child: counts the recorded doses, then dates the rest."""

    def __init__(self, schedule: Programme, series: Series, birth: date, on: date,
                 given: list[DoseGiven], valid: dict[tuple[str, int], date]) -> None:
        self.schedule, self.series, self.birth, self.on = schedule, series, birth, on
        self.given, self.valid = given, valid
        self.counted: list[tuple[DoseGiven, SeriesVersion]] = []

    def count(self, mine: list[tuple[int, DoseGiven]],
              spaced_out: dict[int, str]) -> list[FlaggedDose]:
        """Count the course's records in date order; a dose that breaks a rule is flagged and
        the next record is tried for the same dose."""
        flagged = []
        for index, record in mine:
            number = len(self.counted) + 1
            twin = next((n for n, (r, _) in enumerate(self.counted, start=1)
                         if (r.vaccine, r.given_on) == (record.vaccine, record.given_on)), None)
            if twin:
                flagged.append(FlaggedDose(
                    record, self.series.id, twin, Flaw.DUPLICATE,
                    f"与已计入的第{twin}剂同一天、同一疫苗，疑为重复录入",
                    self.series.version_on(record.given_on).citation))
                continue
            if number > self.series.dose_count:
                version = self.series.version_on(record.given_on)
                flagged.append(FlaggedDose(record, self.series.id, number, Flaw.EXTRA_DOSE,
                                           f"{self.series.name}已完成全程，此剂不计入",
                                           version.citation))
                continue
            version = self.series.version_on(record.given_on)
            rule = version.doses[number - 1]
            flaw = self._flaw(record, rule, spaced_out.get(index))
            if flaw:
                flagged.append(FlaggedDose(record, self.series.id, number, flaw[0],
                                           f"{flaw[1]}（{rule.rule}）", version.citation))
                continue
            self.counted.append((record, version))
            self.valid[(self.series.id, number)] = record.given_on
        return flagged

    def _flaw(self, record: DoseGiven, rule: DoseRule,
              spacing: str | None) -> tuple[Flaw, str] | None:
        if record.vaccine not in rule.vaccines:
            names = "、".join(self.schedule.vaccines[v].name for v in rule.vaccines)
            return Flaw.WRONG_VACCINE, f"第{rule.dose}剂应使用{names}"
        minimum = rule.age.after(self.birth)
        if record.given_on < minimum:
            return Flaw.TOO_EARLY, f"{record.given_on} 早于最小接种年龄（{minimum} 起）"
        earliest, because = self._interval_floor(rule, self.counted[-1][0].given_on
                                                 if self.counted else None)
        if earliest and record.given_on < earliest:
            return Flaw.TOO_CLOSE, f"{record.given_on} 早于 {earliest}：{because}"
        if spacing:
            return Flaw.LIVE_SPACING, spacing
        return None

    def _interval_floor(self, rule: DoseRule, previous: date | None) -> tuple[date | None, str]:
        """The first day the intervals from earlier doses allow, and which interval it is."""
        floor: date | None = None
        because = ""
        if rule.min_interval and previous:
            floor = rule.min_interval.after(previous)
            because = f"与第{rule.dose - 1}剂间隔≥{rule.min_interval}"
        for ref in rule.also_after:
            other = self.valid.get((ref.series, ref.dose))
            if other and (floor is None or ref.interval.after(other) > floor):
                floor = ref.interval.after(other)
                name = self.schedule.series[ref.series].name
                because = f"与{name}第{ref.dose}剂间隔≥{ref.interval}"
        return floor, because

    def statuses(self) -> list[DoseStatus]:
        out = []
        for number, (record, version) in enumerate(self.counted, start=1):
            rule = version.doses[number - 1]
            latest, latest_because = self._latest(version, number)
            out.append(DoseStatus(
                self.series.id, self.series.name, number, DoseState.COMPLETED, rule.vaccines,
                rule.rule, version.citation, rule.age.after(self.birth), latest,
                f"起始接种年龄：{rule.age.as_age()}", latest_because, given_on=record.given_on,
                recorded_dose=record.dose if record.dose != number else None))
        previous = self.counted[-1][0].given_on if self.counted else None
        for number in range(len(self.counted) + 1, self.series.dose_count + 1):
            status = self._pending(number, previous)
            out.append(status)
            previous = max(status.earliest, self.on) if status.earliest else None
        return out

    def _pending(self, number: int, previous: date | None) -> DoseStatus:
        version = self._version_to_give(number)
        rule = version.doses[number - 1]
        latest, latest_because = self._latest(version, number)
        base = dict(series=self.series.id, series_name=self.series.name, dose=number,
                    vaccines=rule.vaccines, rule=rule.rule, citation=version.citation)
        limit = self.series.upper_age.after(self.birth)
        if self.on >= limit:
            return DoseStatus(**base, state=DoseState.PAST_AGE_LIMIT, earliest=None,
                              latest=limit - timedelta(days=1),
                              earliest_because=(f"满{self.series.upper_age.as_age()}不再补种"
                                                f"（{limit} 起）"),
                              latest_because=version.catch_up)
        earliest, because = rule.age.after(self.birth), f"起始接种年龄：{rule.age.as_age()}"
        floor, floor_because = self._interval_floor(rule, previous)
        if floor and floor > earliest:
            earliest, because = floor, floor_because
        earliest, because = self._live_floor(rule, earliest, because)
        decides = self._clinic_decides(version)
        if decides:
            return DoseStatus(**base, state=DoseState.CLINIC_DECIDES, earliest=earliest,
                              latest=latest, earliest_because=decides,
                              latest_because=version.catch_up)
        if latest is not None and self.on > latest:
            state = DoseState.OVERDUE
        elif earliest <= self.on:
            state = DoseState.DUE
        else:
            state = DoseState.NOT_YET_DUE
        return DoseStatus(**base, state=state, earliest=earliest, latest=latest,
                          earliest_because=because, latest_because=latest_because)

    def _version_to_give(self, number: int) -> SeriesVersion:
        for version in reversed(self.series.versions):
            due = version.doses[number - 1].age.after(self.birth)
            if version.edition.effective <= max(due, self.on):
                return version
        return self.series.versions[0]

    def _latest(self, version: SeriesVersion, number: int) -> tuple[date | None, str]:
        """The document's 适时接种 deadline for this dose or, where it names none, the last day
        that still lets a later dose meet its deadline at the minimum intervals."""
        doses = version.doses
        for later in doses[number - 1:]:
            if later.complete_by is None:
                continue
            day = later.complete_by.after(self.birth) - timedelta(days=1)
            for step in reversed(doses[number:later.dose]):
                if step.min_interval:
                    day = step.min_interval.before(day)
            by = _complete_by(later)
            if later.dose == number:
                return day, f"{by}（{version.citation}；一（二）适时接种）"
            return day, f"第{later.dose}剂须{by}，按最短间隔倒推（{version.citation}）"
        return None, "文件未规定完成年龄"

    def _live_floor(self, rule: DoseRule, earliest: date, because: str) -> tuple[date, str]:
        if not all(self.schedule.vaccines[v].live_injectable for v in rule.vaccines):
            return earliest, because
        gap = self.schedule.live_spacing_days
        for record in reversed(self.given):
            vaccine = self.schedule.vaccines[record.vaccine]
            if vaccine.live_injectable:
                floor = record.given_on + timedelta(days=gap)
                if earliest < floor and max(earliest, self.on) != record.given_on:
                    return floor, (f"{record.given_on} 已接种{vaccine.name}（注射类减毒活疫苗），"
                                   f"未同时接种需间隔≥{gap}天")
                break
        return earliest, because

    def _clinic_decides(self, version: SeriesVersion) -> str | None:
        for band in version.clinic_decides:
            starts = band.from_age.after(self.birth)
            ends = band.to_age.after(self.birth) if band.to_age else None
            few = band.fewer_than is None or len(self.counted) < band.fewer_than
            if starts <= self.on and (ends is None or self.on < ends) and few:
                return band.reason
        return None
