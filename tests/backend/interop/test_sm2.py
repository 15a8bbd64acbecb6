"""backend.interop.sm2: SM2-SM3 key pairs, signatures and the gmssl quirks they work around."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from Cryptodome.Util.asn1 import DerInteger, DerSequence
from gmssl.sm2 import CryptSM2, default_ecc_table

from backend.interop import sm2

N = int(default_ecc_table["n"], 16)
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX128 = re.compile(r"[0-9a-f]{128}")
DATA = '{"resourceType":"Bundle","type":"transaction","entry":[]} 张三'.encode()

# Small private keys whose public keys trip gmssl's `public_key.lstrip("04")`:
D_X_STARTS_04 = f"{11:064x}"  # x begins "04": even the bare 128-digit key gets truncated
D_X_STARTS_0 = f"{6:064x}"  # x begins "0": the 04-prefixed form loses x's leading zero


@pytest.fixture(scope="module")
def keypair() -> tuple[str, str]:
    return sm2.generate_keypair()


def test_generate_keypair_gives_a_private_scalar_and_its_curve_point(keypair):
    private_hex, public_hex = keypair
    assert HEX64.fullmatch(private_hex) and 1 <= int(private_hex, 16) <= N - 2
    assert HEX128.fullmatch(public_hex)
    assert sm2.normalize_public_key(public_hex) == public_hex  # on the curve
    assert sm2.public_key_of(private_hex) == public_hex
    assert sm2.generate_keypair()[0] != private_hex


def test_sign_verify_round_trip(keypair):
    private_hex, public_hex = keypair
    signature = sm2.sign(private_hex, public_hex, DATA)
    assert HEX128.fullmatch(signature)
    assert sm2.verify(public_hex, DATA, signature) is True
    again = sm2.sign(private_hex, public_hex, DATA)
    assert again != signature  # a fresh nonce every time
    assert sm2.verify(public_hex, DATA, again) is True
    assert sm2.verify(public_hex, DATA, signature.upper()) is True


def test_signature_does_not_verify_for_other_data_or_another_key(keypair):
    private_hex, public_hex = keypair
    signature = sm2.sign(private_hex, public_hex, DATA)
    assert sm2.verify(public_hex, DATA + b" ", signature) is False
    assert sm2.verify(public_hex, DATA[:-1], signature) is False
    assert sm2.verify(sm2.generate_keypair()[1], DATA, signature) is False


def test_the_public_key_may_be_omitted_when_signing(keypair):
    private_hex, public_hex = keypair
    assert sm2.verify(public_hex, DATA, sm2.sign(private_hex, None, DATA))
    assert sm2.verify(public_hex, DATA, sm2.sign(private_hex, "", DATA))


def test_a_public_key_not_of_the_private_key_is_refused_when_signing(keypair):
    private_hex, _ = keypair
    with pytest.raises(ValueError, match="does not belong"):
        sm2.sign(private_hex, sm2.generate_keypair()[1], DATA)


@pytest.mark.parametrize("private_hex", [D_X_STARTS_04, D_X_STARTS_0])
def test_keys_work_with_and_without_the_04_prefix(private_hex):
    public_hex = sm2.public_key_of(private_hex)
    prefixed = "04" + public_hex
    for signer_key in (public_hex, prefixed, prefixed.upper()):
        signature = sm2.sign(private_hex, signer_key, DATA)
        assert sm2.verify(public_hex, DATA, signature)
        assert sm2.verify(prefixed, DATA, signature)
        assert not sm2.verify(prefixed, DATA + b"x", signature)


def test_the_gmssl_lstrip_quirk_is_real():
    """Why we set CryptSM2.public_key ourselves: gmssl's constructor strips characters."""
    starts_04 = sm2.public_key_of(D_X_STARTS_04)
    starts_0 = sm2.public_key_of(D_X_STARTS_0)
    assert starts_04.startswith("04") and starts_0.startswith("0")
    assert len(CryptSM2(private_key=None, public_key=starts_04).public_key) < 128
    assert len(CryptSM2(private_key=None, public_key="04" + starts_0).public_key) < 128
    signature = sm2.sign(D_X_STARTS_04, starts_04, DATA)
    with pytest.raises((TypeError, ValueError)):  # gmssl alone cannot use that key
        assert not CryptSM2(private_key=None, public_key=starts_04).verify_with_sm3(
            signature, DATA)


