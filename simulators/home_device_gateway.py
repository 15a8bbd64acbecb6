"""A home device gateway (家庭智能设备网关) as it talks to Front Door: it collects measurements
from a resident's blood-pressure monitor, glucometer, scale, pulse oximeter and thermometer
and uploads them as a FHIR R4 `batch`
Bundle of Observations (LOINC-coded, UCUM units, the device's own id of each measurement in
`identifier`), keeping what was not accepted to upload again, as such gateways store and forward.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RESIDENT_ID_SYSTEM = "urn:oid:2.16.156.10011.1.3"


@dataclass
class HomeDeviceGateway:
    serial: str  # the gateway's own serial number, prefix of its measurement ids
    pending: list[dict[str, Any]] = field(default_factory=list)
    _count: itertools.count = field(default_factory=lambda: itertools.count(1))

    def blood_pressure(self, document_number: str, at: datetime, systolic: int,
                       diastolic: int, pulse: int | None = None) -> str:
        components = [_component("8480-6", "Systolic blood pressure", systolic, "mm[Hg]"),
                      _component("8462-4", "Diastolic blood pressure", diastolic, "mm[Hg]")]
        if pulse is not None:
            components.append(_component("8867-4", "Heart rate", pulse, "/min"))
        return self._measure(document_number, at, {
            "code": _code("85354-9", "Blood pressure panel with all children optional"),
            "component": components})

    def glucose(self, document_number: str, at: datetime, mmol_per_l: float,
                fasting: bool) -> str:
        code = ("14771-0", "Fasting glucose [Moles/volume] in Serum or Plasma") if fasting \
            else ("15074-8", "Glucose [Moles/volume] in Blood")
        return self._measure(document_number, at, {
            "code": _code(*code), "valueQuantity": _quantity(mmol_per_l, "mmol/L")})

    def weight(self, document_number: str, at: datetime, kg: float) -> str:
        return self._measure(document_number, at, {
            "code": _code("29463-7", "Body weight"), "valueQuantity": _quantity(kg, "kg")})

    def spo2(self, document_number: str, at: datetime, percent: float) -> str:
        return self._measure(document_number, at, {
            "code": _code("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
            "valueQuantity": _quantity(percent, "%")})

    def temperature(self, document_number: str, at: datetime, celsius: float) -> str:
        return self._measure(document_number, at, {
            "code": _code("8310-5", "Body temperature"),
            "valueQuantity": _quantity(celsius, "Cel")})

    def bundle(self) -> dict[str, Any]:
        """What the gateway posts now: every measurement not yet accepted."""
        return {"resourceType": "Bundle", "type": "batch",
                "entry": [{"resource": r, "request": {"method": "POST", "url": "Observation"}}
                          for r in self.pending]}

    def accepted(self, response: dict[str, Any]) -> None:
        """Drop what the server took (201 or 200: already had it); keep the rest to retry."""
        kept = [resource for resource, answer in zip(self.pending, response["entry"],
                                                     strict=True)
                if not answer["response"]["status"].startswith(("200", "201"))]
        self.pending = kept

    def _measure(self, document_number: str, at: datetime, body: dict[str, Any]) -> str:
        reading_id = f"{self.serial}-{next(self._count):06d}"
        self.pending.append({
            "resourceType": "Observation", "status": "final",
            "identifier": [{"system": f"urn:frontdoor:gateway:{self.serial}", "value": reading_id}],
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "vital-signs"}]}],
            "subject": {"identifier": {"system": RESIDENT_ID_SYSTEM, "value": document_number}},
            "effectiveDateTime": at.isoformat(), **body})
        return reading_id


def _code(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


def _component(code: str, display: str, value: float, unit: str) -> dict[str, Any]:
    return {"code": _code(code, display), "valueQuantity": _quantity(value, unit)}
