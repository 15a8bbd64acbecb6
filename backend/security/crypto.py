"""Field encryption and blind indexes for personal identifiers, with Chinese national algorithms.

Why: ID numbers and phone numbers are stored encrypted (SM4-GCM, as the commercial-cryptography
rules for medical systems expect) so a database dump alone reveals nothing, and each ciphertext
names its key so keys can be rotated without downtime: new values use the current key, old
values stay readable until re-encrypted. Encrypted values cannot be searched, so a keyed
HMAC-SM3 "blind index" of the normalised value sits next to them for exact-match look-ups.

Token format: ``sm4gcm:<key id>:<base64url, no padding, of nonce(12) | ciphertext | tag(16)>``.
The key id is the GCM associated data, so a token cannot be relabelled with another key id.
Nonces are random (96 bits): stay well below 2**32 encryptions per key, i.e. rotate keys.
"""

from __future__ import annotations

import base64
import binascii
import hmac as _stdlib_hmac
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SCHEME = "sm4gcm"
KEY_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
BLIND_INDEX_MIN_KEY_BYTES = 16

_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_HEX_KEY = re.compile(r"[0-9A-Fa-f]{32}")
_SEPARATOR = "\x1f"  # ASCII unit separator: cannot appear in a kind, so kind|value is unambiguous


class DecryptionError(ValueError):
    """A token could not be decrypted (malformed, unknown key id, or failed authentication)."""