def test_malformed_signatures_are_simply_invalid(keypair):
    private_hex, public_hex = keypair
    signature = sm2.sign(private_hex, public_hex, DATA)
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    for bad in ["", "zz" * 64, signature[:127], signature + "00", "0" * 128,
                f"{r:064x}{0:064x}", f"{N:064x}{s:064x}", None]:
        assert sm2.verify(public_hex, DATA, bad) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("public_hex", [
    "", "04", "ab" * 63, "ab" * 65, "zz" * 64, "05" + "ab" * 64,
    "01" * 64,  # 128 hex digits but not a point on the curve
])
def test_malformed_public_keys_are_configuration_errors(keypair, public_hex):
    private_hex, _ = keypair
    with pytest.raises(ValueError):
        sm2.verify(public_hex, DATA, "1" * 128)
    with pytest.raises(ValueError):
        sm2.sign(private_hex, public_hex or "x", DATA)


@pytest.mark.parametrize("private_hex", ["", "0", "xyz", f"{N - 1:064x}", f"{N:064x}", "1" * 65])
def test_malformed_private_keys_are_refused(private_hex):
    with pytest.raises(ValueError):
        sm2.sign(private_hex, None, DATA)


def _openssl_sm2() -> str | None:
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    curves = subprocess.run([openssl, "ecparam", "-list_curves"], capture_output=True, text=True,
                            check=False).stdout
    return openssl if "SM2" in curves else None


@pytest.mark.skipif(_openssl_sm2() is None, reason="no openssl with SM2")
def test_interoperates_with_openssl(tmp_path: Path):
    """The Z value (default ID 1234567812345678) and SM3 digest agree with OpenSSL's SM2."""
    openssl = _openssl_sm2()
    assert openssl
    key, pub, data = tmp_path / "key.pem", tmp_path / "pub.pem", tmp_path / "data"
    subprocess.run([openssl, "genpkey", "-algorithm", "SM2", "-out", key], check=True)
    subprocess.run([openssl, "pkey", "-in", key, "-pubout", "-out", pub], check=True)
    text = subprocess.run([openssl, "pkey", "-in", key, "-text", "-noout"], check=True,
                          capture_output=True, text=True).stdout
    found = re.search(r"priv:\s*([0-9a-f:\s]+?)\s*pub:\s*([0-9a-f:\s]+?)\s*ASN1", text)
    assert found
    private_hex, public_hex = (re.sub(r"[:\s]", "", part) for part in found.groups())
    private_hex = private_hex[-64:].rjust(64, "0")
    assert sm2.public_key_of(private_hex) == sm2.normalize_public_key(public_hex)
    data.write_bytes(DATA)
    distid = ["-pkeyopt", "distid:1234567812345678"]
    common = ["-in", data, "-rawin", "-digest", "sm3", *distid]

    signature = sm2.sign(private_hex, public_hex, DATA)
    der = DerSequence([DerInteger(int(signature[:64], 16)),
                       DerInteger(int(signature[64:], 16))]).encode()
    (tmp_path / "ours.der").write_bytes(der)
    verified = subprocess.run([openssl, "pkeyutl", "-verify", "-pubin", "-inkey", pub,
                               "-sigfile", tmp_path / "ours.der", *common],
                              capture_output=True, text=True, check=False)
    assert "Signature Verified Successfully" in verified.stdout, verified.stderr

    subprocess.run([openssl, "pkeyutl", "-sign", "-inkey", key, "-out", tmp_path / "theirs.der",
                    *common], check=True)
    r, s = DerSequence().decode((tmp_path / "theirs.der").read_bytes())
    assert sm2.verify(public_hex, DATA, f"{r:064x}{s:064x}")
    assert not sm2.verify(public_hex, DATA + b"!", f"{r:064x}{s:064x}")
