"""A hospital LIS/PACS interface engine, as far as Front Door sees one: it writes ORU^R01
messages and sends them over real MLLP (waiting for each ACK, as interface engines do), and
posts FHIR R4 transaction Bundles over HTTP with a bearer token. Tests and the demo only.

    lis = LisSimulator("H001")
    acks = lis.send_mllp("127.0.0.1", 2575, [lis.oru(patient, report)])
    lis.send_fhir("http://127.0.0.1:5000/fhir/r4", token, lis.bundle(patient, report))
"""

from __future__ import annotations

import itertools
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

START, END = b"\x0b", b"\x1c\x0d"
_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))


def escape(text: str) -> str:
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text.replace("\n", "\\.br\\")


def _urn() -> str:
    """A fresh full URL for a resource created in the same transaction."""
    return f"urn:uuid:{uuid.uuid4()}"


@dataclass(frozen=True)
class LisPatient:
    mrn: str  # the hospital's patient id (病案号)
    resident_id: str | None
    family_name: str
    given_name: str
    sex: str  # M / F
    birth: str  # YYYYMMDD


@dataclass(frozen=True)
class LisResult:
    code: str
    name: str
    value: str
    unit: str = ""
    reference: str = ""
    flag: str = ""
    value_type: str = "NM"
    loinc: str | None = None


@dataclass(frozen=True)
class LisReport:
    accession: str
    service: tuple[str, str]  # (code, name)
    collected: datetime
    reported: datetime
    results: tuple[LisResult, ...] = ()
    status: str = "F"
    section: str = "LAB"
    orderer: tuple[str, str] = ("", "")  # (工号, name)
    department: str = ""
    findings: str = ""
    impression: str = ""


