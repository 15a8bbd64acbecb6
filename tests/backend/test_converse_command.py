"""`frontdoor converse FILE`: the corpus format in, one JSON line per patient out."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from backend.demo.seed import seed

CORPUS = Path(__file__).resolve().parents[1] / "conversations" / "corpus" / "patients.json"


def test_converse_reports_triage_flags_slots_and_checks(app, ctx, tmp_path):
    seed()
    patients = json.loads(CORPUS.read_text(encoding="utf-8"))
    chosen = [p for p in patients if p["hospital"] in {"H001", "C001"}][:12]
    chosen += [p for p in patients if p["expect"].get("red_flag")][:3]
    script = tmp_path / "script.json"
    script.write_text(json.dumps(chosen, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app.cli, ["converse", str(script)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["id"] for line in lines] == [p["id"] for p in chosen]
    for line in lines:
        assert line["check"]["passed"], (line["id"], line["check"]["failures"])
    flagged = [line for line in lines if line["red_flag"]]
    assert len(flagged) >= 3 and all(line["red_flag"]["words"] for line in flagged)
    community = [line for line in lines if line["id"] in
                 {p["id"] for p in chosen if p["hospital"] == "C001"}]
    allowed = {"GENM", "PEDI", "STOM", "TCM", "REHA", "PREV"}
    assert all({r["code"] for r in line["triage"]} <= allowed for line in community)


def test_converse_rejects_a_malformed_script(app, ctx, tmp_path):
    seed()
    script = tmp_path / "bad.json"
    script.write_text(json.dumps([{"id": "x", "sex": "female", "utterances": ["头疼"]}]),
                      encoding="utf-8")
    result = CliRunner().invoke(app.cli, ["converse", str(script)])
    assert result.exit_code != 0
    assert "needs age, sex and utterances" in result.output



def test_one_failing_patient_never_stops_the_batch(app, ctx, tmp_path):
    seed()
    script = tmp_path / "mixed.json"
    script.write_text(json.dumps([
        {"id": "y", "age": 30, "sex": "male", "hospital": "ZZZ", "utterances": ["头疼"]},
        {"id": "z", "age": 30, "sex": "male", "hospital": "H001",
         "utterances": ["心跳过快两天了", "跳过", "不详", "无"]},
    ], ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app.cli, ["converse", str(script)])
    assert result.exit_code != 0 and "unknown hospital code 'ZZZ'" in result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [line["id"] for line in lines] == ["y", "z"]
    assert "error" in lines[0] and lines[1]["narrative"].startswith("主诉：")
