"""Readings from a home device gateway as HL7 FHIR R4 Observations (the way the Continua /
Personal Health Device guide has gateways upload blood-pressure monitors and glucometers).

A gateway posts a `batch` Bundle; each Observation names the resident by 居民身份证号 in
`subject.identifier` and carries its own `identifier` (the device's id of the reading, for
idempotency). Each entry is mapped on its own: one bad entry is answered with its
OperationOutcome, the others still count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

from backend.interop.fhir_bundle import RESIDENT_ID_SYSTEM

CODES_FILE = Path(__file__).with_name("home_device_codes.yaml")
MAX_ENTRIES = 100


class DeviceReadingError(ValueError):
    """One entry that cannot be read; the message is for the gateway's operator."""


@dataclass(frozen=True)
class DeviceReading:
    reading_id: str  # the device's own id of this measurement
    document_number: str  # 居民身份证号 of the resident measured
    measured_at: datetime
    data: dict[str, Any]  # as the mini-program sends it: kind, systolic…, glucose, timing


@cache
def _codes() -> dict[str, Any]:
    return yaml.safe_load(CODES_FILE.read_text(encoding="utf-8"))


def entries(bundle: Any) -> list[dict[str, Any]]:
    """The Observations of a batch Bundle (raises DeviceReadingError for the whole Bundle)."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle" or \
            bundle.get("type") != "batch":
        raise DeviceReadingError("需要 type 为 batch 的 Bundle")
    items = bundle.get("entry") or []
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ENTRIES:
        raise DeviceReadingError(f"Bundle 需要 1 到 {MAX_ENTRIES} 条 entry")
    return [item.get("resource") if isinstance(item, dict) else None for item in items]


def read_observation(resource: Any) -> DeviceReading:
    """One Observation → one reading; a clear reason when it cannot be used."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
        raise DeviceReadingError("entry.resource 必须是 Observation")
    try:
        observation = Observation.model_validate(resource)
    except ValidationError as error:
        raise DeviceReadingError(f"Observation 不符合 FHIR R4: {error.errors()[0]['msg']}") \
            from error
    if observation.status not in ("final", "amended", "corrected"):
        raise DeviceReadingError("只接收 status 为 final 的测量")
    reading_id = next((i.value for i in observation.identifier or [] if i.value), None)
    if not reading_id or len(reading_id) > 100:
        raise DeviceReadingError("Observation.identifier 缺少设备的测量编号")
    subject = observation.subject.identifier if observation.subject else None
    if subject is None or subject.system != RESIDENT_ID_SYSTEM or not subject.value:
        raise DeviceReadingError(f"subject.identifier 需要 {RESIDENT_ID_SYSTEM} 的居民身份证号")
    when = observation.effectiveDateTime
    if not isinstance(when, datetime) or when.tzinfo is None:
        raise DeviceReadingError("effectiveDateTime 需要带时区的测量时间")
    codes = {c.code for c in observation.code.coding or [] if c.system == "http://loinc.org"}
    return DeviceReading(reading_id, subject.value, when, _data(observation, codes))


def _data(observation: Observation, codes: set[str]) -> dict[str, Any]:
    table = _codes()
    if table["blood_pressure_panel"] in codes:
        data: dict[str, Any] = {"kind": "blood_pressure"}
        for component in observation.component or []:
            for coding in component.code.coding or []:
                spec = table["components"].get(coding.code)
                if spec and coding.system == "http://loinc.org":
                    data[spec["reading"]] = _value(component.valueQuantity, spec["unit"])
        if "systolic" not in data or "diastolic" not in data:
            raise DeviceReadingError("血压 Observation 需要收缩压 8480-6 和舒张压 8462-4")
        return {key: round(value) if key != "kind" else value for key, value in data.items()}
    glucose = [table["glucose"][code] for code in codes if code in table["glucose"]]
    if glucose:
        spec = glucose[0]
        return {"kind": "glucose", "timing": spec["timing"],
                "glucose": _value(observation.valueQuantity, spec["unit"])}
    body = [table["body"][code] for code in sorted(codes) if code in table["body"]]
    if body:
        spec = body[0]
        return {"kind": spec["kind"],
                spec["kind"]: _value(observation.valueQuantity, spec["unit"])}
    raise DeviceReadingError("只接收血压（LOINC 85354-9）、血糖（14771-0、15074-8）、"
                             "体重（29463-7）、血氧饱和度（59408-5、2708-6）和体温（8310-5）")


def _value(quantity: Any, unit: str) -> float:
    if quantity is None or quantity.value is None:
        raise DeviceReadingError("缺少 valueQuantity")
    if quantity.code != unit:
        raise DeviceReadingError(f"单位需要 UCUM {unit}，收到 {quantity.code}")
    return float(quantity.value)
