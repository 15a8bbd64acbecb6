"""Reading a file exported from the immunisation information system (免疫规划信息系统).

The format we accept (the clinic exports 受种者接种记录 as CSV and sends it as text):

- UTF-8 text (a BOM is allowed), comma-separated, the first line the header;
- required columns, in any order: 身份证号 (the child's resident ID number), 出生日期,
  疫苗 (a code of `vaccination/data/programme.yaml` such as DTaP, or its name such as 百白破疫苗),
  剂次 (1–9), 接种日期; dates as 2024-03-01, 2024/3/1 or 20240301;
- optional columns: 姓名, 疫苗批号, 生产企业, 接种部位, 接种单位 (kept as written; unknown
  columns are refused so a mislabelled export is noticed).

Every line is checked before anything is saved; one bad line refuses the whole file, and the
answer lists each bad line with its number and the reason.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from backend.security.identity_docs import parse_resident_id
from vaccination.schedule import Programme

MAX_ROWS = 20_000
MAX_REPORTED = 100  # bad lines listed in one answer; the count says how many in all
REQUIRED = ("身份证号", "出生日期", "疫苗", "剂次", "接种日期")
OPTIONAL = ("姓名", "疫苗批号", "生产企业", "接种部位", "接种单位")
_DATE = re.compile(r"^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})$")


@dataclass(frozen=True)
class IisRow:
    line: int
    document_number: str
    birth_date: date
    vaccine: str
    dose: int
    given_on: date
    lot_number: str | None
    manufacturer: str | None
    site: str | None


class IisFileError(ValueError):
    """The file cannot be taken; `problems` maps "第N行" (or "表头") to the reasons."""

    def __init__(self, message: str, problems: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.problems = problems


def _date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _vaccine_codes(schedule: Programme) -> dict[str, str]:
    codes = {code.casefold(): code for code in schedule.vaccines}
    codes.update({v.name: code for code, v in schedule.vaccines.items()})
    return codes


def parse(text: str, schedule: Programme, today: date) -> list[IisRow]:
    """Every row of the file, or `IisFileError` naming each bad line."""
    try:
        return _parse(text, schedule, today)
    except csv.Error as exc:  # e.g. a field past the csv module's size limit: not our format
        raise IisFileError("文件不是可以识别的CSV格式。", {"文件": [str(exc)[:200]]}) from exc


def _parse(text: str, schedule: Programme, today: date) -> list[IisRow]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if missing or unknown or len(set(header)) != len(header):
        reasons = [f"缺少列：{'、'.join(missing)}"] if missing else []
        reasons += [f"不认识的列：{'、'.join(unknown)}"] if unknown else []
        if len(set(header)) != len(header):
            reasons.append("有重复的列名")
        raise IisFileError("文件表头不对，请按说明导出。", {"表头": reasons})
    codes = _vaccine_codes(schedule)
    rows: list[IisRow] = []
    problems: dict[str, list[str]] = {}
    bad_lines = 0
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + bad_lines >= MAX_ROWS:
            raise IisFileError(f"文件超过{MAX_ROWS}行，请分批导入。",
                               {f"第{line}行": ["超出行数上限"]})
        reasons: list[str] = []
        if len(cells) != len(header):
            reasons.append(f"应有{len(header)}列，实际{len(cells)}列")
            values: dict[str, str] = {}
        else:
            values = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        row = _row(line, values, codes, today, reasons) if values else None
        if reasons:
            bad_lines += 1
            if len(problems) < MAX_REPORTED:
                problems[f"第{line}行"] = reasons
        elif row is not None:
            rows.append(row)
    if bad_lines:
        more = f"（只列出前{MAX_REPORTED}行）" if bad_lines > MAX_REPORTED else ""
        raise IisFileError(f"有{bad_lines}行不能导入，整份文件未导入，请改正后重新导入{more}。",
                           problems)
    if not rows:
        raise IisFileError("文件里没有接种记录。", {"表头": ["表头以下没有数据行"]})
    return rows


def _row(line: int, values: dict[str, str], codes: dict[str, str], today: date,
         reasons: list[str]) -> IisRow | None:
    try:
        resident = parse_resident_id(values["身份证号"])
    except ValueError:
        reasons.append("身份证号不正确")
        resident = None
    birth = _date(values["出生日期"])
    if birth is None:
        reasons.append(f"出生日期“{values['出生日期']}”不是有效日期")
    elif resident is not None and resident.birth_date != birth:
        reasons.append("出生日期与身份证号不一致")
    vaccine = codes.get(values["疫苗"]) or codes.get(values["疫苗"].casefold())
    if vaccine is None:
        reasons.append(f"不认识的疫苗“{values['疫苗'][:20]}”")
    dose = int(values["剂次"]) if values["剂次"].isdigit() else 0
    if not 1 <= dose <= 9:
        reasons.append(f"剂次“{values['剂次'][:5]}”应为1到9")
    given = _date(values["接种日期"])
    if given is None:
        reasons.append(f"接种日期“{values['接种日期'][:20]}”不是有效日期")
    elif given > today:
        reasons.append("接种日期在今天之后")
    elif birth is not None and given < birth:
        reasons.append("接种日期早于出生日期")
    for name in OPTIONAL:
        if len(values.get(name, "")) > 60:
            reasons.append(f"{name}太长（最多60字）")
    if reasons or resident is None or birth is None or given is None or vaccine is None:
        return None
    return IisRow(line=line, document_number=resident.number, birth_date=birth, vaccine=vaccine,
                  dose=dose, given_on=given, lot_number=values.get("疫苗批号") or None,
                  manufacturer=values.get("生产企业") or None,
                  site=values.get("接种部位") or None)
