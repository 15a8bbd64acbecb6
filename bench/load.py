"""A small closed-loop HTTP load generator: N keep-alive clients, bounded in time and count.

`wrk` (Debian package) is used when installed — it costs the server far less CPU than a Python
client on the same two cores; otherwise Python threads with persistent connections.
"""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from bench.cpu import CpuMeter, Spent


@dataclass(frozen=True)
class LoadResult:
    label: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    tool: str
    app_cpu_ms: float | None = None  # CPU per request of the server's processes…
    database_cpu_ms: float | None = None  # …and of the PostgreSQL backends serving them

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run(label: str, url: str, headers: dict[str, str], clients: int, seconds: float,
        max_requests: int = 2_000_000, meter: CpuMeter | None = None) -> LoadResult:
    """Load `url` for `seconds`; with `meter`, also the server's CPU per request."""
    if meter is not None:
        meter.start()
    if shutil.which("wrk"):
        result = _wrk(label, url, headers, clients, seconds)
    else:
        result = _threads(label, url, headers, clients, seconds, max_requests)
    return with_cpu(result, meter.stop()) if meter is not None else result


def with_cpu(result: LoadResult, spent: Spent) -> LoadResult:
    count = max(result.requests, 1)
    return replace(result, app_cpu_ms=spent.app_seconds / count * 1000,
                   database_cpu_ms=spent.database_seconds / count * 1000)


_WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("P50_US %d\\nP95_US %d\\n", latency:percentile(50),
                         latency:percentile(95)))
end
"""


def _wrk(label: str, url: str, headers: dict[str, str], clients: int, seconds: float
         ) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_WRK_REPORT)
        script.flush()
        args = ["wrk", "-t", str(min(2, clients)), "-c", str(clients),
                "-d", f"{int(seconds)}s", "-s", script.name]
        for name, value in headers.items():
            args += ["-H", f"{name}: {value}"]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True,
                             timeout=seconds + 30).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    p50, p95 = (int(re.search(rf"{name} (\d+)", out).group(1)) / 1000 for name in ("P50_US",
                                                                                   "P95_US"))
    return LoadResult(label, total, errors, seconds, p50, p95, "wrk")


def _threads(label: str, url: str, headers: dict[str, str], clients: int, seconds: float,
             max_requests: int) -> LoadResult:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < deadline and len(mine) < max_requests // clients:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return LoadResult(label, len(latencies), errors[0], elapsed, quantiles[49] * 1000,
                      quantiles[94] * 1000, "python threads")


CPU_NOTE = ("\nCPU per request: gunicorn's master and workers and the audit sealer (app), and the "
            "PostgreSQL backends of the bench database, while the row ran; Redis and the load "
            "generator are not counted. Steadier than req/s on a shared machine.")


def table(results: list[LoadResult], ceiling: LoadResult | None = None) -> str:
    """A markdown table; with `ceiling` (the /healthz run), each rate as a share of it."""
    head = "| endpoint | requests | errors | req/s | p50 ms | p95 ms |"
    rule = "| --- | --- | --- | --- | --- | --- |"
    if ceiling is not None:
        head, rule = head + " vs /healthz |", rule + " --- |"
    metered = any(r.app_cpu_ms is not None for r in results)
    if metered:
        head, rule = head + " app CPU ms/req | PostgreSQL CPU ms/req |", rule + " --- | --- |"
    rows = [head + " tool |", rule + " --- |"]
    for r in results:
        share = f" {r.rate / ceiling.rate:.1%} |" if ceiling is not None and ceiling.rate else ""
        cpu = (f" {r.app_cpu_ms or 0:.2f} | {r.database_cpu_ms or 0:.2f} |" if metered else "")
        rows.append(f"| {r.label} | {r.requests} | {r.errors} | {r.rate:.0f} | {r.p50_ms:.1f} | "
                    f"{r.p95_ms:.1f} |{share}{cpu} {r.tool} |")
    return "\n".join(rows)
