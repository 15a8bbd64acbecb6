"""Read a public-health system's resident file (CSV or a FHIR R4 Bundle of Patients) into
checked rows, each with the line (or bundle entry) it came from.

Why a separate step: an import is all or nothing, so every row is checked before anything is
written, and the person fixing the file gets every problem at once with its place.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.interop.fhir_bundle import RESIDENT_ID_SYSTEM, SID
from backend.security.identity_docs import (
    EARLIEST_BIRTH,
    DocumentError,
    DocumentType,
    normalize_document,
    normalize_mobile,
    parse_resident_id,
)

MAX_ROWS = 200_000  # a bigger district export is split into files of this many residents
MAX_FILE_BYTES = 256 * 2**20
MAX_NAME = 50
PROGRAMME_NAMES = {"hypertension": "hypertension", "高血压": "hypertension",
                   "type2_diabetes": "type2_diabetes", "2型糖尿病": "type2_diabetes",
                   "糖尿病": "type2_diabetes"}
SEXES = {"male": "male", "男": "male", "female": "female", "女": "female"}
CSV_COLUMNS = ("health_record_number", "name", "sex", "birth_date", "document_type",
               "document_number", "phone", "programmes", "diagnosed_on", "doctor",
               "management_level")
REQUIRED_COLUMNS = ("name", "document_number")
HEALTH_RECORD_SYSTEM = f"{SID}/health-record"


class ResidentFileError(ValueError):
    """The file cannot be read at all (not CSV/JSON, no header, too many rows)."""


@dataclass(frozen=True)
class RowProblem:
    line: str  # "line 7" in a CSV, "entry[3]" in a bundle
    reason: str

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


@dataclass(frozen=True)
class EnrolmentRow:
    programme: str
    diagnosed_on: date
    doctor_username: str
    management_level: int


@dataclass(frozen=True)
class ResidentRow:
    line: str
    name: str
    sex: str
    birth_date: date
    document_type: str
    document_number: str
    phone: str | None
    health_record_number: str | None
    enrolments: tuple[EnrolmentRow, ...] = ()


def read_file(raw: bytes, filename: str, today: date) -> tuple[list[ResidentRow],
                                                                 list[RowProblem]]:
    """Rows and problems of a whole file; the kind is told by the name (.csv / .json)."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        return read_csv(raw, today)
    if lower.endswith(".json"):
        return read_fhir_bundle(raw, today)
    raise ResidentFileError("a resident file is .csv or a FHIR Bundle in .json")


