"""RSA key pairs for the simulators and tests (never for production keys)."""

from __future__ import annotations

import functools
from typing import NamedTuple

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class RsaKeyPair(NamedTuple):
    private_pem: str  # PKCS#1 "BEGIN RSA PRIVATE KEY", as python-alipay-sdk's docs show
    public_pem: str  # SubjectPublicKeyInfo "BEGIN PUBLIC KEY", as Alipay's console hands out


def generate_rsa_keypair(bits: int = 2048) -> RsaKeyPair:
    """A fresh key pair on every call, in PEM formats that `Cryptodome.PublicKey.RSA.importKey`
    (python-alipay-sdk) and `cryptography` both load."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    return RsaKeyPair(private_pem, public_pem)


@functools.cache
def cached_rsa_keypair(label: str, bits: int = 2048) -> RsaKeyPair:
    """One key pair per `label` for the life of the process: tests that need several distinct
    keys (app key, Alipay key, a wrong key) ask for different labels and pay for each once."""
    return generate_rsa_keypair(bits)
