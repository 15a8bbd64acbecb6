"""A local FreeSWITCH for the AI follow-up caller: its Event Socket (ESL over TCP) and its media.

Speaks the inbound ESL protocol as FreeSWITCH does — `auth/request`, `auth`, `event plain …`,
`filter Unique-ID …`, `api …` (api/response with Content-Length) and `bgapi …` (command/reply
with a Job-UUID), events as text/event-plain with URL-encoded headers — and the commands the
caller uses: `originate`, `uuid_audio_stream … start ws://… mono 16k` (it connects to that
WebSocket and streams the callee's voice as 16 kHz 16-bit frames, like mod_audio_stream),
`uuid_broadcast` (plays a WAV from the shared media directory, PLAYBACK_START/STOP),
`uuid_break` (stops it: PLAYBACK_STOP with Playback-Status break), `uuid_record`, `avmd`,
`uuid_transfer`, `uuid_kill`.

Numbers are answered by scripted callees (`ScriptedCallee`): per attempt busy, no answer,
voicemail (a greeting, then mod_avmd's `avmd::beep`) or answer; once answered, each reply is
spoken after the caller's prompt ends, or over it (barge-in) some milliseconds in. Audio runs on
the simulator's own clock (`speed` × real time) and everything that happened is logged per call
for tests: prompts played and how far, barge-ins, transfers, who hung up.
"""

from __future__ import annotations

import array
import logging
import socketserver
import threading
import time
import uuid
import wave
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from websockets.sync.client import connect

log = logging.getLogger(__name__)
RATE = 16000
FRAME_MS = 20
FRAME = RATE * FRAME_MS // 1000 * 2


@dataclass(frozen=True)
class Reply:
    """One thing the callee says: `pcm` at 16 kHz (empty: stays silent), spoken
    `barge_in_ms` into the caller's prompt (None: after it ends), then maybe hangs up."""

    text: str
    pcm: bytes = b""
    barge_in_ms: int | None = None
    hang_up_after: bool = False


@dataclass
class ScriptedCallee:
    """How a number behaves: `attempts` says per dial "answer", "busy", "no_answer",
    "voicemail" or "unallocated" (the last entry repeats); `replies` are spoken in order."""

    attempts: list[str]
    replies: list[Reply] = field(default_factory=list)
    voicemail_greeting: bytes = b""
    reply_delay_ms: int = 400
    dialled: int = 0

    def next_attempt(self) -> str:
        index = min(self.dialled, len(self.attempts) - 1)
        self.dialled += 1
        return self.attempts[index]


@dataclass
class PromptLog:
    path: str
    duration_ms: int
    played_ms: int = 0
    interrupted: bool = False
    callee_spoke_at_ms: int | None = None  # into the prompt, when the callee barged in


@dataclass
class CallLog:
    number: str
    channel: str
    attempt: str
    answered: bool = False
    prompts: list[PromptLog] = field(default_factory=list)
    said: list[str] = field(default_factory=list)  # what the callee said, in order
    transferred_to: str | None = None
    hung_up_by: str | None = None  # caller | callee
    recording: str | None = None


