"""Masking of ID numbers and mobile numbers, alone and inside free text."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.security.masking import mask_id_number, mask_phone, mask_text

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(body: str) -> str:
    """GB 11643-1999 check character, written independently of the code under test."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def make_id(region: str = "110105", birth: str = "19900307", seq: str = "123") -> str:
    body = region + birth + seq
    return body + check_char(body)


def masked(value: str) -> str:
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def is_valid_id(candidate: str) -> bool:
    return check_char(candidate[:17]) == candidate[17].upper()


# Same boundaries as the masker: not inside a longer digit run. \d is Unicode-aware on purpose.
BOUNDED_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")

ID = make_id()  # 110105 19900307 123 + check


def test_mask_id_number_keeps_first_three_and_last_four() -> None:
    assert mask_id_number("110105199003071234") == "110***********1234"
    masked = mask_id_number(ID)
    assert masked == ID[:3] + "*" * 11 + ID[-4:]
    assert len(masked) == len(ID)
    assert mask_id_number("11010519900307123X") == "110***********123X"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [("", ""), ("1", "*"), ("1234567", "*******"), ("12345678", "123*5678")],
)
def test_short_inputs(raw: str, masked: str) -> None:
    assert mask_id_number(raw) == masked
    assert mask_phone(raw) == masked


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86*******5678"


def test_ids_and_phones_in_a_chinese_sentence() -> None:
    text = f"患者张三，身份证号{ID}，手机13812345678，家属电话15987654321。"
    assert mask_text(text) == (
        f"患者张三，身份证号{ID[:3]}{'*' * 11}{ID[-4:]}，手机138****5678，家属电话159****4321。"
    )


def test_id_with_lowercase_x_and_glued_to_letters() -> None:
    id_x = next(
        make_id(seq=f"{n:03d}") for n in range(1000) if make_id(seq=f"{n:03d}").endswith("X")
    )
    lower = id_x[:-1] + "x"
    assert mask_text(f"我的身份证是{lower}谢谢") == f"我的身份证是{masked(lower)}谢谢"
    assert masked(lower).endswith("x")
    assert mask_text(f"ID:{id_x}.") == f"ID:{masked(id_x)}."
    assert mask_text(f"abc{ID}def") == f"abc{masked(ID)}def"


def test_grouped_ids_and_phones() -> None:
    grouped = f"{ID[:6]} {ID[6:14]} {ID[14:]}"
    assert mask_text(f"证件：{grouped}") == f"证件：{ID[:3]}*** ******** {ID[-4:]}"
    dashed = f"{ID[:6]}-{ID[6:14]}-{ID[14:]}"
    assert ID[6:14] not in mask_text(dashed)
    assert mask_text("电话 138 1234 5678 或 138-1234-5678") == (
        "电话 138 **** 5678 或 138-****-5678"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("请拨+8613812345678", "请拨+86138****5678"),
        ("请拨 +86 138 1234 5678", "请拨 +86 138 **** 5678"),
        ("8613812345678", "86138****5678"),
        ("008613812345678", "0086138****5678"),
        ("tel:13812345678;", "tel:138****5678;"),
        ("１３８１２３４５６７８", "１３８****５６７８"),  # full-width digits
        ("13812345678,15987654321", "138****5678,159****4321"),
    ],
)
def test_phone_variants(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "订单号20240307123456789012已支付",  # 20-digit order number
        f"流水号9{ID}",  # 19 digits with an ID inside
        f"流水号{ID[:-1]}00",  # 19 digits
        "金额：123456789012元",  # 12 digits
        "单号313812345678",  # 12 digits containing a phone
        "编号1381234567",  # 10 digits
        "12812345678",  # second digit 2: not a mobile
        "座机010-12345678",
        "时间戳1709800000123",
        f"{ID[:17]}",  # 17 digits
        "",
        "没有任何号码的一句话。",
    ],
)
def test_numbers_that_are_not_identifiers_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_full_width_id_number() -> None:
    full_width = ID[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "Ｘ"
    assert mask_text(f"身份证{full_width}。") == f"身份证{masked(full_width)}。"


def test_masking_is_idempotent() -> None:
    text = f"身份证{ID}，电话+86 138-1234-5678"
    once = mask_text(text)
    assert mask_text(once) == once


# --- properties ------------------------------------------------------------------------------


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    region = draw(st.from_regex(r"[1-8][0-9]{5}", fullmatch=True))
    day = draw(st.dates())
    seq = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    number = make_id(region, f"{day.year:04d}{day.month:02d}{day.day:02d}", seq)
    return number[:-1] + "x" if number.endswith("X") and draw(st.booleans()) else number


phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
# \d matches exactly the Unicode category Nd, so this text can never extend a digit run.
non_digit_text = st.text(st.characters(exclude_categories=("Nd",)), max_size=20)


@settings(max_examples=300)
@given(st.lists(st.one_of(valid_ids(), phones, non_digit_text), max_size=8), non_digit_text)
def test_embedded_ids_and_phones_never_survive(pieces: list[str], glue: str) -> None:
    out = mask_text((glue or "，").join(pieces))
    for piece in pieces:
        if BOUNDED_ID.fullmatch(piece) or re.fullmatch(r"1[3-9][0-9]{9}", piece):
            assert piece not in out
    assert not BOUNDED_ID.search(out)


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from("0123456789Xx +-86１２ 甲,")) | st.text())
def test_mask_text_never_leaves_a_valid_id_in_its_output(text: str) -> None:
    out = mask_text(text)
    assert not [m for m in BOUNDED_ID.finditer(out) if is_valid_id(m.group())]


@settings(max_examples=300)
@given(st.lists(st.one_of(valid_ids(), st.text(max_size=6)), max_size=10))
def test_no_valid_id_survives_in_mixed_text(pieces: list[str]) -> None:
    out = mask_text("".join(pieces))
    assert not [m for m in BOUNDED_ID.finditer(out) if is_valid_id(m.group())]
    assert len(out) == len("".join(pieces))


# --- speed -----------------------------------------------------------------------------------


def test_mask_text_is_fast_on_logs_and_on_long_digit_runs() -> None:
    line = f"2025-01-01 INFO booking ok patient={ID} phone=13812345678 order=20240307123456789012 "
    lines = [line] * 5_000
    started = time.perf_counter()
    for item in lines:
        mask_text(item)
    mask_text("1" * 200_000)
    mask_text("1 " * 100_000)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"masking took {elapsed:.2f}s"
