"""Jobs run in an app context: the current one (inline) or the worker process's own app.

The worker's entry point (`frontdoor worker`) builds the app and hands it over with
`set_worker_app`; jobs never build one themselves, so nothing under `backend.jobs` imports
`backend.app` (the import-linter contracts in pyproject.toml keep it so).

RQ forks a work horse per job; a forked child must not share the parent's database
connections, so the pool is dropped (without closing the parent's sockets) in each new process.
"""

from __future__ import annotations

import functools
import os

from flask import Flask, has_app_context

from backend.extensions import db

_worker_app: Flask | None = None
_pool_pid: int | None = None


def set_worker_app(app: Flask) -> None:
    """Called once by the `worker` command before it starts taking jobs."""
    global _worker_app
    _worker_app = app


def _app() -> Flask:
    if _worker_app is None:
        raise RuntimeError("no app for this job: run jobs with `frontdoor worker`, which builds "
                           "the app and hands it to the jobs before taking any")
    return _worker_app


def with_app_context(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        global _pool_pid
        if has_app_context():
            return func(*args, **kwargs)
        with _app().app_context():
            if _pool_pid != os.getpid():
                db.engine.dispose(close=False)
                _pool_pid = os.getpid()
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()
    return wrapper
