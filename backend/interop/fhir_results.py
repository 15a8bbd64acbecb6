"""FHIR R4 results in: a transaction Bundle of DiagnosticReport + Observation (+ Patient,
ServiceRequest), validated with fhir.resources (R4B models), read into `reports.model`.

Accession = the DiagnosticReport identifier (type FILL when several). Status: registered,
partial and preliminary are preliminary; final; amended, corrected and appended are a
correction; cancelled and entered-in-error withdraw the report. The patient comes from the
Patient the report's subject points to: an identifier typed MR/PI (the hospital's id) and one
typed NNCHN/NI (the resident ID). The orderer comes from the ServiceRequest in basedOn.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from reports.model import (
    IncomingReport,
    PatientIdentifiers,
    ReportIn,
    ReportStatus,
    ResultIn,
)

CST = ZoneInfo("Asia/Shanghai")
LOINC = "http://loinc.org"
_STATUS = {"registered": ReportStatus.PRELIMINARY, "partial": ReportStatus.PRELIMINARY,
           "preliminary": ReportStatus.PRELIMINARY, "final": ReportStatus.FINAL,
           "amended": ReportStatus.CORRECTED, "corrected": ReportStatus.CORRECTED,
           "appended": ReportStatus.CORRECTED, "cancelled": ReportStatus.CANCELLED,
           "entered-in-error": ReportStatus.CANCELLED}
_OBS_STATUS = {"registered": "P", "preliminary": "P", "final": "F", "amended": "C",
               "corrected": "C", "cancelled": "X", "entered-in-error": "X"}
_IMAGING = {"RAD", "IMG", "CT", "MR", "US", "XR", "DX", "NM", "18748-4"}
_FINDINGS = {"18782-3"}
MAX_ENTRIES = 2000


class FhirRefused(Exception):
    """The Bundle cannot be taken; the reason is for the sender (OperationOutcome)."""


def _refuse(reason: str):
    raise FhirRefused(reason)


def parse_bundle(body: Any) -> tuple[str, list[IncomingReport]]:
    """(Bundle identifier, reports) or FhirRefused."""
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        _refuse("请求体不是 FHIR Bundle")
    if body.get("type") != "transaction":
        _refuse("Bundle.type 必须是 transaction")
    if len(body.get("entry") or []) > MAX_ENTRIES:
        _refuse(f"Bundle 条目超过 {MAX_ENTRIES} 条")
    try:
        bundle = Bundle.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        _refuse(f"FHIR 校验不通过：{where} {first.get('msg', '')}".strip())
    resources = {}
    for entry in bundle.entry or []:
        resource = entry.resource
        if resource is None:
            _refuse("Bundle.entry 缺少 resource")
        data = resource.model_dump(mode="json", exclude_none=True)
        for key in filter(None, (entry.fullUrl, _local(data))):
            resources[key] = data
    reports = [r for r in resources.values() if r["resourceType"] == "DiagnosticReport"]
    reports = list({id(r): r for r in reports}.values())
    if not reports:
        _refuse("Bundle 里没有 DiagnosticReport")
    identifier = (bundle.identifier.value if bundle.identifier else None) or ""
    return identifier, [_report(r, resources, identifier) for r in reports]


def _local(resource: dict) -> str | None:
    return f"{resource['resourceType']}/{resource['id']}" if resource.get("id") else None


def _ref(reference: dict | None, resources: dict) -> dict | None:
    if not reference or not reference.get("reference"):
        return None
    return resources.get(reference["reference"])


def _text(concept: dict | None) -> str:
    if not concept:
        return ""
    codings = concept.get("coding") or []
    return concept.get("text") or next((c.get("display") for c in codings if c.get("display")),
                                       "") or next((c.get("code") for c in codings), "")


def _codes(concept: dict | None) -> tuple[str, str | None]:
    """(local code, LOINC code) of a CodeableConcept."""
    codings = (concept or {}).get("coding") or []
    loinc = next((c.get("code") for c in codings if c.get("system") == LOINC), None)
    local = next((c.get("code") for c in codings if c.get("system") != LOINC and c.get("code")),
                 None)
    return local or loinc or _text(concept), loinc


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CST)
    return moment.astimezone(UTC)


def _identifier_kind(identifier: dict) -> str:
    codes = {c.get("code", "").upper()
             for c in ((identifier.get("type") or {}).get("coding") or [])}
    if codes & {"NNCHN", "NI", "CZ", "ID"}:
        return "resident"
    if codes & {"MR", "PI", "PT"}:
        return "hospital"
    return ""


def _patient(report: dict, resources: dict) -> PatientIdentifiers:
    patient = _ref(report.get("subject"), resources)
    if patient is None or patient.get("resourceType") != "Patient":
        _refuse("DiagnosticReport.subject 必须指向 Bundle 里的 Patient")
    hospital = resident = None
    for identifier in patient.get("identifier") or []:
        kind, value = _identifier_kind(identifier), (identifier.get("value") or "").strip()
        if value and kind == "resident":
            resident = resident or value
        elif value and kind == "hospital":
            hospital = hospital or value
    if hospital is None and resident is None:
        _refuse("Patient.identifier 里没有医院患者号（MR）或身份证号（NNCHN）")
    names = patient.get("name") or [{}]
    name = names[0].get("text") or "".join([names[0].get("family", ""),
                                           *names[0].get("given", [])])
    sex = {"male": "male", "female": "female"}.get(patient.get("gender", ""))
    birth = patient.get("birthDate")
    return PatientIdentifiers(hospital, resident, name, sex,
                              date.fromisoformat(birth) if birth else None)


def _accession(report: dict) -> str:
    identifiers = report.get("identifier") or []
    filler = [i for i in identifiers if any(
        c.get("code") == "FILL" for c in ((i.get("type") or {}).get("coding") or []))]
    chosen = (filler or identifiers or [{}])[0].get("value", "").strip()
    if not chosen:
        _refuse("DiagnosticReport.identifier 报告单号为空")
    return chosen[:64]


def _number(quantity: dict | None) -> float | None:
    """A Quantity's value (fhir.resources dumps decimals as text)."""
    if not quantity or quantity.get("value") is None:
        return None
    return float(quantity["value"])


