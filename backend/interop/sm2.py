"""SM2 signatures with the SM3 digest (GB/T 32918, GM/T 0003), over the pure-Python ``gmssl``.

Why: some hospital receivers want, besides TLS and the bearer token, a detached signature of the
exact payload bytes we POST (header ``X-Signature``, ``X-Signature-Alg: SM2-SM3``), made with the
national-standard algorithm their security review requires.

Keys and signatures are hex strings:

- private key: 64 hex digits, the scalar d with 1 <= d <= n - 2;
- public key: the uncompressed point x || y, 128 hex digits (``generate_keypair`` gives this form);
  130 digits with the SEC 1 prefix ``04`` are accepted everywhere too;
- signature: r || s, 128 hex digits (not DER), with the SM3 digest over Z || message, where Z is
  computed with the default user ID "1234567812345678" (GM/T 0009), as gmssl and most peers do.

gmssl quirks handled here:

- ``CryptSM2.__init__`` does ``public_key.lstrip("04")`` when the key starts with "04": that strips
  every leading '0' and '4' character, not the prefix, so it truncates 130-digit keys whose x
  starts with 0 or 4, and also 128-digit keys whose x happens to start with "04". We normalise the
  key ourselves and set ``public_key`` after construction.
- It has no key generation; ``_kg`` (scalar multiplication) is what its own tests use.
- ``sign_with_sm3`` draws its nonce with ``random.choice`` (not a CSPRNG) when none is given, and
  may return None (degenerate r or s): we always pass a ``secrets`` nonce and retry.
- ``verify`` checks neither that r and s are in [1, n-1] (GB/T 32918.2 requires it; its scalar
  multiplication reduces s mod n) nor the signature length (trailing characters are ignored), and
  raises on non-hex input or returns the int 0: ``verify`` below checks all that first and always
  answers a bool.
"""

from __future__ import annotations

import secrets
import string

from gmssl.sm2 import CryptSM2, default_ecc_table

_N = int(default_ecc_table["n"], 16)
_P = int(default_ecc_table["p"], 16)
_A = int(default_ecc_table["a"], 16)
_B = int(default_ecc_table["b"], 16)
_G = default_ecc_table["g"]
_HEX = frozenset(string.hexdigits)
ALGORITHM = "SM2-SM3"  # the X-Signature-Alg header value


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and _HEX.issuperset(text)


def normalize_public_key(public_hex: str) -> str:
    """The key as 128 lowercase hex digits (x || y), from 128 digits or 130 with the 04 prefix.

    Raises ValueError if it is not a point on the SM2 curve.
    """
    key = public_hex.strip().lower() if isinstance(public_hex, str) else ""
    if len(key) == 130 and key.startswith("04"):
        key = key[2:]
    if not _is_hex(key, 128):
        raise ValueError("SM2 public key must be 128 hex digits (x || y), or 130 starting 04")
    x, y = int(key[:64], 16), int(key[64:], 16)
    if x >= _P or y >= _P or (y * y - (x * x * x + _A * x + _B)) % _P != 0:
        raise ValueError("SM2 public key is not a point on the SM2 curve")
    return key


def _private_scalar(private_hex: str) -> int:
    key = private_hex.strip() if isinstance(private_hex, str) else ""
    if not key or len(key) > 64 or not _HEX.issuperset(key):
        raise ValueError("SM2 private key must be at most 64 hex digits")
    d = int(key, 16)
    if not 1 <= d <= _N - 2:  # 1 + d must be invertible mod n
        raise ValueError("SM2 private key is out of range")
    return d


def _crypt(private_key: str | None, public_key: str) -> CryptSM2:
    crypt = CryptSM2(private_key=private_key, public_key=public_key)
    crypt.public_key = public_key  # undo the lstrip("04") of __init__ (see the module docstring)
    return crypt


def public_key_of(private_hex: str) -> str:
    """The public key (128 hex digits) of a private key: d·G."""
    return _crypt(None, "")._kg(_private_scalar(private_hex), _G)


def generate_keypair() -> tuple[str, str]:
    """A new (private_hex, public_hex): d uniform in [1, n-2] from `secrets`, public d·G."""
    d = secrets.randbelow(_N - 2) + 1
    private_hex = f"{d:064x}"
    return private_hex, public_key_of(private_hex)


def sign(private_hex: str, public_hex: str | None, data: bytes) -> str:
    """The SM2-SM3 signature of `data` (r || s, 128 hex digits).

    The public key enters the digest (the Z value); empty or None derives it from the private
    key. A key that is not the private key's own is a configuration error (the signature could
    never verify) and raises ValueError.
    """
    d = _private_scalar(private_hex)
    own_key = public_key_of(private_hex)
    public_key = normalize_public_key(public_hex) if public_hex else own_key
    if public_key != own_key:
        raise ValueError("SM2 public key does not belong to the private key")
    crypt = _crypt(f"{d:064x}", public_key)
    message = bytes(data)
    while True:  # a degenerate nonce (r = 0, r + k = n or s = 0) is vanishingly rare: draw again
        signature = crypt.sign_with_sm3(message, f"{secrets.randbelow(_N - 1) + 1:064x}")
        if signature:
            return signature


def verify(public_hex: str, data: bytes, signature_hex: str) -> bool:
    """Whether `signature_hex` is a valid SM2-SM3 signature of `data` by `public_hex`.

    A malformed signature is simply not valid (False); a malformed public key is the verifier's
    configuration error and raises ValueError.
    """
    public_key = normalize_public_key(public_hex)
    signature = signature_hex.strip() if isinstance(signature_hex, str) else ""
    if not _is_hex(signature, 128):
        return False
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    try:
        return bool(_crypt(None, public_key).verify_with_sm3(signature, bytes(data)))
    except (TypeError, ValueError):  # gmssl hits the point at infinity on crafted input
        return False
