"""HL7 v2 ORU^R01 (results) from a hospital's LIS/PACS, read with python-hl7, and the ACK.

What Chinese interfaces send: several OBR per message (one report each), OBX values NM, ST,
TX, FT, SN and CE, repeats (`~`), escapes (`\\F\\`, `\\S\\`, `\\T\\`, `\\R\\`, `\\E\\`, `\\.br\\`),
components, and text in UTF-8 or GB18030 as MSH-18 says (UTF-8 when it says nothing, GB18030
when such a message is not valid UTF-8). Imaging reports carry 检查所见 and 诊断意见 as TX/FT
OBX lines. An envelope we cannot take is refused with AR; a message whose content is wrong
gets AE; both name the reason in MSA-3/ERR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import hl7
from hl7.exceptions import ParseException

from reports.model import (
    IncomingReport,
    PatientIdentifiers,
    ReportIn,
    ReportStatus,
    ResultIn,
)

CST = ZoneInfo("Asia/Shanghai")
START, END = b"\x0b", b"\x1c\x0d"
VALUE_TYPES = {"NM", "ST", "TX", "FT", "SN", "CE", "CWE"}
_CHARSETS = {"": "utf-8", "UNICODE UTF-8": "utf-8", "UTF-8": "utf-8", "UTF8": "utf-8",
             "GB18030": "gb18030", "GB 18030-2000": "gb18030", "GB18030-2005": "gb18030",
             "GB18030-2022": "gb18030", "GBK": "gb18030", "GB2312": "gb18030",
             "ASCII": "ascii", "8859/1": "latin-1"}
_STATUS = {"P": ReportStatus.PRELIMINARY, "A": ReportStatus.PRELIMINARY,
           "F": ReportStatus.FINAL, "C": ReportStatus.CORRECTED, "X": ReportStatus.CANCELLED}
_MR_TYPES = {"MR", "PI", "PT", "PN", "AN", "VN"}  # 病案号 / 患者ID / 门诊号
_RESIDENT_TYPES = {"NNCHN", "ID", "NI", "CN", "SFZ"}  # 居民身份证
IMAGING_SECTIONS = {"CT", "MR", "MRI", "US", "RAD", "XR", "DX", "CR", "RX", "NMR", "NM-IMG",
                    "MG", "RF", "PET", "超声", "放射"}
FINDINGS = {"18782-3", "FINDINGS", "检查所见", "所见", "影像所见", "超声所见"}
IMPRESSION = {"19005-8", "IMPRESSION", "诊断意见", "印象", "影像诊断", "超声提示", "结论"}
_TS = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")


class Hl7Refused(Exception):
    """The message cannot be taken; `code` is AR (envelope) or AE (content)."""

    def __init__(self, code: str, reason: str, control_id: str = "") -> None:
        super().__init__(reason)
        self.code, self.reason, self.control_id = code, reason, control_id


@dataclass(frozen=True)
class OruMessage:
    control_id: str
    sending_application: str
    sending_facility: str  # MSH-4: the organization code
    receiving_application: str
    receiving_facility: str
    version: str
    charset: str
    reports: tuple[IncomingReport, ...]


def frame(message: str, encoding: str = "utf-8") -> bytes:
    """MLLP framing of one message (segments separated by carriage returns)."""
    return START + message.replace("\n", "\r").encode(encoding) + END


def _msh_fields(raw: bytes) -> list[bytes]:
    first = raw.split(b"\r", 1)[0].split(b"\n", 1)[0]
    if not first.startswith(b"MSH") or len(first) < 8:
        raise Hl7Refused("AR", "消息不是以 MSH 段开头")
    separator = first[3:4]
    return [b"MSH", separator, *first[4:].split(separator)]


def decode(raw: bytes) -> tuple[str, str]:
    """The message text and the charset used: MSH-18 first, else UTF-8, else GB18030."""
    fields = _msh_fields(raw)
    declared = fields[18].decode("ascii", "replace").strip().upper() if len(fields) > 18 else ""
    declared = declared.split("^")[0].split("~")[0]
    if declared not in _CHARSETS:
        raise Hl7Refused("AR", f"MSH-18 字符集 {declared} 不受支持",
                         _control_id(fields))
    codec = _CHARSETS[declared]
    try:
        return raw.decode(codec), codec
    except UnicodeDecodeError:
        if declared:
            raise Hl7Refused("AE", f"消息内容不是 MSH-18 声明的 {declared} 编码",
                             _control_id(fields)) from None
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise Hl7Refused("AE", "消息编码无法识别（既不是 UTF-8 也不是 GB18030）",
                             _control_id(fields)) from None


def sending_facility(raw: bytes) -> str:
    """MSH-4.1 read from the raw bytes (ASCII), for routing a message that cannot be parsed."""
    fields = _msh_fields(raw)
    if len(fields) <= 4:
        return ""
    return fields[4].decode("ascii", "replace").split("^")[0].strip()


def _control_id(fields: list[bytes]) -> str:
    return fields[10].decode("ascii", "replace").strip() if len(fields) > 10 else ""


def parse_oru(raw: bytes) -> OruMessage:
    text, codec = decode(raw)
    return parse_oru_text(text, codec)


def parse_oru_text(text: str, codec: str = "utf-8") -> OruMessage:
    """An already decoded message (e.g. one kept in the dead-letter table)."""
    text = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r")
    try:
        message = hl7.parse(text)
    except ParseException as exc:
        raise Hl7Refused("AR", f"消息无法解析：{exc}") from exc
    msh = message.segment("MSH")
    control_id = _text(message, msh, 10)
    message_type = f"{_part(msh, 9, 1)}^{_part(msh, 9, 2)}"
    if message_type != "ORU^R01":
        raise Hl7Refused("AR", f"只接收 ORU^R01，收到的是 {message_type}", control_id)
    if not control_id:
        raise Hl7Refused("AR", "MSH-10 消息控制号为空")
    facility = _part(msh, 4, 1)
    if not facility:
        raise Hl7Refused("AR", "MSH-4 发送机构为空", control_id)
    version = _part(msh, 12, 1)
    if not version.startswith("2."):
        raise Hl7Refused("AR", f"HL7 版本 {version or '（空）'} 不受支持", control_id)
    try:
        reports = _reports(message)
    except Hl7Refused as refused:
        refused.control_id = control_id
        raise
    except (ValueError, IndexError, KeyError) as exc:
        raise Hl7Refused("AE", f"消息内容有误：{exc}", control_id) from exc
    return OruMessage(control_id, _part(msh, 3, 1), facility, _part(msh, 5, 1),
                      _part(msh, 6, 1), version, codec, reports)


def _repetitions(segment, index: int) -> list[list[str]]:
    """A field as [repetition][component] text (subcomponents joined by "&"), however
    python-hl7 nested it (plain text, repetitions of text, or repetitions of components)."""
    field = segment[index] if len(segment) > index else None
    if not field:
        return []
    repetitions = []
    for repetition in field:
        if isinstance(repetition, str):
            repetitions.append([repetition])
            continue
        repetitions.append([part if isinstance(part, str) else "&".join(map(str, part))
                            for part in repetition])
    return [r for r in repetitions if any(r)]


def _part(segment, index: int, component: int, repetition: int = 0) -> str:
    """One component of one repetition of a field ('' when absent)."""
    repetitions = _repetitions(segment, index)
    if repetition >= len(repetitions) or component > len(repetitions[repetition]):
        return ""
    return repetitions[repetition][component - 1]


def _text(message, segment, index: int, component: int = 1) -> str:
    return message.unescape(_part(segment, index, component)).strip()


def timestamp(value: str) -> datetime | None:
    """HL7 TS, China Standard Time unless it carries an offset."""
    value = value.strip()
    if not value:
        return None
    match = _TS.match(value)
    if not match:
        raise ValueError(f"时间 {value} 格式不对")
    year, month, day, hour, minute, second, offset = match.groups()
    moment = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                      int(minute or 0), int(second or 0))
    if offset:
        sign = 1 if offset[0] == "+" else -1
        minutes = sign * (int(offset[1:3]) * 60 + int(offset[3:5]))
        return moment.replace(tzinfo=UTC) - timedelta(minutes=minutes)
    return moment.replace(tzinfo=CST).astimezone(UTC)


def _patient(message) -> PatientIdentifiers:
    try:
        pid = message.segment("PID")
    except KeyError:
        raise Hl7Refused("AE", "缺少 PID 段") from None
    hospital_id = resident_id = None
    for components in _repetitions(pid, 3):
        value = message.unescape(components[0]).strip() if components else ""
        kind = components[4].strip().upper() if len(components) > 4 else ""
        if not value:
            continue
        if kind in _RESIDENT_TYPES and resident_id is None:
            resident_id = value
        elif kind in _MR_TYPES or not kind:
            hospital_id = hospital_id or value
    if hospital_id is None and resident_id is None:
        raise Hl7Refused("AE", "PID-3 没有患者标识")
    name = _text(message, pid, 5, 1) + _text(message, pid, 5, 2)
    birth = _text(message, pid, 7)
    sex = {"M": "male", "F": "female"}.get(_text(message, pid, 8).upper())
    return PatientIdentifiers(hospital_id, resident_id, name, sex, _date(birth))


def _date(value: str) -> date | None:
    if len(value) < 8:
        return None
    return date(int(value[:4]), int(value[4:6]), int(value[6:8]))


def _department(message) -> str:
    """PV1-3.1, the point of care (the ordering department's code), when the LIS sends PV1."""
    try:
        return _text(message, message.segment("PV1"), 3)
    except KeyError:
        return ""


def _reports(message) -> tuple[IncomingReport, ...]:
    patient = _patient(message)
    department = _department(message)
    groups: list[tuple[object, list]] = []
    for segment in message:
        kind = str(segment[0])
        if kind == "OBR":
            groups.append((segment, []))
        elif kind == "OBX":
            if not groups:
                raise Hl7Refused("AE", "OBX 出现在 OBR 之前")
            groups[-1][1].append(segment)
    if not groups:
        raise Hl7Refused("AE", "缺少 OBR 段")
    control_id = _text(message, message.segment("MSH"), 10)
    return tuple(IncomingReport(patient, _report(message, obr, obxs, department), control_id)
                 for obr, obxs in groups)


def _report(message, obr, obxs: list, department: str) -> ReportIn:
    accession = _text(message, obr, 3)
    if not accession:
        raise Hl7Refused("AE", "OBR-3 报告单号（填写者医嘱号）为空")
    status_code = _text(message, obr, 25).upper() or "F"
    if status_code not in _STATUS:
        raise Hl7Refused("AE", f"OBR-25 结果状态 {status_code} 不是 P/F/C/X")
    section = _text(message, obr, 24).upper()
    results, findings, impression = [], [], []
    for obx in obxs:
        code = _text(message, obx, 3, 1)
        label = _text(message, obx, 3, 2)
        value_type = _text(message, obx, 2).upper()
        if value_type and value_type not in VALUE_TYPES:
            raise Hl7Refused("AE", f"OBX-2 值类型 {value_type} 不受支持（{code}）")
        value = _value(message, obx, value_type)
        if {code.upper(), label} & FINDINGS:
            findings.append(value)
            continue
        if {code.upper(), label} & IMPRESSION:
            impression.append(value)
            continue
        if value_type == "NM" and not re.fullmatch(r"\s*[<>]?=?\s*[-+]?\d+(\.\d+)?\s*", value):
            raise Hl7Refused("AE", f"OBX-5 {label or code} 的数值 {value} 不是数字")
        status = _text(message, obx, 11).upper() or status_code
        results.append(ResultIn(
            seq=int(_text(message, obx, 1) or len(results) + 1), code=code or label,
            name=label or code, value_type=value_type or "ST", value=value,
            unit=_text(message, obx, 6, 2) or _text(message, obx, 6, 1),
            reference_range=_text(message, obx, 7), lab_flag=_text(message, obx, 8),
            status=status, loinc=_text(message, obx, 3, 1)
            if _text(message, obx, 3, 3).upper() == "LN" else None))
    status = _STATUS[status_code]
    if status != ReportStatus.CANCELLED and any(r.status == "C" for r in results):
        status = ReportStatus.CORRECTED
    imaging = section in IMAGING_SECTIONS or bool(findings or impression)
    if not results and not impression and status != ReportStatus.CANCELLED:
        raise Hl7Refused("AE", f"报告 {accession} 没有任何结果（OBX）")
    return ReportIn(
        accession=accession, placer_order=_text(message, obr, 2),
        kind="imaging" if imaging else "lab",
        title=_text(message, obr, 4, 2) or _text(message, obr, 4, 1) or "检查报告",
        status=status, collected_at=timestamp(_text(message, obr, 7)),
        reported_at=timestamp(_text(message, obr, 22)), results=tuple(results),
        findings="\n".join(findings), conclusion="\n".join(impression),
        service_code=_text(message, obr, 4, 1),
        ordering_clinician_code=_text(message, obr, 16, 1),
        ordering_clinician_name=_text(message, obr, 16, 2) + _text(message, obr, 16, 3),
        department_code=department)


def _value(message, obx, value_type: str) -> str:
    """OBX-5 as text: repeats joined by line breaks (TX/FT), CE as its text, SN kept whole."""
    lines = []
    for repetition in _repetitions(obx, 5):
        parts = [message.unescape(c) for c in repetition]
        if value_type in {"CE", "CWE"}:
            lines.append(parts[1] if len(parts) > 1 and parts[1] else parts[0])
        else:
            lines.append("^".join(parts))
    separator = "\n" if value_type in {"TX", "FT"} else "~"
    text = separator.join(lines)  # python-hl7 turns \.br\ into a carriage return
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def ack(raw_control_id: str, code: str, text: str = "", *, receiving_facility: str = "",
        sending_facility: str = "", charset: str = "utf-8", now: datetime | None = None) -> bytes:
    """An original-mode ACK (MSA-1 AA/AE/AR), framed, in the sender's charset."""
    now = (now or datetime.now(UTC)).astimezone(CST)
    stamp = now.strftime("%Y%m%d%H%M%S")
    msh18 = {"utf-8": "UNICODE UTF-8", "gb18030": "GB18030"}.get(charset, "")
    clean = re.sub(r"[|^~\\&\r\n]", " ", text)[:200]
    segments = [
        f"MSH|^~\\&|FRONTDOOR|FRONTDOOR|{sending_facility}|{receiving_facility}|{stamp}||"
        f"ACK^R01^ACK|ACK{stamp}{raw_control_id[-10:]}|P|2.5|||||CHN|{msh18}",
        f"MSA|{code}|{raw_control_id}|{clean}",
    ]
    if code != "AA":
        segments.append(f"ERR|||{'207' if code == 'AE' else '200'}|E||||{clean}")
    codec = "utf-8" if charset not in {"gb18030", "ascii", "latin-1"} else charset
    return frame("\r".join(segments) + "\r", codec if codec != "ascii" else "utf-8")
