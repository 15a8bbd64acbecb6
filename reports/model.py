"""The shapes results travel in, whichever interface (HL7 v2 or FHIR) they arrived by."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class ReportStatus(enum.StrEnum):
    """Result status as HL7 OBR-25 / FHIR DiagnosticReport.status name it, in our words."""

    PRELIMINARY = "preliminary"
    FINAL = "final"
    CORRECTED = "corrected"
    CANCELLED = "cancelled"


class Flag(enum.StrEnum):
    """Abnormal flag of one value (HL7 table 0078 subset)."""

    NORMAL = "N"
    HIGH = "H"
    LOW = "L"
    CRITICAL_HIGH = "HH"
    CRITICAL_LOW = "LL"
    ABNORMAL = "A"  # outside normal for a non-numeric result (e.g. 阳性 where 阴性 is normal)


@dataclass(frozen=True)
class PatientContext:
    """What the intervals depend on: sex and age in days on the day the sample was taken."""

    sex: str | None  # "male" | "female" | None
    age_days: int | None

    @classmethod
    def on(cls, sex: str | None, birth_date: date | None, when: date) -> PatientContext:
        return cls(sex, (when - birth_date).days if birth_date else None)

    @property
    def age_years(self) -> float | None:
        return None if self.age_days is None else self.age_days / 365.25


@dataclass(frozen=True)
class ResultIn:
    """One observation as the lab sent it (HL7 OBX / FHIR Observation)."""

    seq: int
    code: str  # the lab's own code (OBX-3.1 / Observation.code local coding)
    name: str
    value_type: str  # NM, ST, TX, SN, CE
    value: str  # the value as text, escapes resolved
    unit: str = ""
    reference_range: str = ""  # the lab's interval as printed, e.g. "3.5-5.3"
    lab_flag: str = ""  # OBX-8 as given (H, L, HH, LL, A, N) or ""
    status: str = "F"  # OBX-11: P preliminary, F final, C corrected, X cancelled
    loinc: str | None = None


@dataclass(frozen=True)
class ReportIn:
    """One report (an OBR with its OBXs / a DiagnosticReport with its Observations)."""

    accession: str  # filler order number (OBR-3) / DiagnosticReport.identifier: the idempotency key
    placer_order: str
    kind: str  # "lab" | "imaging"
    title: str
    status: ReportStatus
    collected_at: datetime | None
    reported_at: datetime | None
    results: tuple[ResultIn, ...] = ()
    findings: str = ""  # imaging 检查所见
    conclusion: str = ""  # imaging 诊断意见
    service_code: str = ""  # OBR-4.1, e.g. the panel or exam code
    ordering_clinician_code: str = ""  # OBR-16.1 (工号)
    ordering_clinician_name: str = ""
    department_code: str = ""  # ordering department (PV1-3 / ORC-17)


@dataclass(frozen=True)
class PatientIdentifiers:
    """Who the report is about, as the hospital identifies them (never matched by name)."""

    hospital_patient_id: str | None  # PID-3 of type MR/PI (住院号/门诊号/病案号)
    resident_id: str | None  # PID-3 of type NNCHN / ID (居民身份证)
    name: str = ""
    sex: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True)
class IncomingReport:
    """A report with the patient it is about, as parsed from one message."""

    patient: PatientIdentifiers
    report: ReportIn
    message_id: str = ""  # MSH-10 / Bundle.identifier
    extra: dict = field(default_factory=dict)
