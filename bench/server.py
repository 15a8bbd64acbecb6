"""A throw-away PostgreSQL database, Redis database and gunicorn server for HTTP benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

import psycopg
import requests
from flask import Flask
from flask_migrate import upgrade

from bench.cpu import CpuMeter

BENCH_DB = "frontdoor_bench"
# Workers import the whole app (the offline voice engines too): on a loaded shared machine that
# alone has taken over 30 s.
READY_WITHIN = int(os.environ.get("BENCH_READY_WITHIN", "120"))
ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              f"postgresql://postgres@127.0.0.1:5432/{BENCH_DB}")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ENV = {"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "FRONTDOOR_ENV": "test",
       "RATELIMIT_DEFAULT": "10000000 per minute", "RATELIMIT_MESSAGES": "10000000 per minute",
       "LOG_LEVEL": "WARNING"}


def prepared_app(**overrides: Any) -> Flask:
    """Create the bench database if needed, migrate and seed it; return an app bound to it."""
    from backend.app import create_app
    from backend.demo.seed import seed

    name = psycopg.conninfo.conninfo_to_dict(DATABASE_URL)["dbname"]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    app = create_app({**ENV, **overrides})
    with app.app_context():
        upgrade()
        seed()
    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`frontdoor serve` in a child process, ready when the context is entered."""

    def __init__(self, workers: int = 2, threads: int = 4, sealer: bool = True,
                 **env: Any) -> None:
        self.workers, self.threads, self.env, self.with_sealer = workers, threads, env, sealer
        self.base = ""
        self.process: subprocess.Popen | None = None
        self.sealer: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--bind", f"127.0.0.1:{port}",
             "--workers", str(self.workers), "--threads", str(self.threads)],
            env={**os.environ, **ENV, **self.env}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        if self.with_sealer:  # the audit sealer runs beside the web processes, as in production
            self.sealer = subprocess.Popen(
                [sys.executable, "-m", "backend.cli", "audit", "seal"],
                env={**os.environ, **ENV, **self.env}, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
        # Workers import the whole app after the fork: on a loaded shared machine that takes a
        # while, and a worker still starting may accept a connection and answer late.
        try:
            self._wait_until_ready()
        except BaseException:  # never leave a server or a sealer running behind a failed bench
            self.__exit__()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/readyz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not become ready within {READY_WITHIN} s")

    def meter(self) -> CpuMeter:
        """Counts the CPU of gunicorn (master and workers), the sealer and the database's
        backends: everything a request costs but the load generator and Redis."""
        pids = [process.pid for process in (self.process, self.sealer) if process]
        return CpuMeter(pids, DATABASE_URL)

    def __exit__(self, *_exc: object) -> None:
        for process in (self.process, self.sealer):
            if process:
                process.terminate()
                process.wait(timeout=30)