class FreeSwitchSimulator:
    def __init__(self, *, password: str = "ClueCon",  # noqa: S107 - FreeSWITCH's stock one
                 host: str = "127.0.0.1", port: int = 0,
                 speed: float = 1.0) -> None:
        self.password, self.speed = password, speed
        self.callees: dict[str, ScriptedCallee] = {}
        self.calls: dict[str, CallLog] = {}
        self._media: dict[str, _Media] = {}
        self._connections: list[_EslConnection] = []
        self._lock = threading.Lock()
        simulator = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                _EslConnection(simulator, self.rfile, self.wfile).serve()

        self._server = socketserver.ThreadingTCPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="freeswitch-sim")
        self._thread.start()

    def stop(self) -> None:
        for media in list(self._media.values()):
            media.end(None)
        self._server.shutdown()
        self._server.server_close()

    def calls_to(self, number: str) -> list[CallLog]:
        return [c for c in self.calls.values() if c.number == number]

    # --- events -------------------------------------------------------------------------

    def emit(self, name: str, channel: str, **headers: str) -> None:
        body = {"Event-Name": name, "Unique-ID": channel, "Core-UUID": "sim",
                "Event-Date-Timestamp": str(int(time.time() * 1e6)), **headers}
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.send_event(body)

    def attach(self, connection: _EslConnection) -> None:
        with self._lock:
            self._connections.append(connection)

    def detach(self, connection: _EslConnection) -> None:
        with self._lock:
            if connection in self._connections:
                self._connections.remove(connection)

    # --- commands -----------------------------------------------------------------------

    def api(self, command: str) -> str:
        name, _, args = command.partition(" ")
        handler = getattr(self, f"_cmd_{name}", None)
        if handler is None:
            return f"-ERR {name} Command not found!\n"
        return handler(args.split())

    def _cmd_originate(self, args: list[str]) -> str:
        spec = args[0]
        variables = {}
        if spec.startswith("{"):
            inner, _, spec = spec[1:].partition("}")
            variables = dict(item.split("=", 1) for item in inner.split(",") if "=" in item)
        channel = variables.get("origination_uuid") or str(uuid.uuid4())
        number = spec.rsplit("/", 1)[-1]
        callee = self.callees.get(number)
        attempt = callee.next_attempt() if callee else "unallocated"
        call = self.calls[channel] = CallLog(number, channel, attempt)
        threading.Thread(target=self._ring, args=(call, callee), daemon=True).start()
        return "+OK " + channel

    def _ring(self, call: CallLog, callee: ScriptedCallee | None) -> None:
        time.sleep(0.05 / self.speed)
        causes = {"busy": "USER_BUSY", "no_answer": "NO_ANSWER",
                  "unallocated": "UNALLOCATED_NUMBER"}
        if call.attempt in causes:
            self.emit("CHANNEL_HANGUP_COMPLETE", call.channel,
                      **{"Hangup-Cause": causes[call.attempt]})
            return
        call.answered = True
        self._media[call.channel] = _Media(self, call, callee)
        self.emit("CHANNEL_ANSWER", call.channel, **{"Answer-State": "answered"})

    def _media_of(self, channel: str) -> _Media | None:
        return self._media.get(channel)

    def _cmd_uuid_audio_stream(self, args: list[str]) -> str:
        media = self._media_of(args[0])
        if media is None:
            return "-ERR no such channel\n"
        if args[1] == "start":
            media.start_stream(args[2])
        return "+OK Success\n"

    def _cmd_uuid_record(self, args: list[str]) -> str:
        media = self._media_of(args[0])
        if media is None:
            return "-ERR no such channel\n"
        media.recording_path = args[2]
        return "+OK Success\n"

    def _cmd_avmd(self, args: list[str]) -> str:
        return "+OK\n" if self._media_of(args[0]) else "-ERR no such channel\n"

    def _cmd_uuid_broadcast(self, args: list[str]) -> str:
        media = self._media_of(args[0])
        if media is None:
            return "-ERR no such channel\n"
        media.play(args[1])
        return "+OK Message queued\n"

    def _cmd_uuid_break(self, args: list[str]) -> str:
        media = self._media_of(args[0])
        if media is None:
            return "-ERR no such channel\n"
        media.break_playback()
        return "+OK\n"

    def _cmd_uuid_transfer(self, args: list[str]) -> str:
        media = self._media_of(args[0])
        if media is None:
            return "-ERR no such channel\n"
        media.call.transferred_to = args[1]
        media.end(None, emit=False)
        return "+OK\n"

    def _cmd_uuid_kill(self, args: list[str]) -> str:
        media = self._media_of(args[0])
        if media is None:
            return "-ERR No such channel!\n"
        media.end("caller")
        return "+OK\n"


