"""No plaintext ID number or phone of a seeded person anywhere in the database."""

from __future__ import annotations

from sqlalchemy import String, Text, select

from backend.demo.seed import load_data, seed
from backend.extensions import db
from backend.models import PatientProfile


def _plaintexts() -> set[str]:
    values = set()
    for account in load_data()["accounts"]:
        for person in account["profiles"]:
            values.add(person["document_number"])
            if person.get("phone"):
                values.add(person["phone"])
    return values


def test_seeded_identifiers_are_only_stored_encrypted(ctx):
    seed()
    secrets = _plaintexts()
    assert len(secrets) >= 10
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))
                   or c.type.__class__.__name__ in {"EncryptedString", "JSON"}]
        for column in columns:
            raw = db.session.execute(select(column.cast(Text))).scalars().all()
            for value in raw:
                if value and any(secret in value for secret in secrets):
                    found.append(f"{table.name}.{column.name}")
    assert found == []
    # …and the application still reads them back in clear.
    profiles = db.session.execute(select(PatientProfile)).scalars().all()
    assert {p.document_number for p in profiles} <= secrets


def test_seeding_twice_adds_nothing(ctx):
    first = seed()
    assert first["organizations"] == 3 and first["profiles"] == 7
    assert set(seed().values()) == {0}
