"""Field encryption (SM4-GCM), blind index (HMAC-SM3) and SM3 digests."""

from __future__ import annotations

import base64
import os
import re

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm3 as gmssl_sm3
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.security.crypto import BlindIndex, DecryptionError, FieldCipher, sm3_hex

K1 = bytes.fromhex("00112233445566778899aabbccddeeff")
K2 = bytes.fromhex("ffeeddccbbaa99887766554433221100")
TOKEN_SHAPE = re.compile(r"sm4gcm:(?P<kid>[A-Za-z0-9_.-]+):(?P<payload>[A-Za-z0-9_-]+)")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher({"k1": K1}, "k1")


# --- FieldCipher: format and round trip -------------------------------------------------------


@settings(max_examples=200)
@given(st.text())
def test_round_trip_any_text(plaintext: str) -> None:
    cipher = FieldCipher({"k1": K1}, "k1")
    assert cipher.decrypt(cipher.encrypt(plaintext)) == plaintext


def test_token_format_and_layout(cipher: FieldCipher) -> None:
    plaintext = "张三 110105199003071234"
    token = cipher.encrypt(plaintext)
    match = TOKEN_SHAPE.fullmatch(token)
    assert match, token
    assert match["kid"] == "k1"
    assert "=" not in token
    raw = _b64d(match["payload"])
    assert len(raw) == 12 + len(plaintext.encode()) + 16


def test_token_is_standard_sm4_gcm_with_key_id_as_associated_data(cipher: FieldCipher) -> None:
    # Built by hand from the primitive, so the documented layout is what decrypt() reads.
    nonce = bytes(range(12))
    enc = Cipher(algorithms.SM4(K1), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(b"k1")
    ciphertext = enc.update(b"13812345678") + enc.finalize()
    token = "sm4gcm:k1:" + _b64e(nonce + ciphertext + enc.tag)
    assert cipher.decrypt(token) == "13812345678"


def test_backend_sm4_gcm_matches_rfc8998_vector() -> None:
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    iv = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plaintext = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    enc = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    enc.authenticate_additional_data(aad)
    ciphertext = enc.update(plaintext) + enc.finalize()
    assert ciphertext.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert enc.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


def test_each_encryption_uses_a_fresh_nonce(cipher: FieldCipher) -> None:
    tokens = {cipher.encrypt("110105199003071234") for _ in range(50)}
    assert len(tokens) == 50
    nonces = {_b64d(t.split(":")[2])[:12] for t in tokens}
    assert len(nonces) == 50


def test_encrypt_refuses_non_text(cipher: FieldCipher) -> None:
    with pytest.raises(TypeError):
        cipher.encrypt(b"bytes")  # type: ignore[arg-type]


# --- FieldCipher: tampering ------------------------------------------------------------------


def test_flipping_any_bit_of_the_payload_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt("110105199003071234")
    raw = _b64d(token.split(":")[2])
    for index in range(len(raw)):
        for bit in (0x01, 0x80):
            tampered = bytearray(raw)
            tampered[index] ^= bit
            with pytest.raises(DecryptionError):
                cipher.decrypt("sm4gcm:k1:" + _b64e(bytes(tampered)))


def test_changing_any_character_of_the_token_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt("13812345678")
    for index, char in enumerate(token):
        for replacement in {"A", "B", "_", "-", "0", "=", "+", "/", " ", ":"} - {char}:
            tampered = token[:index] + replacement + token[index + 1 :]
            with pytest.raises(DecryptionError):
                cipher.decrypt(tampered)


def test_unused_low_bits_of_the_last_character_are_not_ignored(cipher: FieldCipher) -> None:
    # 12 + 10 + 16 = 38 bytes: not a multiple of 3, so the last character has spare bits.
    token = cipher.encrypt("1381234567")
    payload = token.split(":")[2]
    assert len(payload) % 4 != 0
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(payload[-1])
    sibling = alphabet[last ^ 1]  # same decoded bytes through a lenient decoder
    assert _b64d(payload[:-1] + sibling) == _b64d(payload)
    with pytest.raises(DecryptionError):
        cipher.decrypt(token[:-1] + sibling)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-1],
        lambda t: t[:-4],
        lambda t: t + "A",
        lambda t: t + "AAAA",
        lambda t: t.replace("sm4gcm:", "sm4gcm2:"),
        lambda t: t.replace("sm4gcm:", "aesgcm:"),
        lambda t: t.replace("sm4gcm:", ""),
        lambda t: t + ":extra",
        lambda t: "sm4gcm:k1:" + _b64e(_b64d(t.split(":")[2])[:27]),
        lambda t: "sm4gcm:k1:",
        lambda t: "",
    ],
)
def test_truncated_extended_or_malformed_tokens_fail(cipher: FieldCipher, mutate) -> None:
    token = cipher.encrypt("110105199003071234")
    with pytest.raises(DecryptionError):
        cipher.decrypt(mutate(token))


