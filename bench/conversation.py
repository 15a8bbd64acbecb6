"""The assistant on the scripted corpus: accuracy, and server-side time per turn.

Accuracy: slot precision/recall over the annotated slots, triage top-1/top-3, red flags.
Speed: the rule engine's time per turn in-process, and the server's own time per message
(`Server-Timing`) with 50 concurrent sessions over HTTP to gunicorn.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from pathlib import Path

import requests

from bench import independent
from bench.server import Gunicorn, prepared_app
from conversations.dialogue import Assistant
from conversations.evaluation import slot_score
from conversations.knowledge import default_knowledge
from conversations.scripted import ScriptedPatient, outcome

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "conversations" / "corpus" / \
    "patients.json"
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "50"))
HTTP_SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))


def _departments() -> dict[str, dict[str, str]]:
    from backend.demo.seed import load_data

    data = load_data()
    catalogue = data["department_catalogue"]
    return {org["code"]: {code: catalogue[code][0] for code in org["departments"]}
            for org in data["organizations"]}


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def accuracy_and_speed(patients: list[ScriptedPatient]) -> list[str]:
    assistant, departments = Assistant(default_knowledge()), _departments()
    tp = fp = fn = top1 = top3 = with_dept = 0
    flag_hits = flag_cases = false_flags = calm_cases = screen_hits = screen_cases = 0
    turn_ms: list[float] = []
    for patient in patients:
        state, _ = assistant.start(patient.mode, patient.context())
        chosen = departments.get(patient.hospital or "")
        for utterance in patient.utterances:
            if state.finished:
                break
            started = time.perf_counter()
            assistant.reply(state, utterance, chosen)
            turn_ms.append((time.perf_counter() - started) * 1000)
        result = outcome(assistant, patient, state, chosen)
        expect = patient.expect or {}
        score = slot_score(expect, result)
        tp, fp, fn = tp + score.true_positive, fp + score.false_positive, fn + score.false_negative
        codes = [r["code"] for r in result["triage"]]
        if expect.get("department_in_top3"):
            with_dept += 1
            top1 += bool(codes) and codes[0] == expect["department_in_top3"]
            top3 += expect["department_in_top3"] in codes
        if expect.get("red_flag") == "screen":
            screen_cases += 1
            screen_hits += bool(result.get("screened"))
        elif expect.get("red_flag"):
            flag_cases += 1
            flag_hits += result["red_flag"] is not None
        elif expect.get("red_flag") is False:
            calm_cases += 1
            false_flags += result["red_flag"] is not None
    median, p95 = _percentiles(turn_ms)
    return [
        f"patients                      {len(patients)}",
        f"slot precision                {tp / max(tp + fp, 1):.3f}   ({tp} right, {fp} wrong)",
        f"slot recall                   {tp / max(tp + fn, 1):.3f}   ({fn} missed)",
        f"triage top-1                  {top1 / max(with_dept, 1):.3f}   ({top1}/{with_dept})",
        f"triage top-3                  {top3 / max(with_dept, 1):.3f}   ({top3}/{with_dept})",
        f"red flags caught              {flag_hits}/{flag_cases}",
        f"screening questions asked     {screen_hits}/{screen_cases}",
        f"false red flags (calm cases)  {false_flags}/{calm_cases}",
        f"in-process turn ms            median {median:.2f}, p95 {p95:.2f} "
        f"({len(turn_ms)} turns)",
    ]


def _accounts(count: int) -> list[tuple[str, str]]:
    """`count` patient accounts with one 就诊人 each: (profile id, token)."""
    from datetime import date

    from backend.auth import open_session
    from backend.extensions import db
    from backend.models import Account, PatientProfile, PrincipalKind
    from backend.security.identity_docs import resident_id_check_char

    app = prepared_app()
    people = []
    with app.app_context():
        index = app.extensions["blind_index"]
        # The bench database persists between runs: number the new people after those there.
        start = db.session.query(PatientProfile).count()
        for n in range(start, start + count):
            account = Account(wechat_openid=f"oBENCH{time.time_ns()}{n:04d}")
            db.session.add(account)
            db.session.flush()
            born = date(1940 + n // 336 % 60, n // 28 % 12 + 1, n % 28 + 1)
            body = f"440106{born:%Y%m%d}{n % 1000:03d}"
            number = body + resident_id_check_char(body)
            profile = PatientProfile(
                account_id=account.id, relationship="self", name="测试", sex="male",
                birth_date=born, document_type="resident_id",
                document_number=number, document_index=index.digest(number, "document"))
            db.session.add(profile)
            _, token = open_session(kind=PrincipalKind.ACCOUNT, channel="wechat",
                                    account_id=account.id)
            db.session.flush()
            people.append((str(profile.external_id), token))
        db.session.commit()
    return people


def http_turns(patients: list[ScriptedPatient]) -> list[str]:
    people = _accounts(SESSIONS)
    server_ms: list[float] = []
    client_ms: list[float] = []
    errors = [0]
    lock = threading.Lock()
    with Gunicorn() as server:
        deadline = time.monotonic() + HTTP_SECONDS

        def session_loop(index: int) -> None:
            profile_id, token = people[index]
            http = requests.Session()
            http.headers["Authorization"] = f"Bearer {token}"
            mine_server, mine_client, failed, n = [], [], 0, index
            while time.monotonic() < deadline:
                patient = patients[n % len(patients)]
                n += SESSIONS
                started = http.post(f"{server.base}/api/v1/mp/conversations", timeout=30, json={
                    "patient_id": profile_id, "mode": "pre_consultation"})
                if started.status_code != 201:
                    failed += 1
                    continue
                conversation = started.json()["data"]["id"]
                for utterance in patient.utterances:
                    began = time.perf_counter()
                    response = http.post(
                        f"{server.base}/api/v1/mp/conversations/{conversation}/messages",
                        json={"text": utterance}, timeout=30)
                    mine_client.append((time.perf_counter() - began) * 1000)
                    if response.status_code != 200:
                        failed += 1
                        break
                    timing = response.headers["Server-Timing"].split("dur=")[1]
                    mine_server.append(float(timing))
                    if response.json()["data"]["done"] or time.monotonic() > deadline:
                        break
            with lock:
                server_ms.extend(mine_server)
                client_ms.extend(mine_client)
                errors[0] += failed

        threads = [threading.Thread(target=session_loop, args=(i,)) for i in range(SESSIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    s_median, s_p95 = _percentiles(server_ms)
    c_median, c_p95 = _percentiles(client_ms)
    return [
        f"HTTP sessions in parallel     {SESSIONS} for {HTTP_SECONDS:.0f} s "
        f"({len(server_ms)} turns, {errors[0]} errors, {len(server_ms) / HTTP_SECONDS:.0f}/s)",
        f"HTTP server-side turn ms      median {s_median:.1f}, p95 {s_p95:.1f}",
        f"HTTP client-observed turn ms  median {c_median:.1f}, p95 {c_p95:.1f} "
        "(includes queueing behind 49 other sessions)",
    ]


def main() -> None:
    """Corpus and independent set, then HTTP. BENCH_HTTP=0 skips the HTTP round;
    BENCH_MISSES=<file> writes every independent-set failure there as JSON for review,
    BENCH_DEV_MISSES=<file> those of the development sets."""
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    patients = [ScriptedPatient.parse(item, i) for i, item in enumerate(data)]
    print("\nAssistant on the independent set (rule engine, no language model)\n")
    dump = os.environ.get("BENCH_MISSES")
    print("\n".join(independent.main(_departments()["H001"], Path(dump) if dump else None)))
    dev_dump = os.environ.get("BENCH_DEV_MISSES")
    print()
    print("\n".join(independent.development(_departments()["H001"],
                                           Path(dev_dump) if dev_dump else None)))
    print("\nAssistant on the scripted corpus (rule engine, no language model)\n")
    rows = accuracy_and_speed(patients)
    if os.environ.get("BENCH_HTTP", "1") != "0":
        rows += http_turns(patients)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