def read_csv(raw: bytes, today: date) -> tuple[list[ResidentRow], list[RowProblem]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResidentFileError(f"the CSV is not UTF-8 (byte {exc.start}); save it as UTF-8"
                                ) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ResidentFileError(f"the CSV header lacks {', '.join(missing)}; columns are "
                                f"{', '.join(CSV_COLUMNS)}")
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ResidentFileError(f"unknown CSV columns {', '.join(unknown)}; columns are "
                                f"{', '.join(CSV_COLUMNS)}")
    reader.fieldnames = header
    rows, problems = [], []
    for record in reader:
        line = f"line {reader.line_num}"
        if len(rows) + len(problems) >= MAX_ROWS:
            raise ResidentFileError(f"more than {MAX_ROWS} residents in one file; split it")
        if None in record:
            problems.append(RowProblem(line, "more values than columns"))
            continue
        fields = {k: (v or "").strip() for k, v in record.items()}
        if not any(fields.values()):
            continue  # a blank line
        try:
            rows.append(_row(line, fields, today))
        except _RowRefused as exc:
            problems.append(RowProblem(line, str(exc)))
    return rows, problems


def read_fhir_bundle(raw: bytes, today: date) -> tuple[list[ResidentRow], list[RowProblem]]:
    """A Bundle whose entries are Patient resources; the document number is the identifier
    whose system is the national one for 身份证 (or ours for other documents)."""
    try:
        bundle = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResidentFileError(f"the file is not JSON: {exc}") from exc
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise ResidentFileError("the JSON is not a FHIR Bundle (resourceType must be Bundle)")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise ResidentFileError("Bundle.entry must be a list")
    if len(entries) > MAX_ROWS:
        raise ResidentFileError(f"more than {MAX_ROWS} residents in one file; split it")
    rows, problems = [], []
    for position, entry in enumerate(entries):
        line = f"entry[{position}]"
        try:
            rows.append(_row(line, _patient_fields(entry), today))
        except _RowRefused as exc:
            problems.append(RowProblem(line, str(exc)))
    return rows, problems


class _RowRefused(ValueError):
    pass


def _patient_fields(entry: Any) -> dict[str, str]:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
        raise _RowRefused("not a Patient resource")
    fields: dict[str, str] = {"sex": str(resource.get("gender") or ""),
                              "birth_date": str(resource.get("birthDate") or "")}
    names = resource.get("name") or []
    first = names[0] if isinstance(names, list) and names and isinstance(names[0], dict) else {}
    fields["name"] = str(first.get("text") or (str(first.get("family") or "") + "".join(
        str(g) for g in first.get("given") or [])))
    systems = {RESIDENT_ID_SYSTEM: DocumentType.RESIDENT_ID.value}
    systems.update({f"{SID}/{d.value}": d.value for d in DocumentType})
    for identifier in resource.get("identifier") or []:
        if not isinstance(identifier, dict):
            continue
        system, value = identifier.get("system"), str(identifier.get("value") or "")
        if system == HEALTH_RECORD_SYSTEM:
            fields["health_record_number"] = value
        elif system in systems and "document_number" not in fields:
            fields["document_type"], fields["document_number"] = systems[system], value
    for telecom in resource.get("telecom") or []:
        if isinstance(telecom, dict) and telecom.get("system") == "phone":
            fields["phone"] = str(telecom.get("value") or "")
            break
    if "document_number" not in fields:
        raise _RowRefused(f"no identity document (identifier system {RESIDENT_ID_SYSTEM})")
    return {k: v.strip() for k, v in fields.items()}


def _row(line: str, fields: dict[str, str], today: date) -> ResidentRow:
    name = fields.get("name", "")
    if not name or len(name) > MAX_NAME:
        raise _RowRefused(f"name is empty or longer than {MAX_NAME} characters")
    doc_type = fields.get("document_type") or DocumentType.RESIDENT_ID.value
    try:
        number = normalize_document(DocumentType(doc_type), fields.get("document_number", ""),
                                    today=today)
    except ValueError as exc:  # DocumentError, or an unknown document type
        reason = str(exc) if isinstance(exc, DocumentError) else f"unknown document_type {doc_type}"
        raise _RowRefused(f"document_number: {reason}") from exc
    sex = SEXES.get(fields.get("sex", "").lower()) if fields.get("sex") else None
    if fields.get("sex") and sex is None:
        raise _RowRefused(f"sex must be male/female (男/女), not {fields['sex']!r}")
    birth = _date(fields.get("birth_date", ""), "birth_date") if fields.get("birth_date") else None
    if doc_type == DocumentType.RESIDENT_ID:
        parsed = parse_resident_id(number, today)
        if sex and sex != parsed.sex:
            raise _RowRefused("sex does not match the resident ID number")
        if birth and birth != parsed.birth_date:
            raise _RowRefused("birth_date does not match the resident ID number")
        sex, birth = parsed.sex, parsed.birth_date
    if sex is None or birth is None:
        raise _RowRefused("sex and birth_date are required for this document type")
    if not EARLIEST_BIRTH <= birth <= today:
        raise _RowRefused(f"birth_date {birth} is not possible")
    phone = None
    if fields.get("phone"):
        try:
            phone = normalize_mobile(fields["phone"])
        except DocumentError as exc:
            raise _RowRefused(f"phone: {exc}") from exc
    record_number = fields.get("health_record_number") or None
    if record_number and len(record_number) > 32:
        raise _RowRefused("health_record_number is longer than 32 characters")
    return ResidentRow(line=line, name=name, sex=sex, birth_date=birth, document_type=doc_type,
                       document_number=number, phone=phone, health_record_number=record_number,
                       enrolments=_enrolments(fields, birth, today))


def _enrolments(fields: dict[str, str], birth: date, today: date) -> tuple[EnrolmentRow, ...]:
    names = [p.strip() for p in fields.get("programmes", "").replace("；", ";").split(";")
             if p.strip()]
    if not names:
        return ()
    programmes = []
    for name in names:
        if name not in PROGRAMME_NAMES:
            raise _RowRefused(f"unknown programme {name!r}; known: hypertension, type2_diabetes")
        programmes.append(PROGRAMME_NAMES[name])
    if len(set(programmes)) != len(programmes):
        raise _RowRefused("a programme is named twice")
    diagnosed = _date(fields.get("diagnosed_on", ""), "diagnosed_on")
    if not birth <= diagnosed <= today:
        raise _RowRefused("diagnosed_on must be between birth and today")
    doctor = fields.get("doctor", "").lower()
    if not doctor:
        raise _RowRefused("doctor (the responsible family doctor's username) is required "
                          "with a programme")
    level_text = fields.get("management_level") or "1"
    if level_text not in ("1", "2", "3"):
        raise _RowRefused(f"management_level must be 1, 2 or 3, not {level_text!r}")
    return tuple(EnrolmentRow(p, diagnosed, doctor, int(level_text)) for p in programmes)


def _date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _RowRefused(f"{name} must be a date like 2024-03-01, not {text!r}") from exc