def test_relabelling_a_token_with_another_key_id_fails_even_with_the_same_key() -> None:
    # Both ids hold the same key: only the associated data can tell them apart.
    cipher = FieldCipher({"k1": K1, "k2": K1}, "k1")
    token = cipher.encrypt("110105199003071234")
    moved = token.replace("sm4gcm:k1:", "sm4gcm:k2:")
    with pytest.raises(DecryptionError, match="failed authentication"):
        cipher.decrypt(moved)


def test_relabelling_under_a_different_key_fails() -> None:
    cipher = FieldCipher({"k1": K1, "k2": K2}, "k1")
    moved = cipher.encrypt("13812345678").replace(":k1:", ":k2:")
    with pytest.raises(DecryptionError):
        cipher.decrypt(moved)


def test_unknown_key_id_is_a_clear_error_without_plaintext() -> None:
    old = FieldCipher({"retired": K2}, "retired")
    token = old.encrypt("110105199003071234")
    current = FieldCipher({"k1": K1}, "k1")
    with pytest.raises(DecryptionError, match="unknown key id 'retired'") as info:
        current.decrypt(token)
    assert "110105199003071234" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_wrong_key_error_never_contains_plaintext() -> None:
    token = FieldCipher({"k1": K1}, "k1").encrypt("110105199003071234")
    with pytest.raises(DecryptionError) as info:
        FieldCipher({"k1": K2}, "k1").decrypt(token)
    assert "110105199003071234" not in str(info.value)
    assert info.value.__cause__ is None


# --- FieldCipher: rotation -------------------------------------------------------------------


def test_rotation_old_key_still_decrypts_new_key_encrypts() -> None:
    before = FieldCipher({"2024": K1}, "2024")
    old_token = before.encrypt("110105199003071234")

    after = FieldCipher({"2024": K1, "2025": K2}, "2025")
    assert after.current_key_id == "2025"
    assert after.key_ids == frozenset({"2024", "2025"})
    assert after.decrypt(old_token) == "110105199003071234"
    assert after.key_id_of(old_token) == "2024"
    assert after.needs_rotation(old_token)

    new_token = after.encrypt("110105199003071234")
    assert after.key_id_of(new_token) == "2025"
    assert not after.needs_rotation(new_token)
    assert after.decrypt(new_token) == "110105199003071234"

    rotated = after.rotate(old_token)
    assert after.key_id_of(rotated) == "2025"
    assert after.decrypt(rotated) == "110105199003071234"
    assert after.rotate(new_token) == new_token

    # Once the old key is retired, old tokens are refused, new ones still work.
    retired = FieldCipher({"2025": K2}, "2025")
    assert retired.decrypt(rotated) == "110105199003071234"
    with pytest.raises(DecryptionError):
        retired.decrypt(old_token)


def test_key_id_of_rejects_garbage(cipher: FieldCipher) -> None:
    for garbage in ("", "hello", "sm4gcm:k1", "sm4gcm::AAAA", "sm4gcm:k 1:AAAA"):
        with pytest.raises(DecryptionError):
            cipher.key_id_of(garbage)


# --- FieldCipher: construction and config ----------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "current", "message"),
    [
        ({"k1": b"short"}, "k1", "exactly 16 bytes"),
        ({"k1": K1 + b"x"}, "k1", "exactly 16 bytes"),
        ({"k1": K1.hex()}, "k1", "exactly 16 bytes"),
        ({"k1": K1}, "k2", "not among the configured keys"),
        ({}, "k1", "at least one"),
        ({"bad:id": K1}, "bad:id", "key id"),
        ({"": K1}, "", "key id"),
    ],
)
def test_constructor_validation(keys, current, message) -> None:
    with pytest.raises(ValueError, match=message):
        FieldCipher(keys, current)


def test_repr_does_not_leak_keys() -> None:
    cipher = FieldCipher({"k1": K1}, "k1")
    assert K1.hex() not in repr(cipher)
    assert str(K1) not in repr(cipher)
    assert "k1" in repr(cipher)
    key = os.urandom(32)
    assert key.hex() not in repr(BlindIndex(key))
    assert str(key) not in repr(BlindIndex(key))


def test_from_config_parses_several_keys() -> None:
    spec = f" k1:{K1.hex()} , k2:{K2.hex().upper()} "
    cipher = FieldCipher.from_config(spec, "k2")
    assert cipher.key_ids == frozenset({"k1", "k2"})
    assert cipher.current_key_id == "k2"
    old = FieldCipher({"k1": K1}, "k1").encrypt("x")
    assert cipher.decrypt(old) == "x"


