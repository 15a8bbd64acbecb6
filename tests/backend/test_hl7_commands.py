"""`frontdoor hl7 status` counts what needs a person; `hl7 listen` answers over real MLLP."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from tests import report_support as rs
from tests.helpers_process import frontdoor


def test_status_counts_what_needs_a_person(ctx):
    rs.hospital()
    rs.zhang()
    from backend.services.reports.hl7_inbound import handle

    handle(rs.fixture("electrolytes_critical"))
    handle(rs.edited("cbc", (rs.ZHANG_ID, "110105195301150999"), ("|0001234567^", "|X^")))
    handle(b"MSH|^~\\&|LIS|H001|FD|FD|20261201||ADT^A01|X1|P|2.5")
    result = ctx.test_cli_runner().invoke(args=["hl7", "status"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("open critical values: 1, reports waiting for a patient: "
                                     "1, dead letters: 1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ready_line(process, seconds: float = 120) -> str:
    """The line `hl7 listen` prints once every process takes connections (output read on)."""
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("listening for HL7"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    assert ready.wait(seconds), "".join(lines)[-2000:]
    return next(line for line in lines if line.startswith("listening for HL7"))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_the_listen_command_says_ready_once_every_process_takes_connections(ctx):
    rs.hospital()
    rs.zhang()
    port = _free_port()
    process = frontdoor("hl7", "listen", "--port", str(port), "--processes", "2")
    try:
        line = _ready_line(process)
        assert f":{port} (2 process(es))" in line
        assert len(_children(process.pid)) == 1  # the forked one, already past its start
        acks = rs.send(port, rs.fixture("cbc"), rs.fixture("thyroid"))
        assert [rs.msa(a)[0] for a in acks] == ["AA", "AA"]
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode is not None