@dataclass
class LisSimulator:
    facility: str
    application: str = "LIS"
    charset: str = "UNICODE UTF-8"
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))

    def oru(self, patient: LisPatient, *reports: LisReport, control_id: str | None = None) -> bytes:
        """One ORU^R01 (several OBR when given several reports), encoded as MSH-18 says."""
        stamp = datetime.now().strftime("%Y%m%d%H%M%S")
        control = control_id or f"{self.application}{stamp}{next(self._serial):04d}"
        ids = f"{patient.mrn}^^^{self.facility}^MR"
        if patient.resident_id:
            ids += f"~{patient.resident_id}^^^CHN^NNCHN"
        segments = [
            f"MSH|^~\\&|{self.application}|{self.facility}|FRONTDOOR|FRONTDOOR|{stamp}||"
            f"ORU^R01^ORU_R01|{control}|P|2.5|||||CHN|{self.charset}",
            f"PID|1||{ids}||{escape(patient.family_name)}^{escape(patient.given_name)}||"
            f"{patient.birth}|{patient.sex}",
        ]
        department = next((r.department for r in reports if r.department), "")
        if department:
            segments.append(f"PV1|1|O|{department}")
        for number, report in enumerate(reports, start=1):
            obr = [""] * 26
            obr[1], obr[3] = str(number), report.accession
            obr[4] = f"{report.service[0]}^{escape(report.service[1])}"
            obr[7] = f"{report.collected:%Y%m%d%H%M%S}"
            obr[16] = f"{report.orderer[0]}^{escape(report.orderer[1])}" \
                if report.orderer[0] else ""
            obr[22], obr[24] = f"{report.reported:%Y%m%d%H%M%S}", report.section
            obr[25] = report.status
            segments.append("OBR|" + "|".join(obr[1:]))
            segments.extend(self._obx(report))
        codec = "gb18030" if "GB18030" in self.charset else "utf-8"
        return ("\r".join(segments) + "\r").encode(codec)

    def _obx(self, report: LisReport) -> list[str]:
        lines = []
        seq = itertools.count(1)
        for result in report.results:
            ident = f"{result.loinc}^{escape(result.name)}^LN" if result.loinc \
                else f"{result.code}^{escape(result.name)}^L"
            lines.append(f"OBX|{next(seq)}|{result.value_type}|{ident}||{result.value}|"
                         f"{escape(result.unit)}|{escape(result.reference)}|{result.flag}|||"
                         f"{'C' if report.status == 'C' else 'F'}")
        for code, label, text in (("FINDINGS", "检查所见", report.findings),
                                  ("IMPRESSION", "诊断意见", report.impression)):
            if text:
                lines.append(f"OBX|{next(seq)}|TX|{code}^{label}||{escape(text)}||||||F")
        return lines

    @staticmethod
    def send_mllp(host: str, port: int, messages: list[bytes],
                  timeout: float = 30) -> list[bytes]:
        """Send each message over one connection and return each ACK (unframed)."""
        with socket.create_connection((host, port), timeout=timeout) as sock:
            return LisSimulator.send_mllp_on(sock, messages)

    @staticmethod
    def send_mllp_on(sock: socket.socket, messages: list[bytes]) -> list[bytes]:
        """Send on an open connection, one message at a time, each waiting for its ACK."""
        acks = []
        for message in messages:
            sock.sendall(START + message + END)
            buffer = b""
            while END not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the receiver closed the connection before the ACK")
                buffer += chunk
            acks.append(buffer[buffer.index(START) + 1:buffer.index(END)])
        return acks

    def bundle(self, patient: LisPatient, report: LisReport) -> dict[str, Any]:
        """The same report as a FHIR R4 transaction Bundle."""
        patient_url, request_url = _urn(), _urn()
        identifiers = [{"type": {"coding": [{"code": "MR"}]}, "value": patient.mrn}]
        if patient.resident_id:
            identifiers.append({"type": {"coding": [{"code": "NNCHN"}]},
                                "value": patient.resident_id})
        entries = [
            {"fullUrl": patient_url, "request": {"method": "POST", "url": "Patient"},
             "resource": {"resourceType": "Patient", "identifier": identifiers,
                          "name": [{"text": patient.family_name + patient.given_name}],
                          "gender": {"M": "male", "F": "female"}[patient.sex],
                          "birthDate": f"{patient.birth[:4]}-{patient.birth[4:6]}-"
                                       f"{patient.birth[6:8]}"}},
            {"fullUrl": request_url, "request": {"method": "POST", "url": "ServiceRequest"},
             "resource": {"resourceType": "ServiceRequest", "status": "completed",
                          "intent": "order", "subject": {"reference": patient_url},
                          "requester": {"identifier": {"value": report.orderer[0]},
                                        "display": report.orderer[1]}}},
        ]
        result_refs = []
        for result in report.results:
            url = _urn()
            result_refs.append({"reference": url})
            coding = [{"system": "urn:oid:2.16.156.99999.1.9", "code": result.code,
                       "display": result.name}]
            if result.loinc:
                coding.insert(0, {"system": "http://loinc.org", "code": result.loinc})
            observation = {"resourceType": "Observation",
                           "status": "corrected" if report.status == "C" else "final",
                           "code": {"coding": coding, "text": result.name},
                           "subject": {"reference": patient_url}}
            if result.value_type == "NM":
                observation["valueQuantity"] = {"value": float(result.value),
                                                "unit": result.unit}
            else:
                observation["valueString"] = result.value
            if result.flag:
                observation["interpretation"] = [{"coding": [{"code": result.flag}]}]
            if result.reference:
                observation["referenceRange"] = [{"text": result.reference}]
            entries.append({"fullUrl": url, "resource": observation,
                            "request": {"method": "POST", "url": "Observation"}})
        status = {"F": "final", "P": "preliminary", "C": "corrected", "X": "cancelled"}
        entries.append({"fullUrl": _urn(), "request": {"method": "POST",
                                                      "url": "DiagnosticReport"},
                        "resource": {
                            "resourceType": "DiagnosticReport",
                            "identifier": [{"type": {"coding": [{"code": "FILL"}]},
                                            "value": report.accession}],
                            "basedOn": [{"reference": request_url}],
                            "status": status[report.status],
                            "category": [{"coding": [{"code": report.section}]}],
                            "code": {"coding": [{"code": report.service[0]}],
                                     "text": report.service[1]},
                            "subject": {"reference": patient_url},
                            "effectiveDateTime": report.collected.isoformat(),
                            "issued": report.reported.isoformat(),
                            "result": result_refs,
                            **({"conclusion": report.impression} if report.impression
                               else {})}})
        return {"resourceType": "Bundle", "type": "transaction",
                "identifier": {"value": f"{self.application}-{report.accession}"},
                "entry": entries}

    @staticmethod
    def send_fhir(base_url: str, token: str, bundle: dict[str, Any],
                  timeout: float = 30) -> requests.Response:
        return requests.post(f"{base_url.rstrip('/')}/Bundle", json=bundle, timeout=timeout,
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": "application/fhir+json"})
