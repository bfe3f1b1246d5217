"""One live stream after the 101: audio in, Results out, control messages, idle timeout, faults.

A single task per stream reads client frames with a deadline and handles timers
when the deadline passes, so what the lab sends is strictly ordered and the
ordering Deepgram documents (final Results, then Metadata, then the close frame)
holds by construction.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import struct
import time
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from ..net.audio import AudioFormat, parse_wav
from . import messages
from .record import ClientRecord

if TYPE_CHECKING:
    from .app import LabConfig

HOSTILE_TEXT = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='x'\">"
HOSTILE_REASON = "<script>document.title='pwned'</script>\u202e\u0007<img src=x onerror=alert(1)>"
OVERSIZED_FRAME_BYTES = 2 * 1024 * 1024
RESULT_SEGMENT_S = 1.0
INTERIM_EVERY_S = 1.0


class LiveStream:
    def __init__(
        self,
        request: web.Request,
        ws: web.WebSocketResponse,
        record: ClientRecord,
        config: LabConfig,
        fmt: AudioFormat | None,
    ) -> None:
        self.request, self.ws, self.record, self.config = request, ws, record, config
        self.faults = config.faults
        self.fmt = fmt  # None until a WAV header tells us (container audio)
        params = request.query
        self.interim = params.get("interim_results") == "true"
        self.vad_events = params.get("vad_events") == "true"
        self.utterance_end_s = _seconds_or_none(params.get("utterance_end_ms"))
        self.channels = fmt.channels if fmt else 1
        self.t0 = time.monotonic()
        self.audio = hashlib.sha256()
        self.audio_s = 0.0
        self.final_upto = 0.0
        self.segment_speech = False
        self.in_speech = False
        self.last_word_end: float | None = None
        self.last_activity = 0.0
        self.next_interim: float | None = None
        self._pending: list[dict[str, Any]] = []  # events to send with the next Results
        self.muted = False  # no-close-reply: a server that has stopped processing this stream
        self.done = False

    # ------------------------------------------------------------------ loop

    def now(self) -> float:
        return time.monotonic() - self.t0

    async def run(self) -> None:
        while not self.done:
            wait = max(0.0, self._next_deadline() - self.now())
            try:
                msg = await self.ws.receive(timeout=wait)
            except TimeoutError:
                await self._on_timer()
                continue
            await self._on_message(msg)
        self.record.duration_s = round(self.now(), 3)

    def _deadlines(self) -> dict[str, float]:
        deadlines: dict[str, float] = {}
        if not self.muted:
            deadlines["idle"] = self.last_activity + self.config.idle_timeout
        for fault in ("drop-after", "reset-after"):
            seconds = self.faults.seconds(fault)
            if seconds is not None:
                deadlines[fault] = seconds
        if self.next_interim is not None and not self.muted:
            deadlines["interim"] = self.next_interim
        return deadlines

    def _next_deadline(self) -> float:
        return min(self._deadlines().values(), default=self.now() + 3600)

    async def _on_timer(self) -> None:
        now = self.now()
        due = {name for name, at in self._deadlines().items() if at <= now + 1e-3}
        if "drop-after" in due or "reset-after" in due:
            self.drop(reset="reset-after" in due)
        elif "idle" in due:
            await self.send(messages.metadata(self.rid, self.audio, self.audio_s, self.channels))
            await self.close(1011, messages.NET0001_REASON)
        elif "interim" in due:
            await self._send_interim()

    async def _on_message(self, msg: Any) -> None:
        if msg.type == WSMsgType.BINARY:
            await self._on_audio(msg.data)
        elif msg.type == WSMsgType.TEXT:
            await self._on_text(msg.data)
        elif msg.type == WSMsgType.PING:
            self.record.pings += 1
            self.record.note(self.now(), "ping")
            if "no-pong" not in self.faults:
                await self.ws.pong(msg.data)
        elif msg.type == WSMsgType.CLOSE:
            await self._on_client_close(msg.data)
        elif msg.type in (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
            self.record.tcp_end = self.record.tcp_end or "client-eof"
            self.done = True

    # ------------------------------------------------------------------ client messages

    @property
    def rid(self) -> str:
        return self.record.request_id

    async def _on_audio(self, data: bytes) -> None:
        if not data:  # the legacy close signal
            self.record.note(self.now(), "empty-binary")
            await self.close_stream()
            return
        self.record.note(self.now(), "audio", bytes=len(data))
        if self.fmt is None:
            parsed = parse_wav(data)
            if parsed is None or "data-error" in self.faults:
                await self.close(1008, messages.DATA0000_REASON)
                return
            self.fmt, header = parsed
            self.channels, data = self.fmt.channels, data[header:]
        elif "data-error" in self.faults:
            await self.close(1008, messages.DATA0000_REASON)
            return
        first = self.record.audio_bytes == 0
        self._count_audio(data)
        if "net0000" in self.faults:
            await self.close(1011, messages.NET0000_REASON)
            return
        if first:
            await self._on_first_audio()
        await self._emit_finals()

    def _count_audio(self, data: bytes) -> None:
        assert self.fmt is not None
        start = self.audio_s
        self.audio.update(data)
        self.record.audio_bytes += len(data)
        self.audio_s = self.fmt.seconds(self.record.audio_bytes)
        self.record.audio_s = round(self.audio_s, 3)
        self.last_activity = self.now()
        speech = any(data)
        self.segment_speech = self.segment_speech or speech
        self._speech_edge(speech, start)

    def _speech_edge(self, speech: bool, start: float) -> None:
        """SpeechStarted and UtteranceEnd follow the audio timeline, as Deepgram's do."""
        if speech and not self.in_speech and self.vad_events:
            self._pending.append(messages.speech_started(start))
        if speech:
            self.last_word_end = self.audio_s
        elif self._utterance_ended():
            self._pending.append(messages.utterance_end(self.last_word_end or 0.0))
            self.last_word_end = None
        self.in_speech = speech

    def _utterance_ended(self) -> bool:
        if not self.utterance_end_s or self.last_word_end is None:
            return False
        return self.audio_s - self.last_word_end >= self.utterance_end_s

    async def _on_first_audio(self) -> None:
        if self.interim:
            self.next_interim = self.now() + INTERIM_EVERY_S
        hostile = self.faults.value("hostile")
        if hostile == "payloads":
            result = messages.results(self.rid, 0, 0, speech=False, is_final=False)
            result["channel"]["alternatives"][0]["transcript"] = HOSTILE_TEXT
            await self.send(result)
        elif hostile == "frame":
            await self.ws.send_str("x" * OVERSIZED_FRAME_BYTES)

    async def _on_text(self, text: str) -> None:
        try:
            kind = json.loads(text).get("type")
        except (ValueError, AttributeError):
            kind = None
        self.record.note(self.now(), "text", type=kind or "unparsed")
        if self.record.audio_bytes:  # KeepAlive does not hold a stream that never had audio
            self.last_activity = self.now()
        if kind == "KeepAlive":
            self.record.keepalive_at.append(round(self.now(), 3))
        elif kind == "Finalize":
            self.record.finalize_count += 1
            await self._flush_final(from_finalize=True)
        elif kind == "CloseStream":
            await self.close_stream()

    async def _on_client_close(self, code: int | None) -> None:
        self.record.client_close_code = code
        self.record.first_close = self.record.first_close or "client"
        self.record.note(self.now(), "close", code=code)
        if "no-close-reply" in self.faults:
            await self._wait_for_eof()
        else:
            self.record.tcp_end = "close-handshake"
        self.done = True

    async def _wait_for_eof(self) -> None:
        """Keep the TCP connection open, answering nothing, until the client gives up."""
        transport = self.request.transport
        while transport is not None and not transport.is_closing():
            await asyncio.sleep(0.05)
        self.record.tcp_end = "client-eof"

    # ------------------------------------------------------------------ results

    async def _emit_finals(self) -> None:
        for message in self._pending:
            await self.send(message)
        self._pending.clear()
        while self.audio_s - self.final_upto >= RESULT_SEGMENT_S:
            end = self.final_upto + RESULT_SEGMENT_S
            await self._send_final(end, speech_final=False, from_finalize=False)

    async def _flush_final(self, from_finalize: bool) -> None:
        if self.audio_s > self.final_upto or from_finalize:
            await self._send_final(self.audio_s, speech_final=True, from_finalize=from_finalize)

    async def _send_final(self, end: float, speech_final: bool, from_finalize: bool) -> None:
        await self.send(
            messages.results(
                self.rid,
                self.final_upto,
                end,
                speech=self.segment_speech,
                is_final=True,
                speech_final=speech_final,
                from_finalize=from_finalize,
                channels=self.channels,
            )
        )
        self.final_upto = end
        self.segment_speech = False

    async def _send_interim(self) -> None:
        speech = self.segment_speech
        interim = messages.results(
            self.rid, self.final_upto, self.audio_s, speech=speech, is_final=False
        )
        await self.send(interim)
        self.next_interim = (self.next_interim or self.now()) + INTERIM_EVERY_S

    # ------------------------------------------------------------------ endings

    async def close_stream(self) -> None:
        self.record.close_stream_sent = True
        if "no-close-reply" in self.faults:
            self.muted = True
            return
        if "drop-on-close" in self.faults:
            self.drop(reset=False)
            return
        await self._flush_final(from_finalize=False)
        await self.send(messages.metadata(self.rid, self.audio, self.audio_s, self.channels))
        await self.close(1000, "")

    async def send(self, message: dict[str, Any]) -> None:
        if not self.ws.closed:
            await self.ws.send_str(json.dumps(message))

    async def close(self, code: int, reason: str) -> None:
        if "hostile" in self.faults:
            reason = HOSTILE_REASON
        self.record.server_close_code, self.record.server_close_reason = code, reason
        self.record.first_close = self.record.first_close or "server"
        self.record.note(self.now(), "server-close", code=code)
        await self.ws.close(code=code, message=reason.encode())
        self.record.tcp_end = "close-handshake"
        self.done = True

    def drop(self, reset: bool) -> None:
        """End TCP with no close frame: a FIN, or with `reset` a real RST (SO_LINGER 0)."""
        transport = self.request.transport
        if transport is not None:
            sock = transport.get_extra_info("socket")
            if reset and sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        self.record.tcp_end = "lab-reset" if reset else "lab-drop"
        self.record.note(self.now(), self.record.tcp_end)
        self.done = True


def _seconds_or_none(value: str | None) -> float | None:
    try:
        return int(value) / 1000 if value else None
    except ValueError:
        return None
