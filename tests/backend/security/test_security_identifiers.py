"""Identifiers in free text: found by their check digits, masked, never returned in clear."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.security.identifiers import is_resident_id, mask_identifiers, passes_luhn
from tests.factories import resident_id


def luhn_complete(body: str) -> str:
    """Append the Luhn check digit (written independently of the code under test)."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return body + str((10 - total % 10) % 10)


ID = resident_id()
CARD = luhn_complete("622202123456789012")  # 19 digits
CARD16 = luhn_complete("431874000000000")


def test_the_check_digits_are_what_detection_relies_on():
    assert is_resident_id(ID) and not is_resident_id(ID[:-1] + ("1" if ID[-1] != "1" else "2"))
    assert passes_luhn(CARD) and passes_luhn(CARD16)
    assert not passes_luhn(CARD[:-1] + str((int(CARD[-1]) + 1) % 10))


@pytest.mark.parametrize(("text", "kinds", "gone"), [
    (f"我的身份证是{ID}，帮我看看", ("resident_id",), ID),
    (f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]}", ("resident_id",), ID[6:14]),
    ("电话13812345678", ("mobile",), "12345678"),
    ("打+86 138-1234-5678找我", ("mobile",), "1234-5678"),
    (f"卡号{CARD}扣的钱", ("bank_card",), CARD[3:-4]),
    (f"卡号 {CARD16[:4]} {CARD16[4:8]} {CARD16[8:12]} {CARD16[12:]}", ("bank_card",),
     CARD16[4:8]),
    ("手机１３８１２３４５６７８", ("mobile",), "１２３４５６７８"),
])
def test_identifiers_in_free_text_are_masked(text, kinds, gone):
    masked = mask_identifiers(text)
    assert masked.found == kinds
    assert gone not in masked.text
    assert len(masked.text) == len(text)  # masked in place, the rest as typed
    assert "*" in masked.text


def test_numbers_that_fail_their_check_stay_as_typed():
    wrong_id = next(ID[:-1] + c for c in "0123456789X"
                    if c != ID[-1] and not passes_luhn(ID[:-1] + c))
    wrong_card = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    for text in (f"编号{wrong_id}", f"订单{wrong_card}", "血压140/90，吃了2片", "12345678901",
                 "体温38.5度，烧了3天"):
        masked = mask_identifiers(text)
        assert masked.text == text and masked.found == ()


def test_several_identifiers_in_one_message():
    masked = mask_identifiers(f"我叫王芳，身份证{ID}，手机13912345678，卡号{CARD}")
    assert sorted(masked.found) == ["bank_card", "mobile", "resident_id"]
    for value in (ID, "13912345678", CARD):
        assert value not in masked.text
    assert masked.text.startswith("我叫王芳，身份证" + ID[:3] + "*" * 11 + ID[-4:])


@given(st.text(alphabet="0123456789 -abc，。头疼", max_size=60))
def test_masking_twice_changes_nothing_more(text):
    once = mask_identifiers(text).text
    assert mask_identifiers(once).text == once
