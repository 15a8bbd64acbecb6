"""Column types: SM4-encrypted identifiers and timezone-safe timestamps on SQLite."""

from __future__ import annotations

from datetime import UTC

from flask import current_app
from sqlalchemy import DateTime, String, Text
from sqlalchemy.types import TypeDecorator


class EncryptedString(TypeDecorator):
    """Stores `FieldCipher` ciphertext; Python code only ever sees the plaintext.

    The cipher comes from the app (keys are configuration), so models never hold key material.
    """

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return current_app.extensions["field_cipher"].encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return current_app.extensions["field_cipher"].decrypt(value)


class UTCDateTime(TypeDecorator):
    """Always hands back an aware UTC datetime, on PostgreSQL and on SQLite (which drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EncryptedText(EncryptedString):
    """Like EncryptedString for long text (a raw HL7 message or FHIR Bundle in the dead-letter
    table carries names and ID numbers, so it is ciphertext at rest too)."""

    impl = Text
    cache_ok = True