class _EslConnection:
    """One inbound event-socket client."""

    def __init__(self, simulator: FreeSwitchSimulator, rfile, wfile) -> None:
        self.simulator, self.rfile, self.wfile = simulator, rfile, wfile
        self.events: set[str] = set()
        self.filters: set[str] = set()
        self._write = threading.Lock()
        self.authenticated = False

    def serve(self) -> None:
        self._send("Content-Type: auth/request\n\n")
        try:
            while True:
                command = self._read_command()
                if command is None or not self._handle(command):
                    return
        finally:
            self.simulator.detach(self)

    def _read_command(self) -> str | None:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None
            line = line.decode().rstrip("\r\n")
            if not line:
                if lines:
                    return "\n".join(lines)
                continue
            lines.append(line)

    def _handle(self, command: str) -> bool:
        if not self.authenticated:
            if command == f"auth {self.simulator.password}":
                self.authenticated = True
                self._reply("+OK accepted")
                self.simulator.attach(self)
                return True
            self._reply("-ERR invalid")
            self._send("Content-Type: text/disconnect-notice\nContent-Length: 0\n\n")
            return False
        if command.startswith("event plain"):
            self.events |= set(command.split()[2:])
            self._reply("+OK event listener enabled plain")
        elif command.startswith("filter "):
            self.filters.add(command.split(" ", 2)[2])
            self._reply("+OK filter added")
        elif command.startswith("api "):
            body = self.simulator.api(command[4:]).encode()
            self._send(f"Content-Type: api/response\nContent-Length: {len(body)}\n\n", body)
        elif command.startswith("bgapi "):
            job = str(uuid.uuid4())
            result = self.simulator.api(command[6:])
            self._reply(f"+OK Job-UUID: {job}")
            self.simulator.emit("BACKGROUND_JOB", result.removeprefix("+OK ").strip(),
                                **{"Job-UUID": job})
        elif command == "exit":
            self._reply("+OK bye")
            self._send("Content-Type: text/disconnect-notice\nContent-Length: 0\n\n")
            return False
        else:
            self._reply("-ERR command not found")
        return True

    def send_event(self, headers: dict[str, str]) -> None:
        name = headers["Event-Name"]
        wanted = name in self.events or "ALL" in self.events or (
            name == "CUSTOM" and headers.get("Event-Subclass") in self.events)
        if not wanted or (self.filters and headers.get("Unique-ID") not in self.filters):
            return
        body = "".join(f"{k}: {quote(v, safe='')}\n" for k, v in headers.items()) + "\n"
        data = body.encode()
        try:
            self._send(f"Content-Length: {len(data)}\nContent-Type: text/event-plain\n\n", data)
        except OSError:
            self.simulator.detach(self)

    def _reply(self, text: str) -> None:
        self._send(f"Content-Type: command/reply\nReply-Text: {text}\n\n")

    def _send(self, head: str, body: bytes = b"") -> None:
        with self._write:
            self.wfile.write(head.encode() + body)
            self.wfile.flush()


