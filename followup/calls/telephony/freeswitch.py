"""FreeSWITCH over its Event Socket (ESL), with greenswitch, the maintained gevent ESL client.

Control: `originate` rings the resident on the hospital's SIP trunk; CHANNEL_ANSWER /
CHANNEL_HANGUP_COMPLETE say how ringing ended (Hangup-Cause USER_BUSY, NO_ANSWER …);
mod_avmd's `avmd::beep` reveals an answering machine. Audio: mod_audio_stream
(`uuid_audio_stream <uuid> start ws://… mono 16k`) streams the resident's voice to our WebSocket
server as 16 kHz 16-bit frames; what we say is a WAV file in the media directory (shared with
FreeSWITCH) played with `uuid_broadcast`, and `uuid_break` stops it the moment the resident
speaks (barge-in). `uuid_record` records the whole call into the same directory.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
import wave
from pathlib import Path

import gevent
import gevent.queue
from greenswitch.esl import InboundESL, NotConnectedError
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from followup.calls.listening import FRAME_BYTES, UtteranceListener
from followup.calls.listening import Heard as Heard_
from followup.calls.policy import Disposition
from followup.calls.telephony.base import (
    AnsweredCall,
    CallRequest,
    Dialled,
    Heard,
    SpeechAudio,
    TelephonyError,
    TelephonyGateway,
)

log = logging.getLogger(__name__)
BUSY_CAUSES = frozenset({"USER_BUSY", "CALL_REJECTED"})
NO_ANSWER_CAUSES = frozenset({"NO_ANSWER", "NO_USER_RESPONSE", "ALLOTTED_TIMEOUT",
                              "ORIGINATOR_CANCEL", "RECOVERY_ON_TIMER_EXPIRE"})
EVENTS = "CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE PLAYBACK_START PLAYBACK_STOP BACKGROUND_JOB " \
         "CUSTOM avmd::beep"
_POLL = 0.002  # seconds between looks at the audio queue while yielding to ESL greenlets
STREAM_END_WAIT_S = 3.0  # after a hang-up, how long the media stream may take to close


class AudioStreams:
    """The WebSocket server mod_audio_stream connects to: one connection per call, at path
    /<call id>, carrying binary frames of 16 kHz 16-bit mono PCM."""

    def __init__(self, host: str, port: int) -> None:
        self._queues: dict[str, queue.Queue[bytes | None]] = {}
        self._lock = threading.Lock()
        self._server = serve(self._handle, host, port)
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="call-audio")
        self._thread.start()

    def open(self, call_id: str) -> queue.Queue[bytes | None]:
        with self._lock:
            return self._queues.setdefault(call_id, queue.Queue())

    def close(self, call_id: str) -> None:
        with self._lock:
            self._queues.pop(call_id, None)

    def _handle(self, connection) -> None:
        call_id = connection.request.path.strip("/")
        with self._lock:
            frames = self._queues.get(call_id)
        if frames is None:
            connection.close(1008, "unknown call")
            return
        pending = b""
        try:
            for message in connection:
                if isinstance(message, str):
                    continue  # mod_audio_stream's JSON notices
                pending += message
                while len(pending) >= FRAME_BYTES:
                    frames.put(pending[:FRAME_BYTES])
                    pending = pending[FRAME_BYTES:]
        except ConnectionClosed:
            pass
        frames.put(None)  # the stream ended (hang-up)

    def shutdown(self) -> None:
        self._server.shutdown()


class FreeSwitchGateway(TelephonyGateway):
    name = "freeswitch"

    def __init__(self, *, host: str, port: int, password: str, dial_string: str,
                 media_dir: str | Path, audio_host: str = "127.0.0.1", audio_port: int = 0,
                 audio_url: str | None = None, timeout: float = 5.0) -> None:
        if "{number}" not in dial_string:
            raise ValueError("dial_string must contain {number}, e.g. sofia/gateway/trunk/{number}")
        self.host, self.port, self.password = host, port, password
        self.dial_string, self.timeout = dial_string, timeout
        self.media_dir = Path(media_dir)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self._audio_host, self._audio_port = audio_host, audio_port
        self._audio_url = audio_url
        self._streams: AudioStreams | None = None

    @property
    def streams(self) -> AudioStreams:
        if self._streams is None:
            self._streams = AudioStreams(self._audio_host, self._audio_port)
        return self._streams

    def audio_url(self, call_id: str) -> str:
        base = self._audio_url or f"ws://{self._audio_host}:{self.streams.port}"
        return f"{base.rstrip('/')}/{call_id}"

    def dial(self, request: CallRequest) -> Dialled:
        channel = str(uuid.uuid5(uuid.NAMESPACE_URL, f"frontdoor-call:{request.call_id}"))
        esl = InboundESL(self.host, self.port, self.password, timeout=self.timeout)
        try:
            esl.connect()
        except (NotConnectedError, OSError, ValueError) as exc:
            raise TelephonyError(f"FreeSWITCH event socket unreachable: {exc}") from exc
        events: gevent.queue.Queue = gevent.queue.Queue()
        esl.register_handle("*", events.put)
        frames = self.streams.open(request.call_id)
        try:
            _command(esl, f"event plain {EVENTS}")
            _command(esl, f"filter Unique-ID {channel}")
            variables = (f"origination_uuid={channel},originate_timeout={request.ring_seconds},"
                         f"origination_caller_id_number={request.caller_id},"
                         "ignore_early_media=true")
            target = self.dial_string.format(number=request.number)
            _command(esl, f"bgapi originate {{{variables}}}{target} &park()")
            answered = _wait_answer(events, request.ring_seconds + 15)
        except BaseException:
            self.streams.close(request.call_id)
            _stop(esl)
            raise
        if answered.disposition is not Disposition.ANSWERED:
            self.streams.close(request.call_id)
            _stop(esl)
            return answered
        call = FreeSwitchCall(self, esl, events, frames, channel, request.call_id)
        call.start_media()
        return Dialled(Disposition.ANSWERED, call, answered.cause)

    def close(self) -> None:
        if self._streams is not None:
            self._streams.shutdown()
            self._streams = None


def _command(esl: InboundESL, command: str) -> str:
    reply = esl.send(command)
    text = reply.data if isinstance(getattr(reply, "data", None), str) else \
        reply.headers.get("Reply-Text", "")
    if text.startswith("-ERR"):
        raise TelephonyError(f"FreeSWITCH refused {command.split()[0:2]}: {text.strip()}")
    return text


def _stop(esl: InboundESL) -> None:
    try:
        esl.stop()
    except Exception:  # the socket may already be gone
        log.debug("event socket already closed")


def _wait_answer(events: gevent.queue.Queue, limit_seconds: float) -> Dialled:
    deadline = gevent.get_hub().loop.now() + limit_seconds
    while True:
        left = deadline - gevent.get_hub().loop.now()
        if left <= 0:
            return Dialled(Disposition.FAILED, cause="no answer or hang-up from FreeSWITCH")
        try:
            event = events.get(timeout=left)
        except gevent.queue.Empty:
            continue
        name = event.headers.get("Event-Name")
        if name == "CHANNEL_ANSWER":
            return Dialled(Disposition.ANSWERED, cause="ANSWER")
        if name == "CHANNEL_HANGUP_COMPLETE":
            return Dialled(_disposition(event.headers.get("Hangup-Cause", "")),
                           cause=event.headers.get("Hangup-Cause", ""))
        if name == "BACKGROUND_JOB" and getattr(event, "data", "").startswith("-ERR"):
            cause = event.data.removeprefix("-ERR").strip()
            return Dialled(_disposition(cause), cause=cause)


def _disposition(cause: str) -> Disposition:
    if cause in BUSY_CAUSES:
        return Disposition.BUSY
    if cause in NO_ANSWER_CAUSES:
        return Disposition.NO_ANSWER
    return Disposition.FAILED


class FreeSwitchCall(AnsweredCall):
    """An answered FreeSWITCH channel, driven from the thread that dialled it."""

    def __init__(self, gateway: FreeSwitchGateway, esl: InboundESL,
                 events: gevent.queue.Queue, frames: queue.Queue, channel: str,
                 call_id: str) -> None:
        self.gateway, self.esl, self.events, self.frames = gateway, esl, events, frames
        self.channel, self.call_id = channel, call_id
        self.ended = False
        self.answered_by_machine = False
        self._prompts = 0
        self.recording_path = gateway.media_dir / f"{call_id}.wav"

    def start_media(self) -> None:
        self._api(f"uuid_record {self.channel} start {self.recording_path}")
        self._api(f"avmd {self.channel} start")
        self._api(f"uuid_audio_stream {self.channel} start "
                  f"{self.gateway.audio_url(self.call_id)} mono 16k")

    def say(self, text: str, audio: SpeechAudio | None, *, listen: bool,
            wait_ms: int | None = None) -> Heard:
        if self.ended:
            return Heard(hung_up=True)
        listener = UtteranceListener(**({"no_speech_ms": wait_ms} if wait_ms else {}))
        playing = False
        if audio is not None and audio.pcm:
            self._drain_frames()
            path = self._write_prompt(audio)
            self._api(f"uuid_broadcast {self.channel} {path} aleg")
            playing = True
        elif not listen:
            return Heard()
        barged = False
        while True:
            for event in self._pending_events():
                name = event.headers.get("Event-Name")
                if name == "CHANNEL_HANGUP_COMPLETE":
                    return self._last_words(listener, barged)
                if name == "PLAYBACK_STOP" and playing:
                    playing = False
                    listener.reset_wait()
                    if not listen:
                        return Heard(barged_in=barged)
                if name == "CUSTOM" and event.headers.get("Event-Subclass") == "avmd::beep":
                    self.answered_by_machine = True
                    if not playing:
                        return Heard(pcm=listener.pcm)
            try:
                frame = self.frames.get_nowait()
            except queue.Empty:
                gevent.sleep(_POLL)
                continue
            if frame is None:  # the media stream closed: the call is gone
                self.ended = True
                return Heard(pcm=listener.pcm if listener.speaking else b"", hung_up=True,
                             barged_in=barged)
            heard = listener.feed(frame)
            if heard is Heard_.ONSET and playing:
                self._api(f"uuid_break {self.channel} all")  # barge-in: stop at once
                barged = True
            if not listen or playing:
                continue
            if heard is Heard_.UTTERANCE:
                return Heard(pcm=listener.pcm, barged_in=barged)
            if heard is Heard_.SILENCE:
                return Heard(barged_in=barged)

    def transfer(self, destination: str) -> None:
        self._api(f"uuid_transfer {self.channel} {destination} XML default")
        self._finish()

    def hang_up(self) -> None:
        if not self.ended:
            self._api(f"uuid_kill {self.channel} NORMAL_CLEARING", missing_ok=True)
        self._finish()

    def recording(self) -> bytes | None:
        path = self.recording_path
        if not path.exists():
            return None
        data = path.read_bytes()
        path.unlink()
        return data

    # --- helpers ------------------------------------------------------------------------

    def _last_words(self, listener: UtteranceListener, barged: bool) -> Heard:
        """The resident hung up. The hang-up event can overtake audio still queued on the
        stream when we are behind (a slow machine): hear those frames to the stream's end, so
        what was said just before the phone went down is never lost."""
        self.ended = True
        loop = gevent.get_hub().loop
        deadline = loop.now() + STREAM_END_WAIT_S
        while True:
            try:
                frame = self.frames.get_nowait()
            except queue.Empty:
                if loop.now() >= deadline:
                    log.warning("call audio stream still open after hang-up",
                                extra={"call": self.call_id})
                    break
                gevent.sleep(_POLL)
                continue
            if frame is None:
                break
            listener.feed(frame)
        return Heard(pcm=listener.pcm if listener.speaking else b"", hung_up=True,
                     barged_in=barged)

    def _pending_events(self):
        found = []
        try:
            while True:
                found.append(self.events.get_nowait())
        except gevent.queue.Empty:
            return found

    def _drain_frames(self) -> None:
        try:
            while True:
                if self.frames.get_nowait() is None:
                    self.frames.put(None)
                    return
        except queue.Empty:
            return

    def _write_prompt(self, audio: SpeechAudio) -> Path:
        self._prompts += 1
        path = self.gateway.media_dir / f"{self.call_id}-{self._prompts}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(audio.sample_rate)
            out.writeframes(audio.pcm)
        return path

    def _api(self, command: str, missing_ok: bool = False) -> str:
        try:
            return _command(self.esl, f"api {command}")
        except NotConnectedError as exc:
            self.ended = True
            if missing_ok:
                return ""
            raise TelephonyError("FreeSWITCH connection lost during the call") from exc
        except TelephonyError:
            if missing_ok:
                return ""
            raise

    def _finish(self) -> None:
        self.ended = True
        self.gateway.streams.close(self.call_id)
        for prompt in self.gateway.media_dir.glob(f"{self.call_id}-*.wav"):
            prompt.unlink(missing_ok=True)
        _stop(self.esl)
