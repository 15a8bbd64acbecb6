"""The README's configuration table lists exactly the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from backend.config import SETTINGS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_and_nothing_else():
    text = README.read_text(encoding="utf-8")
    assert text.splitlines()[3:5] == [
        "make demo   # fresh machine with Python 3.11: venv, install, migrate SQLite, seed, "
        "serve on 127.0.0.1",
        "make test   # install, ruff, import-linter, the whole test suite (PostgreSQL + Redis on "
        "this machine)",
    ]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", text, flags=re.MULTILINE))
    assert documented == {setting.name for setting in SETTINGS}
