"""CPU spent per request by the server's processes and by the PostgreSQL backends serving them.

Why: the machine is shared, so requests per second move with the neighbours' load; the CPU a
request costs does not (much). Read from Linux /proc; 0 where a process is gone or elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family(pid: int) -> list[int]:
    """A process and the processes it forked (gunicorn's master and workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return [pid, *children]


def backends(database_url: str) -> list[int]:
    """PostgreSQL backends connected to the database of `database_url`, other than the one
    asking."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return [pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")]


@dataclass(frozen=True)
class Spent:
    app_seconds: float
    database_seconds: float


class CpuMeter:
    """CPU of some server processes (and their children) and of the database's backends between
    `start()` and `stop()`."""

    def __init__(self, pids: list[int], database_url: str) -> None:
        self.pids, self.database_url = pids, database_url
        self._app: dict[int, float] = {}
        self._database: dict[int, float] = {}

    def _app_pids(self) -> list[int]:
        return [pid for root in self.pids for pid in family(root)]

    def start(self) -> None:
        self._app = {pid: cpu_seconds(pid) for pid in self._app_pids()}
        self._database = {pid: cpu_seconds(pid) for pid in backends(self.database_url)}

    def stop(self) -> Spent:
        app = sum(cpu_seconds(pid) - self._app.get(pid, 0.0) for pid in self._app_pids())
        database = sum(cpu_seconds(pid) - self._database.get(pid, 0.0)
                       for pid in backends(self.database_url))
        return Spent(app, database)
