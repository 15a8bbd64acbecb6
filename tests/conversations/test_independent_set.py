"""The independent evaluation set stays as it was frozen, and stays well-formed.

It was written by helpers who never saw the engine's data (see the data cards beside it). A
failing engine is fixed in the engine, never in the set: this test fails on any edit to a frozen
file, so a change to the set shows in review.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

SET_DIR = Path(__file__).parent / "independent"
FROZEN = dict(reversed(line.split()) for line in
              (SET_DIR / "frozen.sha256").read_text(encoding="utf-8").splitlines() if line)
DEPARTMENTS = set("CARD RESP GAST NEUR ENDO NEPH HEMA RHEU INFE GENM GSUR ORTH UROL NSUR THOR "
                  "GYNE OBST PEDI OPHT ENT STOM DERM PSYC TCM REHA EMER PREV".split())


def items(name: str) -> list[dict]:
    return json.loads((SET_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_frozen_files_are_unchanged(name):
    digest = hashlib.sha256((SET_DIR / name).read_bytes()).hexdigest()
    assert digest == FROZEN[name], f"{name} changed after it was frozen"


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_every_item_has_a_unique_id_and_a_patient(name):
    data = items(name)
    assert len({item["id"] for item in data}) == len(data)
    for item in data:
        assert item["sex"] in {"male", "female"} and 0 <= item["age"] <= 120, item["id"]
        assert item["age"] >= 2 or item["age_months"] is not None, item["id"]
        assert item.get("utterances") or item.get("text"), item["id"]


def test_emergencies_cover_the_issue_and_its_twins():
    data = items("emergencies.json")
    expect = [item["expect"] for item in data]
    assert expect.count("emergency") >= 400 and expect.count("none") >= 200
    assert expect.count("screen") >= 30
    twins = {item["id"]: item for item in data}
    for item in data:
        if item["expect"] == "none":
            assert twins[item["twin_of"]]["expect"] == "emergency", item["id"]
            assert item["department"] in DEPARTMENTS, item["id"]
    assert len({item["category"] for item in data if item["expect"] == "emergency"}) >= 25


def test_dialogues_are_multi_turn_with_expected_facts():
    data = items("dialogues.json")
    assert len(data) >= 60
    for item in data:
        assert 6 <= len(item["utterances"]) <= 14, item["id"]
        assert item["expect"]["chief_complaint"], item["id"]
