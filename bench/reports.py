"""Reports: ORU^R01 ingested per second over real MLLP, and explanation time per report.

Ingest: `frontdoor hl7 listen` runs as its own process against the bench PostgreSQL and Redis;
CONNECTIONS interface connections (threads of the LIS simulator) each send their share of
MESSAGES blood-count messages for the demo patient 张伟, waiting for each ACK as interface
engines do. Parsing, patient matching, storage with history, the audit chain, critical-value
checks and the push outbox (jobs enqueued to Redis) are all inside the measured time.
Each listener size in BENCH_PROCESSES (default 1 and 2) is one run with new accessions.
Explanation: every report of tests/fixtures/hl7/ flagged and explained in process (no model),
ROUNDS times; the time per report.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from bench.cpu import backends, cpu_seconds, family
from bench.server import DATABASE_URL, ENV, prepared_app
from simulators.lis import LisPatient, LisReport, LisResult, LisSimulator

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
PROCESSES = [int(n) for n in os.environ.get("BENCH_PROCESSES", "1,2").split(",")]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "hl7"
PATIENT = LisPatient("BENCH-0000001", "110105198203150033", "张", "伟", "M", "19820315")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _messages(count: int, stamp: int) -> list[bytes]:
    lis = LisSimulator("H001")
    taken = datetime(2026, 12, 1, 7, 30)
    results = (LisResult("WBC", "白细胞计数", "6.2", "10^9/L", "3.5-9.5"),
               LisResult("NEUT%", "中性粒细胞百分比", "61.0", "%", "40-75"),
               LisResult("LYMPH%", "淋巴细胞百分比", "29.0", "%", "20-50"),
               LisResult("RBC", "红细胞计数", "4.5", "10^12/L", "4.3-5.8"),
               LisResult("HGB", "血红蛋白", "126", "g/L", "130-175", "L"),
               LisResult("HCT", "红细胞压积", "41", "%", "40-50"),
               LisResult("MCV", "平均红细胞体积", "90", "fL", "82-100"),
               LisResult("PLT", "血小板计数", "231", "10^9/L", "125-350"))
    return [lis.oru(PATIENT, LisReport(f"B{stamp}-{n:06d}", ("CBC", "血常规"), taken,
                                       taken + timedelta(hours=2), results,
                                       orderer=("D001", "王立新"), department="CARD"),
                    control_id=f"B{stamp}{n:06d}") for n in range(count)]


def _wait_until_ready(process: subprocess.Popen, seconds: float = 180) -> None:
    """Wait for the line `frontdoor hl7 listen` prints once every one of its processes takes
    connections (it waits for each forked child to say so), then keep draining its output."""
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            if line.startswith(b"listening for HL7"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + seconds
    while not ready.wait(0.1):
        if process.poll() is not None:
            raise SystemExit("the MLLP listener exited before it was ready")
        if time.monotonic() > deadline:
            raise SystemExit("the MLLP listener did not say it was ready")


def _run(app, messages: list[bytes], processes: int) -> dict:
    from backend.extensions import db
    from backend.models import Report

    with app.app_context():
        db.session.execute(text("TRUNCATE report, report_result, report_revision, "
                                "critical_alert, inbound_dead_letter, patient_link CASCADE"))
        db.session.execute(text("DELETE FROM patient_message WHERE report_id IS NOT NULL"))
        db.session.commit()
        database_before = {pid: cpu_seconds(pid) for pid in backends(DATABASE_URL)}
    port = _free_port()
    listener = subprocess.Popen([sys.executable, "-m", "backend.cli", "hl7", "listen",
                                 "--port", str(port), "--processes", str(processes)],
                                env={**os.environ, **ENV},
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    latencies: list[float] = []
    codes: list[str] = []
    lock = threading.Lock()

    def sender(share: list[bytes]) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            for message in share:
                started = time.perf_counter()
                [ack] = LisSimulator.send_mllp_on(sock, [message])
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    codes.append(ack.split(b"MSA|", 1)[1][:2].decode())

    try:
        _wait_until_ready(listener)
        listeners = family(listener.pid)
        if len(listeners) != processes:
            raise SystemExit(f"expected {processes} listener processes, found {len(listeners)}")
        listener_before = sum(cpu_seconds(pid) for pid in listeners)
        shares = [messages[i::CONNECTIONS] for i in range(CONNECTIONS)]
        threads = [threading.Thread(target=sender, args=(share,)) for share in shares]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        listener_cpu = sum(cpu_seconds(pid) for pid in listeners) - listener_before
        with app.app_context():
            database_cpu = sum(cpu_seconds(pid) - database_before.get(pid, 0.0)
                               for pid in backends(DATABASE_URL))
            stored = db.session.execute(select(func.count()).select_from(Report)).scalar_one()
    finally:
        listener.terminate()
        listener.wait(timeout=30)
    latencies.sort()
    return {"processes": processes, "codes": codes, "stored": stored, "wall": wall,
            "latencies": latencies, "listener_ms": listener_cpu / len(messages) * 1000,
            "database_ms": database_cpu / len(messages) * 1000, "load": os.getloadavg()[0]}


def ingest() -> None:
    app = prepared_app()
    runs = [_run(app, _messages(MESSAGES, time.time_ns() // 1_000_000), processes)
            for processes in PROCESSES]  # new accessions each run
    print(f"\nHL7 v2 ORU^R01 over MLLP: `frontdoor hl7 listen --processes N` ← {CONNECTIONS} LIS "
          f"connections, each waiting for its ACK; {MESSAGES} blood counts (8 results each) "
          f"per run\n")
    print("| processes | ACKs | reports stored | messages/s | ACK p50 / p95 / max ms "
          "| listener CPU ms/message | PostgreSQL CPU ms/message | CPU bound of 2 cores "
          "| load average |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for run in runs:
        codes, latencies = run["codes"], run["latencies"]
        tally = ", ".join(f"{code} {codes.count(code)}" for code in sorted(set(codes)))
        bound = _cpu_bound(run)
        print(f"| {run['processes']} | {tally} | {run['stored']} | "
              f"{len(latencies) / run['wall']:.0f} | {_ms(latencies, 0.5)} / "
              f"{_ms(latencies, 0.95)} / {latencies[-1] * 1000:.1f} | "
              f"{run['listener_ms']:.1f} | {run['database_ms']:.1f} | {bound} | "
              f"{run['load']:.1f} |")
    print(f"\nCPU is counted while the messages were sent (start-up excluded): the listener's "
          f"processes, and the PostgreSQL backends serving them (read from /proc; 0 when the "
          f"database runs elsewhere). The CPU bound is what two dedicated cores could take if "
          f"nothing waited: 2 cores ÷ (listener + PostgreSQL CPU per message), and no more than "
          f"one core per listener process (Python runs one thread at a time) — an upper bound, "
          f"not a measurement. This machine has {os.cpu_count()} cores.")


def _cpu_bound(run: dict) -> str:
    both = run["listener_ms"] + run["database_ms"]
    if not both or not run["listener_ms"]:
        return "n/a"
    return f"{min(2000 / both, run['processes'] * 1000 / run['listener_ms']):.0f}/s"


def _ms(values: list[float], share: float) -> str:
    return f"{values[min(len(values) - 1, int(len(values) * share))] * 1000:.1f}"


def explanation() -> None:
    from backend.interop.hl7_oru import parse_oru
    from reports.explain import explain_result, summarise
    from reports.flags import assess
    from reports.imaging import explain_conclusion, imaging_level
    from reports.knowledge import default_knowledge
    from reports.model import PatientContext

    knowledge = default_knowledge()
    reports = [r.report for path in sorted(FIXTURES.glob("*.hl7"))
               for r in parse_oru(path.read_bytes()).reports]
    patient = PatientContext("male", 73 * 365)
    timings: list[float] = []
    for _ in range(ROUNDS):
        for report in reports:
            started = time.perf_counter()
            words = []
            for result in report.results:
                test = knowledge.find(result.code, result.name, result.loinc)
                words.append(explain_result(result, test, assess(result, test, patient,
                                                                 knowledge)))
            sentences = explain_conclusion(report.conclusion) if report.conclusion else []
            summarise(words, imaging_level(sentences) if sentences else None)
            timings.append(time.perf_counter() - started)
    timings.sort()
    print(f"\nExplanation per report, in process, no language model ({len(reports)} reports "
          f"of tests/fixtures/hl7/ × {ROUNDS})\n")
    print(f"reports explained            {len(timings)}")
    print(f"p50 / p95 / max              {_ms(timings, 0.5)} / {_ms(timings, 0.95)} / "
          f"{timings[-1] * 1000:.2f} ms")
    print(f"mean                         {statistics.mean(timings) * 1000:.2f} ms")


def main() -> None:
    explanation()
    ingest()


if __name__ == "__main__":
    main()