def sm3_hex(data: bytes) -> str:
    """SM3 digest (GB/T 32905-2016) of `data`, as 64 lower-case hex characters."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(bytes(data))
    return digest.finalize().hex()


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode_strict(text: str) -> bytes:
    """Decode unpadded base64url, refusing anything but the one canonical spelling of the bytes.

    The standard decoder skips stray characters and ignores the spare low bits of the last
    character; both would let an altered token decrypt, so they are refused here.
    """
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise DecryptionError("token payload is not valid base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("token payload is not valid base64url") from exc
    if _b64url_encode(raw) != text:
        raise DecryptionError("token payload is not canonical base64url")
    return raw


def _check_key_id(key_id: object) -> str:
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise ValueError(
            f"key id {key_id!r} is invalid: use 1-64 characters from A-Z a-z 0-9 _ . -"
        )
    return key_id


class FieldCipher:
    """SM4-GCM encryption of single text fields under a set of named keys (one is current)."""

    __slots__ = ("_current_key_id", "_keys")

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str) -> None:
        if not keys:
            raise ValueError("at least one field encryption key is required")
        checked: dict[str, bytes] = {}
        for key_id, key in keys.items():
            _check_key_id(key_id)
            if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
                size = len(key) if isinstance(key, bytes | bytearray) else type(key).__name__
                raise ValueError(
                    f"key {key_id!r} must be exactly {KEY_BYTES} bytes for SM4 (got {size})"
                )
            checked[key_id] = bytes(key)
        if current_key_id not in checked:
            raise ValueError(
                f"current key id {current_key_id!r} is not among the configured keys "
                f"({', '.join(sorted(checked))})"
            )
        self._keys = checked
        self._current_key_id = current_key_id

    @classmethod
    def from_config(cls, spec: str, current_key_id: str) -> FieldCipher:
        """Build from a config string ``"k1:<32 hex chars>,k2:<32 hex chars>"``.

        Error messages name the entry and key id but never echo key material.
        """
        if not isinstance(spec, str) or not spec.strip():
            raise ValueError("field encryption key spec is empty; expected 'id1:<32 hex>,...'")
        keys: dict[str, bytes] = {}
        for position, entry in enumerate(spec.split(","), start=1):
            entry = entry.strip()
            if not entry:
                raise ValueError(f"field encryption key spec: entry {position} is empty")
            key_id, colon, hex_key = entry.partition(":")
            key_id, hex_key = key_id.strip(), hex_key.strip()
            if not colon or not key_id:
                raise ValueError(
                    f"field encryption key spec: entry {position} must look like "
                    "'<key id>:<32 hex chars>'"
                )
            try:
                _check_key_id(key_id)
            except ValueError as exc:
                raise ValueError(f"field encryption key spec: entry {position}: {exc}") from None
            if key_id in keys:
                raise ValueError(f"field encryption key spec: key id {key_id!r} appears twice")
            if not _HEX_KEY.fullmatch(hex_key):
                problem = (
                    f"{len(hex_key)} characters"
                    if re.fullmatch(r"[0-9A-Fa-f]*", hex_key)
                    else "non-hex characters"
                )
                raise ValueError(
                    f"field encryption key spec: key {key_id!r} must be 32 hex characters "
                    f"(16 bytes), got {problem}"
                )
            keys[key_id] = bytes.fromhex(hex_key)
        return cls(keys, current_key_id)

    @property
    def current_key_id(self) -> str:
        return self._current_key_id

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def __repr__(self) -> str:
        return f"FieldCipher(key_ids={sorted(self._keys)!r}, current={self._current_key_id!r})"

    def encrypt(self, plaintext: str) -> str:
        """Encrypt under the current key with a fresh random nonce."""
        if not isinstance(plaintext, str):
            raise TypeError(f"plaintext must be str, not {type(plaintext).__name__}")
        key_id = self._current_key_id
        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._keys[key_id]), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(key_id.encode("ascii"))
        ciphertext = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
        payload = _b64url_encode(nonce + ciphertext + encryptor.tag)
        return f"{SCHEME}:{key_id}:{payload}"

    def decrypt(self, token: str) -> str:
        """Decrypt a token from `encrypt`, with whichever configured key it names."""
        key_id, raw = self._parse(token)
        key = self._keys.get(key_id)
        if key is None:
            raise DecryptionError(f"token was encrypted with unknown key id {key_id!r}")
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("token payload is truncated")
        nonce, ciphertext, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(key_id.encode("ascii"))
        try:
            plaintext = decryptor.update(ciphertext) + decryptor.finalize()
        except InvalidTag:
            raise DecryptionError(
                f"token under key id {key_id!r} failed authentication "
                "(tampered, truncated, or relabelled with another key id)"
            ) from None
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:  # authentic but not ours: never include the bytes
            raise DecryptionError("decrypted data is not UTF-8 text") from None

    def key_id_of(self, token: str) -> str:
        """The key id a token names (format-checked; the key need not be configured)."""
        return self._parse(token)[0]

    def needs_rotation(self, token: str) -> bool:
        """True when the token was not encrypted under the current key."""
        return self.key_id_of(token) != self._current_key_id

    def rotate(self, token: str) -> str:
        """Re-encrypt under the current key if needed (for background re-keying jobs)."""
        return self.encrypt(self.decrypt(token)) if self.needs_rotation(token) else token

    @staticmethod
    def _parse(token: str) -> tuple[str, bytes]:
        if not isinstance(token, str):
            raise DecryptionError(f"token must be str, not {type(token).__name__}")
        parts = token.split(":")
        if len(parts) != 3 or parts[0] != SCHEME:
            raise DecryptionError(f"not a field-encryption token (expected '{SCHEME}:<id>:<data>')")
        _, key_id, payload = parts
        if not _KEY_ID.fullmatch(key_id):
            raise DecryptionError("token has an invalid key id")
        return key_id, _b64url_decode_strict(payload)


def _normalise_for_index(value: str) -> str:
    return "".join(value.split()).upper()


class BlindIndex:
    """Keyed HMAC-SM3 of a normalised identifier, for exact look-ups of encrypted columns.

    The kind (e.g. "id_number", "phone") is part of the MAC input, so equal strings of different
    kinds never share a digest. Pass already-normalised values (`normalize_document`,
    `normalize_mobile`); this only removes whitespace and upper-cases.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes | bytearray):
            raise TypeError(f"blind index key must be bytes, not {type(key).__name__}")
        if len(key) < BLIND_INDEX_MIN_KEY_BYTES:
            raise ValueError(
                f"blind index key must be at least {BLIND_INDEX_MIN_KEY_BYTES} bytes "
                f"(got {len(key)})"
            )
        self._key = bytes(key)

    def __repr__(self) -> str:
        return "BlindIndex(<key hidden>)"

    def digest(self, value: str, kind: str) -> str:
        """Hex HMAC-SM3 of ``kind + "\\x1f" + normalised value``."""
        if not isinstance(kind, str) or not kind or _SEPARATOR in kind:
            raise ValueError("blind index kind must be a non-empty string without \\x1f")
        if not isinstance(value, str):
            raise TypeError(f"blind index value must be str, not {type(value).__name__}")
        normalised = _normalise_for_index(value)
        if not normalised:
            raise ValueError("blind index value is empty after normalisation")
        mac = hmac.HMAC(self._key, hashes.SM3())
        mac.update(f"{kind}{_SEPARATOR}{normalised}".encode())
        return mac.finalize().hex()

    def matches(self, value: str, kind: str, digest: str) -> bool:
        """Constant-time comparison of a stored digest with the digest of `value`."""
        return _stdlib_hmac.compare_digest(self.digest(value, kind), digest)
