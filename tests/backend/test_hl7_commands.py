"""`frontdoor hl7 status` counts what needs a person; `hl7 listen` answers over real MLLP."""

from __future__ import annotations

import socket
import time

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


def test_the_listen_command_answers_over_mllp(ctx):
    rs.hospital()
    rs.zhang()
    port = _free_port()
    process = frontdoor("hl7", "listen", "--port", str(port), "--processes", "2")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        acks = rs.send(port, rs.fixture("cbc"), rs.fixture("thyroid"))
        assert [rs.msa(a)[0] for a in acks] == ["AA", "AA"]
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode is not None