def _result(seq: int, observation: dict) -> ResultIn:
    code, loinc = _codes(observation.get("code"))
    name = _text(observation.get("code")) or code
    value_type, value, unit = "ST", "", ""
    if "valueQuantity" in observation:
        quantity = observation["valueQuantity"]
        if "value" not in quantity:
            _refuse(f"Observation {name} 的 valueQuantity 没有数值")
        comparator = quantity.get("comparator", "")
        value_type = "SN" if comparator else "NM"
        number = f"{_number(quantity):g}"
        value = f"{comparator}^{number}" if comparator else number
        unit = quantity.get("unit") or quantity.get("code") or ""
    elif "valueString" in observation:
        value = observation["valueString"]
    elif "valueCodeableConcept" in observation:
        value_type, value = "CE", _text(observation["valueCodeableConcept"])
    else:
        _refuse(f"Observation {name} 没有结果值")
    reference = (observation.get("referenceRange") or [{}])[0]
    low, high = _number(reference.get("low")), _number(reference.get("high"))
    if reference.get("text"):
        range_text = reference["text"]
    elif low is not None and high is not None:
        range_text = f"{low:g}-{high:g}"
    elif high is not None:
        range_text = f"<{high:g}"
    elif low is not None:
        range_text = f">{low:g}"
    else:
        range_text = ""
    flag = next((c.get("code", "") for i in observation.get("interpretation") or []
                 for c in i.get("coding") or []), "")
    status = _OBS_STATUS.get(observation.get("status", ""))
    if status is None:
        _refuse(f"Observation {name} 的 status {observation.get('status')} 无法识别")
    return ResultIn(seq, code[:64], name[:100], value_type, str(value), unit, range_text,
                    flag, status, loinc)


def _report(report: dict, resources: dict, bundle_id: str) -> IncomingReport:
    status = _STATUS.get(report.get("status", ""))
    if status is None:
        _refuse(f"DiagnosticReport.status {report.get('status')} 无法识别")
    categories = {c.get("code", "").upper() for cat in report.get("category") or []
                  for c in cat.get("coding") or []}
    results, findings = [], []
    for seq, reference in enumerate(report.get("result") or [], start=1):
        observation = _ref(reference, resources)
        if observation is None or observation.get("resourceType") != "Observation":
            _refuse(f"DiagnosticReport.result {reference.get('reference')} 不在 Bundle 里")
        if set(_codes(observation.get("code"))) & _FINDINGS:
            findings.append(observation.get("valueString", ""))
            continue
        results.append(_result(seq, observation))
    if status != ReportStatus.CANCELLED and any(r.status == "C" for r in results):
        status = ReportStatus.CORRECTED
    orderer = {}
    for based_on in report.get("basedOn") or []:
        request = _ref(based_on, resources) or {}
        orderer = request.get("requester") or orderer
    conclusion = report.get("conclusion", "")
    if not results and not conclusion and status != ReportStatus.CANCELLED:
        _refuse("DiagnosticReport 没有结果（result）也没有结论（conclusion）")
    return IncomingReport(_patient(report, resources), ReportIn(
        accession=_accession(report), placer_order="",
        kind="imaging" if categories & _IMAGING or findings else "lab",
        title=(_text(report.get("code")) or "检查报告")[:100], status=status,
        collected_at=_moment(report.get("effectiveDateTime")),
        reported_at=_moment(report.get("issued")), results=tuple(results),
        findings="\n".join(findings), conclusion=conclusion,
        service_code=_codes(report.get("code"))[0][:64],
        ordering_clinician_code=((orderer.get("identifier") or {}).get("value") or "")[:32],
        ordering_clinician_name=(orderer.get("display") or "")[:50]), bundle_id)
