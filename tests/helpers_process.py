"""Start `frontdoor` sub-commands as real processes against the test database and Redis."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import AUDIT_CHECKPOINT_PATH, DATABASE_URL, REDIS_URL


def frontdoor_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "FRONTDOOR_ENV": "test",
                "LOG_LEVEL": "INFO",
                "AUDIT_CHECKPOINT_PATH": AUDIT_CHECKPOINT_PATH})
    env.update(extra)
    return env


def frontdoor(*args: str, **extra_env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "backend.cli", *args],
                            env=frontdoor_env(**extra_env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