class _Media:
    """The answered call's audio on the simulator's clock: the callee's voice out to the
    caller's WebSocket, the caller's prompts in, one 20 ms frame per tick."""

    def __init__(self, simulator: FreeSwitchSimulator, call: CallLog,
                 callee: ScriptedCallee | None) -> None:
        self.simulator, self.call = simulator, call
        self.callee = callee or ScriptedCallee(["answer"])
        self.replies = list(self.callee.replies)
        self.recording_path: str | None = None
        self.recorded = bytearray()
        self._lock = threading.Lock()
        self._prompt: bytes = b""
        self._prompt_pos = 0
        self._prompt_log: PromptLog | None = None
        self._speech = bytearray()
        self._speak_at: int | None = None  # tick at which the next reply starts
        self._hang_up_after_speech = False
        self._tick = 0
        self._ended = False
        self._thread: threading.Thread | None = None
        if call.attempt == "voicemail":
            self._speech.extend(self.callee.voicemail_greeting)
            self.replies = []
            self._beep_after_greeting = True
        else:
            self._beep_after_greeting = False

    def start_stream(self, url: str) -> None:
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def play(self, path: str) -> None:
        with wave.open(path, "rb") as prompt:
            rate, pcm = prompt.getframerate(), prompt.readframes(prompt.getnframes())
        pcm = _resample(pcm, rate)
        with self._lock:
            self._prompt, self._prompt_pos = pcm, 0
            self._prompt_log = PromptLog(path, len(pcm) * 1000 // (RATE * 2))
            self.call.prompts.append(self._prompt_log)
            if self.replies and self.replies[0].barge_in_ms is not None and not self._speech:
                self._speak_at = self._tick + self.replies[0].barge_in_ms // FRAME_MS
        self.simulator.emit("PLAYBACK_START", self.call.channel,
                            **{"Playback-File-Path": path})

    def break_playback(self) -> None:
        with self._lock:
            if not self._prompt:
                return
            self._stop_prompt(interrupted=True)
        self.simulator.emit("PLAYBACK_STOP", self.call.channel,
                            **{"Playback-Status": "break"})

    def _stop_prompt(self, interrupted: bool) -> None:
        self._prompt_log.played_ms = self._prompt_pos * 1000 // (RATE * 2)
        self._prompt_log.interrupted = interrupted
        self._prompt = b""
        if not interrupted and self.replies and self._speak_at is None and not self._speech:
            self._speak_at = self._tick + self.callee.reply_delay_ms // FRAME_MS

    def _run(self, url: str) -> None:
        try:
            with connect(url, open_timeout=5) as socket:
                while not self._ended:
                    frame = self._next_frame()
                    if frame is None:
                        break
                    socket.send(frame)
                    time.sleep(FRAME_MS / 1000 / self.simulator.speed)
        except Exception:
            log.exception("call audio stream failed", extra={"channel": self.call.channel})
        self.end("callee" if not self._ended else None)

    def _next_frame(self) -> bytes | None:
        events = []
        with self._lock:
            self._tick += 1
            if self._speak_at is not None and self._tick >= self._speak_at and self.replies:
                reply = self.replies.pop(0)
                self._speak_at = None
                self.call.said.append(reply.text)
                self._speech.extend(reply.pcm or bytes(FRAME))
                self._hang_up_after_speech = reply.hang_up_after
                if self._prompt and self._prompt_log is not None:
                    self._prompt_log.callee_spoke_at_ms = self._prompt_pos * 1000 // (RATE * 2)
            out = bytes(self._speech[:FRAME]).ljust(FRAME, b"\0")
            del self._speech[:FRAME]
            played = b""
            if self._prompt:
                played = self._prompt[self._prompt_pos:self._prompt_pos + FRAME]
                self._prompt_pos += FRAME
                if self._prompt_pos >= len(self._prompt):
                    self._stop_prompt(interrupted=False)
                    events.append(("PLAYBACK_STOP", {"Playback-Status": "done"}))
            self.recorded.extend(_mix(out, played))
            if not self._speech and self._beep_after_greeting:
                self._beep_after_greeting = False
                events.append(("CUSTOM", {"Event-Subclass": "avmd::beep"}))
            finished = not self._speech and self._hang_up_after_speech
        for name, headers in events:
            self.simulator.emit(name, self.call.channel, **headers)
        if finished:
            self.end("callee")
            return None
        return out

    def end(self, by: str | None, emit: bool = True) -> None:
        with self._lock:
            if self._ended:
                return
            self._ended = True
            if self._prompt:
                self._stop_prompt(interrupted=True)
        self.call.hung_up_by = self.call.hung_up_by or by
        if self.recording_path:
            Path(self.recording_path).parent.mkdir(parents=True, exist_ok=True)
            with wave.open(self.recording_path, "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(RATE)
                out.writeframes(bytes(self.recorded))
            self.call.recording = self.recording_path
        self.simulator._media.pop(self.call.channel, None)
        if emit:
            self.simulator.emit("CHANNEL_HANGUP_COMPLETE", self.call.channel,
                                **{"Hangup-Cause": "NORMAL_CLEARING"})


def to_line(pcm: bytes, rate: int) -> bytes:
    """Audio as the phone line carries it here: 16 kHz (nearest sample; fidelity is not the
    point of a simulator)."""
    return _resample(pcm, rate)


def _resample(pcm: bytes, rate: int) -> bytes:
    if rate == RATE:
        return pcm
    source = array.array("h", pcm[: len(pcm) // 2 * 2])
    count = len(source) * RATE // rate
    return array.array("h", (source[i * rate // RATE] for i in range(count))).tobytes()


def _mix(a: bytes, b: bytes) -> bytes:
    if not b:
        return a
    left, right = array.array("h", a), array.array("h", b.ljust(len(a), b"\0")[:len(a)])
    return array.array("h", (max(-32768, min(32767, x + y)) for x, y in zip(left, right,
                                                                            strict=True))).tobytes()
