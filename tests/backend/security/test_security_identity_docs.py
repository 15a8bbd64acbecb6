"""Resident ID numbers (GB 11643-1999), other identity documents and mobile numbers."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.security.identity_docs import (
    PROVINCE_CODES,
    DocumentError,
    DocumentType,
    ResidentId,
    normalize_document,
    normalize_mobile,
    parse_resident_id,
    resident_id_check_char,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TODAY = date(2025, 6, 15)


def check_char(body: str) -> str:
    """GB 11643-1999 check character, written independently of the code under test."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def make_id(region: str = "110105", birth: str = "19900307", seq: str = "123") -> str:
    body = region + birth + seq
    return body + check_char(body)


def id_ending_in_x(region: str = "110105", birth: str = "19900307") -> str:
    return next(
        number
        for number in (make_id(region, birth, f"{n:03d}") for n in range(1000))
        if number.endswith("X")
    )


def with_wrong_check(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def error_of(call, *args, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        call(*args, **kwargs)
    return info.value


# --- resident ID: valid numbers ---------------------------------------------------------------


def test_parse_valid_number() -> None:
    number = make_id("110105", "19900307", "123")
    parsed = parse_resident_id(number, today=TODAY)
    assert parsed == ResidentId(
        number=number, birth_date=date(1990, 3, 7), sex="male", region_code="110105"
    )
    assert parse_resident_id(make_id(seq="124"), today=TODAY).sex == "female"


def test_resident_id_is_frozen() -> None:
    parsed = parse_resident_id(make_id(), today=TODAY)
    with pytest.raises(AttributeError):
        parsed.number = "x"  # type: ignore[misc]


@given(
    st.builds(lambda province, rest: province + rest, st.sampled_from(sorted(PROVINCE_CODES)),
              st.from_regex(r"[0-9]{4}", fullmatch=True)),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)
def test_any_generated_number_parses(region: str, birth: date, seq: int) -> None:
    number = make_id(region, birth.strftime("%Y%m%d"), f"{seq:03d}")
    parsed = parse_resident_id(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.region_code == region
    assert parsed.sex == ("male" if seq % 2 else "female")


@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_public_check_char_agrees_with_independent_helper(body: str) -> None:
    assert resident_id_check_char(body) == check_char(body)


def test_check_char_x_and_lowercase_x_is_normalised() -> None:
    number = id_ending_in_x()
    assert parse_resident_id(number, today=TODAY).number == number
    assert parse_resident_id(number[:-1] + "x", today=TODAY).number == number
    assert normalize_document(DocumentType.RESIDENT_ID, number.lower()) == number


def test_spaces_and_full_width_digits_are_tolerated() -> None:
    number = make_id()
    spaced = f" {number[:6]} {number[6:14]} {number[14:]} "
    assert parse_resident_id(spaced, today=TODAY).number == number
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert parse_resident_id(full_width, today=TODAY).number == number


@pytest.mark.parametrize("birth", ["19000101", "20000229", "20240229", "20250615"])
def test_boundary_birth_dates_are_valid(birth: str) -> None:
    assert parse_resident_id(make_id(birth=birth), today=TODAY).birth_date.strftime(
        "%Y%m%d"
    ) == birth


def test_today_defaults_to_the_real_date() -> None:
    born_yesterday = (date.today() - timedelta(days=1)).strftime("%Y%m%d")
    assert parse_resident_id(make_id(birth=born_yesterday))


# --- resident ID: invalid numbers ------------------------------------------------------------


def test_wrong_check_character_is_refused_with_a_polite_message() -> None:
    number = make_id()
    for wrong in set("0123456789X") - {number[-1]}:
        error = error_of(parse_resident_id, number[:-1] + wrong, today=TODAY)
        assert error.code == "invalid_checksum"
        assert str(error) == "身份证号码校验不通过，请核对后重新输入。"
        assert error.message == str(error)
        assert isinstance(error, ValueError)


@given(st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_typo_is_caught(position: int, delta: int) -> None:
    number = make_id()
    typo = str((int(number[position]) + delta) % 10)
    mistyped = number[:position] + typo + number[position + 1 :]
    # MOD 11-2 catches every single-character error, before the date is even read
    assert error_of(parse_resident_id, mistyped, today=TODAY).code == "invalid_checksum"


def test_swapped_adjacent_digits_are_caught() -> None:
    number = make_id()
    for i in range(16):
        if number[i] != number[i + 1]:
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            assert check_char(swapped[:17]) != swapped[17]
            with pytest.raises(DocumentError):
                parse_resident_id(swapped, today=TODAY)


@pytest.mark.parametrize(
    "birth",
    [
        "19900230",  # Feb 30
        "20230229",  # not a leap year
        "19000229",  # 1900 was not a leap year
        "19901301",  # month 13
        "19900001",  # month 0
        "19900100",  # day 0
        "19900431",  # April 31
        "18991231",  # before 1900
        "00000000",
    ],
)
def test_impossible_birth_dates(birth: str) -> None:
    error = error_of(parse_resident_id, make_id(birth=birth), today=TODAY)
    assert error.code == "invalid_birth_date"
    assert "出生日期" in str(error)


@pytest.mark.parametrize("region", ["000000", "001234", "100101", "990000", "730000"])
def test_a_region_code_of_no_province_is_refused(region: str) -> None:
    error = error_of(parse_resident_id, make_id(region=region), today=TODAY)
    assert error.code == "invalid_region"
    assert "地区码" in str(error)


def test_future_birth_date() -> None:
    tomorrow = (TODAY + timedelta(days=1)).strftime("%Y%m%d")
    assert error_of(parse_resident_id, make_id(birth=tomorrow), today=TODAY).code == (
        "invalid_birth_date"
    )
    far_future = make_id(birth="20991231")
    assert error_of(parse_resident_id, far_future).code == "invalid_birth_date"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("11010519900307123", "invalid_length"),  # 17
        ("1101051990030712345", "invalid_length"),  # 19
        ("110105900307123", "invalid_length"),  # old 15-digit format
        ("1101051990030712A4", "invalid_format"),
        ("X10105199003071234", "invalid_format"),
        ("11010519900307X234", "invalid_format"),
        ("١١٠١٠٥١٩٩٠٠٣٠٧١٢٣٤", "invalid_format"),  # Arabic-Indic digits
        (11010519900307123, "invalid_format"),
    ],
)
def test_malformed_numbers(raw, code: str) -> None:
    error = error_of(parse_resident_id, raw, today=TODAY)
    assert error.code == code
    assert error.message


def test_document_error_survives_pickling() -> None:
    error = error_of(parse_resident_id, make_id(birth="19900230"), today=TODAY)
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (clone.code, str(clone)) == (error.code, str(error))


# --- document types --------------------------------------------------------------------------


def test_document_types_values_and_labels() -> None:
    assert {t.value: t.label for t in DocumentType} == {
        "resident_id": "居民身份证",
        "passport": "护照",
        "hk_macau_permit": "港澳居民来往内地通行证",
        "taiwan_permit": "台湾居民来往大陆通行证",
        "foreign_permanent_residence": "外国人永久居留身份证",
        "hmt_residence_permit": "港澳台居民居住证",
    }
    assert DocumentType("passport") is DocumentType.PASSPORT
    assert DocumentType.PASSPORT == "passport"
    assert isinstance(DocumentType.RESIDENT_ID, str)


@pytest.mark.parametrize(
    ("doc_type", "raw", "normalised"),
    [
        (DocumentType.RESIDENT_ID, make_id(), make_id()),
        (DocumentType.PASSPORT, "e12345678", "E12345678"),
        (DocumentType.PASSPORT, " G 1234 5678 ", "G12345678"),
        (DocumentType.PASSPORT, "AB123", "AB123"),
        (DocumentType.PASSPORT, "A" * 17, "A" * 17),
        (DocumentType.PASSPORT, "５３３４１２３４５", "533412345"),
        (DocumentType.HK_MACAU_PERMIT, "h12345678", "H12345678"),
        (DocumentType.HK_MACAU_PERMIT, "M1234567890", "M1234567890"),
        (DocumentType.HK_MACAU_PERMIT, "H123456789", "H123456789"),
        (DocumentType.TAIWAN_PERMIT, "12345678", "12345678"),
        (DocumentType.TAIWAN_PERMIT, "1234567801", "1234567801"),
        (DocumentType.TAIWAN_PERMIT, "12345678(01)", "1234567801"),
        (DocumentType.TAIWAN_PERMIT, "12345678（01）", "1234567801"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "usa110078061502", "USA110078061502"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "934011990010100010", "934011990010100010"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "93401199001010001x", "93401199001010001X"),
        (DocumentType.HMT_RESIDENCE_PERMIT, make_id("810000"), make_id("810000")),
        (DocumentType.HMT_RESIDENCE_PERMIT, make_id("820000"), make_id("820000")),
        (DocumentType.HMT_RESIDENCE_PERMIT, make_id("830000"), make_id("830000")),
        ("passport", "E12345678", "E12345678"),
    ],
)
def test_valid_documents(doc_type, raw: str, normalised: str) -> None:
    assert normalize_document(doc_type, raw) == normalised


def test_hmt_residence_permit_with_x_and_lowercase() -> None:
    number = id_ending_in_x("820000")
    assert normalize_document(DocumentType.HMT_RESIDENCE_PERMIT, number.lower()) == number


@pytest.mark.parametrize(
    ("doc_type", "raw", "code"),
    [
        (DocumentType.RESIDENT_ID, with_wrong_check(make_id()), "invalid_checksum"),
        (DocumentType.RESIDENT_ID, "", "empty"),
        (DocumentType.PASSPORT, "E123", "invalid_format"),  # 4
        (DocumentType.PASSPORT, "E" * 18, "invalid_format"),  # 18
        (DocumentType.PASSPORT, "E1234-5678", "invalid_format"),
        (DocumentType.PASSPORT, "护照12345", "invalid_format"),
        (DocumentType.PASSPORT, "", "empty"),
        (DocumentType.HK_MACAU_PERMIT, "C12345678", "invalid_format"),
        (DocumentType.HK_MACAU_PERMIT, "H1234567", "invalid_format"),
        (DocumentType.HK_MACAU_PERMIT, "H12345678901", "invalid_format"),
        (DocumentType.HK_MACAU_PERMIT, "12345678", "invalid_format"),
        (DocumentType.HK_MACAU_PERMIT, "HA2345678", "invalid_format"),
        (DocumentType.TAIWAN_PERMIT, "1234567", "invalid_format"),
        (DocumentType.TAIWAN_PERMIT, "123456789", "invalid_format"),
        (DocumentType.TAIWAN_PERMIT, "12345678901", "invalid_format"),
        (DocumentType.TAIWAN_PERMIT, "T1234567", "invalid_format"),
        (DocumentType.TAIWAN_PERMIT, "12345678(1)", "invalid_format"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "US1100780615020", "invalid_format"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "USA11007806150", "invalid_format"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "134011990010100010", "invalid_format"),
        (DocumentType.FOREIGN_PERMANENT_RESIDENCE, "93401199001010001", "invalid_format"),
        (DocumentType.HMT_RESIDENCE_PERMIT, make_id("110105"), "invalid_region"),
        (DocumentType.HMT_RESIDENCE_PERMIT, make_id("810001"), "invalid_region"),
        (DocumentType.HMT_RESIDENCE_PERMIT, make_id("810000")[:-1] + "Y", "invalid_format"),
        (DocumentType.HMT_RESIDENCE_PERMIT, make_id("810000")[:17], "invalid_length"),
        (DocumentType.HMT_RESIDENCE_PERMIT, make_id("810000", "19900230"), "invalid_birth_date"),
        ("driving_licence", "E12345678", "unsupported_document_type"),
    ],
)
def test_invalid_documents(doc_type, raw: str, code: str) -> None:
    error = error_of(normalize_document, doc_type, raw)
    assert error.code == code
    assert error.message


def test_error_messages_name_the_document() -> None:
    assert "护照" in str(error_of(normalize_document, DocumentType.PASSPORT, "E1"))
    wrong = with_wrong_check(make_id("810000"))
    assert str(error_of(normalize_document, DocumentType.HMT_RESIDENCE_PERMIT, wrong)) == (
        "居住证号码校验不通过，请核对后重新输入。"
    )


def test_hmt_residence_permit_checksum_is_verified() -> None:
    wrong = with_wrong_check(make_id("830000", "19851120", "047"))
    assert error_of(normalize_document, DocumentType.HMT_RESIDENCE_PERMIT, wrong).code == (
        "invalid_checksum"
    )


def test_normalize_document_passes_today_through() -> None:
    number = make_id(birth="20250616")
    with pytest.raises(DocumentError):
        normalize_document(DocumentType.RESIDENT_ID, number, today=TODAY)
    assert normalize_document(
        DocumentType.RESIDENT_ID, number, today=TODAY + timedelta(days=1)
    ) == number


# --- mobile numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "0086 13812345678",
        "(+86) 138-1234-5678",
        "１３８１２３４５６７８",
    ],
)
def test_mobile_normalisation(raw: str) -> None:
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize("second", "3456789")
def test_every_mobile_prefix_is_accepted(second: str) -> None:
    assert normalize_mobile(f"1{second}912345678") == f"1{second}912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        13812345678,
        "12812345678",
        "10812345678",
        "23812345678",
        "1381234567",
        "138123456789",
        "86138123456",
        "+1 13812345678",
        "+86 12812345678",
        "861381234567",
        "138 1234 567a",
        "010-12345678",
    ],
)
def test_invalid_mobiles(raw) -> None:
    error = error_of(normalize_mobile, raw)
    assert str(error) == "手机号码格式不正确，请输入11位手机号。"
    assert error.code == "invalid_mobile"
