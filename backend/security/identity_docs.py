"""Validation and normalisation of personal identity documents and mainland mobile numbers.

Why: a mistyped ID number creates a duplicate patient record (and a wrong blind index), so
numbers are checked and normalised once, at the edge, with messages a patient can act on.

Resident identity numbers follow GB 11643-1999 (公民身份号码): a 6-digit region code
(GB/T 2260), an 8-digit birth date YYYYMMDD, a 3-digit sequence code whose last digit is odd for
men and even for women, and an ISO 7064 MOD 11-2 check character (0-9 or X). The same layout is
used by the residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证), whose
region codes are 810000, 820000 and 830000. Full-width characters and spaces are tolerated on
input; normalised numbers are upper-case ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal


class DocumentError(ValueError):
    """A document or phone number failed validation; `str(err)` is shown to the patient."""

    def __init__(self, message: str, code: str = "invalid_format") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __reduce__(self) -> tuple[type[DocumentError], tuple[str, str]]:
        return type(self), (self.message, self.code)  # keep the code across pickling (jobs)


class DocumentType(StrEnum):
    """Accepted identity documents; the value is what the API and the database carry."""

    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAU_PERMIT = "hk_macau_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"

    @property
    def label(self) -> str:
        """The document's Chinese name, as printed on forms."""
        return _LABELS[self]


_LABELS: dict[DocumentType, str] = {
    DocumentType.RESIDENT_ID: "居民身份证",
    DocumentType.PASSPORT: "护照",
    DocumentType.HK_MACAU_PERMIT: "港澳居民来往内地通行证",
    DocumentType.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: "外国人永久居留身份证",
    DocumentType.HMT_RESIDENCE_PERMIT: "港澳台居民居住证",
}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_HMT_REGIONS = ("810000", "820000", "830000")
# Province-level codes, the first two digits of every GB/T 2260 region code (行政区划代码):
# 11-15 North, 21-23 North-east, 31-37 East, 41-46 Central-south, 50-54 South-west,
# 61-65 North-west, 71 Taiwan, 81-83 Hong Kong, Macao and the Taiwan residence permits.
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83"})

_PATTERNS: dict[DocumentType, re.Pattern[str]] = {
    DocumentType.PASSPORT: re.compile(r"[A-Z0-9]{5,17}"),
    DocumentType.HK_MACAU_PERMIT: re.compile(r"[HM][0-9]{8,10}"),
    DocumentType.TAIWAN_PERMIT: re.compile(r"[0-9]{8}(?:[0-9]{2})?"),
    # Old (2004) card: 3-letter nationality code + 12 digits; new (2023) card: 18 chars, leading 9.
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: re.compile(r"[A-Z]{3}[0-9]{12}|9[0-9]{16}[0-9X]"),
}
_TAIWAN_BRACKETS = re.compile(r"^([0-9]{8})\(([0-9]{2})\)$")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_NOISE = re.compile(r"[\s\-()]")


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    birth_date: date
    sex: Literal["male", "female"]
    region_code: str


def _clean(raw: object, label: str) -> str:
    """NFKC (full-width to ASCII), drop all whitespace, upper-case; refuse empty input."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise DocumentError(f"{label}号码格式不正确，请核对后重新输入。", "invalid_format")
    value = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if not value:
        raise DocumentError(f"请输入{label}号码。", "empty")
    return value


def resident_id_check_char(body: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of a number."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("the body of a resident ID number is exactly 17 ASCII digits")
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _parse_gb11643(
    number: object, today: date | None, label: str, regions: tuple[str, ...] = ()
) -> ResidentId:
    value = _clean(number, label)
    if len(value) != 18:
        raise DocumentError(f"{label}号码应为18位，请核对后重新输入。", "invalid_length")
    if not _RESIDENT_ID.fullmatch(value):
        raise DocumentError(
            f"{label}号码只能包含数字，最后一位可以是X，请核对后重新输入。", "invalid_format"
        )
    if regions and not value.startswith(regions):
        raise DocumentError(
            f"{label}号码应以{'、'.join(regions)}开头，请核对后重新输入。", "invalid_region"
        )
    if resident_id_check_char(value[:17]) != value[17]:
        raise DocumentError(f"{label}号码校验不通过，请核对后重新输入。", "invalid_checksum")
    if value[:2] not in PROVINCE_CODES:
        raise DocumentError(f"{label}号码的前六位地区码无效，请核对后重新输入。",
                            "invalid_region")
    bad_birth = DocumentError(
        f"{label}号码中的出生日期无效，请核对后重新输入。", "invalid_birth_date"
    )
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise bad_birth from None
    if birth < EARLIEST_BIRTH or birth > (today or date.today()):
        raise bad_birth
    sex: Literal["male", "female"] = "male" if int(value[16]) % 2 else "female"
    return ResidentId(number=value, birth_date=birth, sex=sex, region_code=value[:6])


def parse_resident_id(number: str, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID number and read its birth date, sex and region.

    `today` (default: the server's local date) bounds the birth date; pass it in tests.
    """
    return _parse_gb11643(number, today, "身份证")


def normalize_document(
    doc_type: DocumentType, number: str, *, today: date | None = None
) -> str:
    """Validate a document number for its type; return it normalised (ASCII, upper-case).

    `today` only matters for the types with a birth date inside the number.
    """
    try:
        doc_type = DocumentType(doc_type)
    except ValueError:
        raise DocumentError(
            "不支持该证件类型，请选择其他证件。", "unsupported_document_type"
        ) from None
    if doc_type is DocumentType.RESIDENT_ID:
        return _parse_gb11643(number, today, "身份证").number
    if doc_type is DocumentType.HMT_RESIDENCE_PERMIT:
        return _parse_gb11643(number, today, "居住证", _HMT_REGIONS).number
    value = _clean(number, doc_type.label)
    if doc_type is DocumentType.TAIWAN_PERMIT:
        # The two-digit issue count is often written in brackets: 12345678(01).
        value = _TAIWAN_BRACKETS.sub(r"\1\2", value)
    if not _PATTERNS[doc_type].fullmatch(value):
        raise DocumentError(
            f"{doc_type.label}号码格式不正确，请核对后重新输入。", "invalid_format"
        )
    return value


def normalize_mobile(phone: str) -> str:
    """Return the 11-digit mainland mobile number, accepting spaces, dashes and +86/0086/86."""
    if not isinstance(phone, str):
        raise DocumentError("手机号码格式不正确，请输入11位手机号。", "invalid_mobile")
    value = _MOBILE_NOISE.sub("", unicodedata.normalize("NFKC", phone))
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix):]
            break
    if not _MOBILE.fullmatch(value):
        raise DocumentError("手机号码格式不正确，请输入11位手机号。", "invalid_mobile")
    return value
