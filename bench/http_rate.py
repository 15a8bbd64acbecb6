"""Request rate of /healthz, /readyz and an authenticated 就诊人 read, under gunicorn on this
machine, each beside /healthz of the same run.

The profile read is the full production path: token check, authorization, SM4 decryption, an
audit-log append (sealed later by the sealer, which runs beside the server as in production),
and the rate limiter's Redis round trip.
"""

from __future__ import annotations

import os

import requests
from sqlalchemy import select

from bench.load import CPU_NOTE, run, table
from bench.server import Gunicorn, prepared_app

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
WORKERS, THREADS = int(os.environ.get("BENCH_WORKERS", "2")), 4


def _patient_token() -> tuple[str, str]:
    """(profile external id, bearer token) of the seeded demo patient 张伟."""
    from backend.auth import open_session
    from backend.extensions import db
    from backend.models import Account, PrincipalKind

    with prepared_app().app_context():
        account = db.session.execute(select(Account).where(
            Account.wechat_openid == "oDEMO0000000000000000000zhang")).scalar_one()
        _, token = open_session(kind=PrincipalKind.ACCOUNT, channel="wechat",
                                account_id=account.id)
        db.session.commit()
        return str(account.profiles[0].external_id), token


def main() -> None:
    profile_id, token = _patient_token()
    auth = {"Authorization": f"Bearer {token}"}
    with Gunicorn(WORKERS, THREADS, sealer=True) as server:
        profile_url = f"{server.base}/api/v1/mp/profiles/{profile_id}"
        requests.get(profile_url, headers=auth, timeout=5).raise_for_status()
        ceiling = run("GET /healthz (ceiling)", f"{server.base}/healthz", {}, CLIENTS, SECONDS,
                      meter=server.meter())
        results = [ceiling,
                   run("GET /readyz", f"{server.base}/readyz", {}, CLIENTS, SECONDS,
                       meter=server.meter()),
                   run("GET /api/v1/mp/profiles/{id}", profile_url, auth, CLIENTS, SECONDS,
                       meter=server.meter())]
    print(f"\nHTTP request rate: gunicorn {WORKERS} workers x {THREADS} threads, {CLIENTS} "
          f"keep-alive clients, {SECONDS:.0f} s each, {os.cpu_count()} cores shared with the "
          f"load generator, PostgreSQL and Redis; load average {os.getloadavg()[0]:.1f}\n")
    print(table(results, ceiling))
    print(CPU_NOTE)


if __name__ == "__main__":
    main()