def test_from_config_accepts_the_demo_setting() -> None:
    from backend.config import DEMO_FIELD_KEYS

    cipher = FieldCipher.from_config(DEMO_FIELD_KEYS, "demo1")
    assert cipher.decrypt(cipher.encrypt("ok")) == "ok"


@pytest.mark.parametrize(
    ("spec", "current", "message"),
    [
        ("", "k1", "empty"),
        ("   ", "k1", "empty"),
        (f"k1{K1.hex()}", "k1", "entry 1 must look like"),
        (f":{K1.hex()}", "k1", "entry 1 must look like"),
        (f"k1:{K1.hex()},", "k1", "entry 2 is empty"),
        (f"k1:{K1.hex()},,k2:{K2.hex()}", "k1", "entry 2 is empty"),
        (f"k1:{K1.hex()[:30]}", "k1", "must be 32 hex characters .* got 30 characters"),
        (f"k1:{K1.hex()}00", "k1", "got 34 characters"),
        ("k1:" + "g" * 32, "k1", "non-hex characters"),
        (f"k1:{K1.hex()},k1:{K2.hex()}", "k1", "appears twice"),
        (f"k1:{K1.hex()}", "k9", "current key id 'k9' is not among"),
        (f"bad id:{K1.hex()}", "k1", "entry 1: key id"),
    ],
)
def test_from_config_errors_are_clear_and_never_echo_keys(spec, current, message) -> None:
    with pytest.raises(ValueError, match=message) as info:
        FieldCipher.from_config(spec, current)
    assert K1.hex()[:30] not in str(info.value)
    assert K2.hex()[:30] not in str(info.value)
    assert "g" * 32 not in str(info.value)


# --- BlindIndex ------------------------------------------------------------------------------


def test_blind_index_is_stable_across_spacing_and_case() -> None:
    index = BlindIndex(b"0123456789abcdef0123456789abcdef")
    reference = index.digest("11010519900307123X", "id_number")
    for variant in (
        "11010519900307123x",
        " 110105 19900307 123x ",
        "110105\t19900307\n123X",
        "110105\u300019900307\u3000123X",  # full-width (ideographic) spaces
    ):
        assert index.digest(variant, "id_number") == reference
    assert re.fullmatch(r"[0-9a-f]{64}", reference)
    assert index.digest("11010519900307123Y", "id_number") != reference


def test_blind_index_differs_per_kind_and_per_key() -> None:
    index = BlindIndex(b"k" * 16)
    assert index.digest("13812345678", "phone") != index.digest("13812345678", "id_number")
    # kind and value cannot be shifted into each other around the separator
    assert index.digest("BC", "a") != index.digest("C", "aB")
    assert BlindIndex(b"k" * 16).digest("13812345678", "phone") == index.digest(
        "13812345678", "phone"
    )
    assert BlindIndex(b"j" * 16).digest("13812345678", "phone") != index.digest(
        "13812345678", "phone"
    )


def test_blind_index_is_hmac_sm3_of_kind_separator_value() -> None:
    # Independent HMAC (RFC 2104) over gmssl's pure-Python SM3.
    key = b"demo-blind-index-key-32-bytes-long!"
    message = b"id_number\x1f11010519900307123X"

    def sm3(data: bytes) -> bytes:
        return bytes.fromhex(gmssl_sm3.sm3_hash(list(data)))

    block = key.ljust(64, b"\0")
    inner = sm3(bytes(b ^ 0x36 for b in block) + message)
    expected = sm3(bytes(b ^ 0x5C for b in block) + inner).hex()
    assert BlindIndex(key).digest("110105 19900307 123x", "id_number") == expected


def test_blind_index_matches() -> None:
    index = BlindIndex(os.urandom(32))
    stored = index.digest("13812345678", "phone")
    assert index.matches(" 138 1234 5678", "phone", stored)
    assert not index.matches("13812345679", "phone", stored)


def test_blind_index_validation() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        BlindIndex(b"x" * 15)
    with pytest.raises(TypeError):
        BlindIndex("a str key of sufficient length")  # type: ignore[arg-type]
    index = BlindIndex(b"x" * 16)
    for kind in ("", "a\x1fb"):
        with pytest.raises(ValueError):
            index.digest("13812345678", kind)
    with pytest.raises(ValueError, match="empty"):
        index.digest("  \t ", "phone")


# --- SM3 -------------------------------------------------------------------------------------


def test_sm3_standard_vectors() -> None:
    # GB/T 32905-2016, appendix A.
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


@given(st.binary(max_size=300))
def test_sm3_agrees_with_gmssl(data: bytes) -> None:
    assert sm3_hex(data) == gmssl_sm3.sm3_hash(list(data))
