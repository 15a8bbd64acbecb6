"""Is a value high, low or critical? The lab's flag first, then its interval, then ours.

Order of trust: the flag the laboratory sent (OBX-8) is used as given; without one, the lab's
printed interval decides; without that, the national interval for the patient's age and sex
(converted to the test's unit). A value is critical when the lab says so (HH/LL) or when it is
beyond the hospital's critical-value limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.knowledge import DAYS_PER_YEAR, Band, Knowledge, TestInfo
from reports.model import Flag, PatientContext, ResultIn
from reports.units import to_canonical
from reports.values import Interval, Quantity, interval, qualitative, quantity

_LAB_FLAGS = {
    "H": Flag.HIGH, "L": Flag.LOW, "HH": Flag.CRITICAL_HIGH, "LL": Flag.CRITICAL_LOW,
    ">": Flag.CRITICAL_HIGH, "<": Flag.CRITICAL_LOW, "A": Flag.ABNORMAL, "AA": Flag.ABNORMAL,
    "N": Flag.NORMAL, "↑": Flag.HIGH, "↓": Flag.LOW, "↑↑": Flag.CRITICAL_HIGH,
    "↓↓": Flag.CRITICAL_LOW, "高": Flag.HIGH, "低": Flag.LOW, "POS": Flag.ABNORMAL,
    "阳性": Flag.ABNORMAL,
}
OLDEST_ADULT_BAND_DAYS = int(80 * DAYS_PER_YEAR)


@dataclass(frozen=True)
class Assessment:
    flag: Flag | None  # None: nothing to compare with
    flag_source: str  # "lab" | "lab_interval" | "national" | "none"
    interval_text: str  # the interval the flag was judged against, in the result's unit
    interval_source: str  # "化验室提供" or the standard's citation
    critical: bool
    critical_source: str  # "lab" or the critical-value table's citation, "" if not critical
    quantity: Quantity | None
    canonical_value: float | None  # in the test's own unit, for trends
    note: str = ""  # e.g. the interval is for 20-79 years and the patient is older


def lab_flag(text: str) -> Flag | None:
    return _LAB_FLAGS.get(text.strip().upper()) if text and text.strip() else None


def band_for(bands: tuple[Band, ...], patient: PatientContext) -> tuple[Band | None, str]:
    if patient.age_days is None:
        return None, ""
    for band in bands:
        if band.covers(patient.sex, patient.age_days):
            return band, ""
    if patient.age_days >= OLDEST_ADULT_BAND_DAYS:  # WS/T 404/405 end at 79 years
        oldest = [b for b in bands if b.to_days == OLDEST_ADULT_BAND_DAYS
                  and b.covers(patient.sex, OLDEST_ADULT_BAND_DAYS - 1)]
        if oldest:
            return oldest[0], "这个参考范围适用于20～79岁的人，对80岁以上的人仅供参考。"
    return None, ""


def _compare(value: float, low: float | None, high: float | None) -> Flag:
    if high is not None and value > high:
        return Flag.HIGH
    if low is not None and value < low:
        return Flag.LOW
    return Flag.NORMAL


def _critical(value: float | None, test: TestInfo | None, patient: PatientContext,
              knowledge: Knowledge) -> tuple[Flag | None, str]:
    if value is None or test is None:
        return None, ""
    band, _ = band_for(knowledge.critical.get(test.code, ()), patient)
    if band is None:
        return None, ""
    if band.high is not None and value > band.high:
        return Flag.CRITICAL_HIGH, band.source
    if band.low is not None and value < band.low:
        return Flag.CRITICAL_LOW, band.source
    return None, ""


def _qualitative_flag(result: ResultIn, test: TestInfo | None) -> Flag | None:
    reading = qualitative(result.value)
    if reading is None or test is None or not test.qualitative:
        return None
    return Flag.NORMAL if reading == test.normal else Flag.ABNORMAL


def assess(result: ResultIn, test: TestInfo | None, patient: PatientContext,
           knowledge: Knowledge) -> Assessment:
    amount = quantity(result.value_type, result.value) \
        if result.value_type in {"NM", "SN", "ST"} else None
    canonical = to_canonical(amount.value, result.unit, test) if amount and test else None
    flag, source, interval_text, interval_source, note = None, "none", "", "", ""
    lab_interval: Interval | None = interval(result.reference_range)
    given = lab_flag(result.lab_flag)
    if result.reference_range:
        interval_text, interval_source = result.reference_range.strip(), "化验室提供"
    if given is not None:
        flag, source = given, "lab"
    elif amount is not None and lab_interval is not None:
        flag, source = _compare(amount.value, lab_interval.low, lab_interval.high), "lab_interval"
    elif canonical is not None and test is not None:
        band, note = band_for(knowledge.intervals.get(test.code, ()), patient)
        if band is not None:
            flag, source = _compare(canonical, band.low, band.high), "national"
            interval_text = _in_result_unit(band, result.unit, test)
            interval_source = band.source
    if flag is None:
        qualitative_flag = _qualitative_flag(result, test)
        if qualitative_flag is not None:
            flag = qualitative_flag
            source = "lab_interval" if result.reference_range else "national"
    critical_flag, critical_source = _critical(canonical, test, patient, knowledge)
    critical = flag in {Flag.CRITICAL_HIGH, Flag.CRITICAL_LOW}
    if critical:
        critical_source = "lab"
    elif critical_flag is not None:
        flag, critical = critical_flag, True
    return Assessment(flag, source, interval_text, interval_source, critical, critical_source,
                      amount, canonical, note)


def _in_result_unit(band: Band, unit: str, test: TestInfo) -> str:
    """The national interval shown in the unit the lab used (it is stored in the test's unit)."""
    factor = to_canonical(1.0, unit, test) or 1.0
    low = None if band.low is None else _rounded(band.low / factor)
    high = None if band.high is None else _rounded(band.high / factor)
    return Interval(low, high).text()


def _rounded(value: float) -> float:
    return round(value, 1 if abs(value) >= 10 else 2)
