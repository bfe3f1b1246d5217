"""A live stream opened as a real python-websockets client opens it, and a record of how it ended.

Shared by handshake, idle_timeout, keepalive, close_frame and stability. It only
records (timings, messages, close frames, what broke the connection underneath);
checks/closure.py decides what a record means.

Library pings are off unless a check asks for them (`ping_interval=None`):
websockets' default 20 s pings would otherwise hide the idle behaviour measured.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from ..audio.pcm import chunked
from ..audio.plan import plan_audio
from ..deepgram.auth import authorization
from ..deepgram.messages import control, error_text, json_object, type_of
from ..deepgram.profiles import V1, profile_for
from ..secret import Secret
from .arrivals import Arrivals
from .connection import TimedConnection
from .errors import BadMessage, boundary
from .outcome import Outcome
from .path import open_path
from .route import Route
from .tracking import track, untrack
from .uplink import Sample, sample

MAX_MESSAGE_BYTES = 1024 * 1024
RECENT_KINDS = 16
# What deepgram-sdk gets by passing no `compression` to websockets.connect (websockets'
# default): permessage-deflate offered with client_max_window_bits. The JS SDK's `ws`
# offers the same, so the checks' frames are compressed as an SDK client's would be.
COMPRESSION = "deflate"


class LiveSession:
    """One stream: `async with LiveSession(route, key)` opens it; leaving closes the socket."""

    def __init__(
        self,
        route: Route,
        api_key: Secret,
        *,
        ping_interval: float | None = None,
        ping_timeout: float | None = None,
        close_timeout: float = 5.0,
    ) -> None:
        self.route, self.api_key = route, api_key
        self.audio = plan_audio(route.target.url)
        self.audio_sent_s = 0.0  # seconds of audio handed to the connection
        self.ping_interval, self.ping_timeout = ping_interval, ping_timeout
        self.close_timeout = close_timeout
        self.ws: TimedConnection | None = None
        self.timings_ms: dict[str, float] = {}
        self.headers: dict[str, str] = {}
        # Counts and a short sample, not every frame: a flood must not grow memory.
        self.counts: dict[str, int] = {}
        self.recent: collections.deque[str] = collections.deque(maxlen=RECENT_KINDS)
        self.violation: str | None = None
        self.first_message_at: float | None = None
        self.profile = profile_for(route.target.url) or V1
        self.transcripts = Arrivals()  # the profile's transcript messages (Results, TurnInfo)
        self.server_error: str | None = None  # Flux: the fatal Error before its close
        self.closed_at: float | None = None
        self.opened_at = 0.0
        self._closed = asyncio.Event()
        self._heard = asyncio.Event()  # the first message arrived
        self._expected: list[tuple[Callable[[dict[str, Any]], bool], asyncio.Future[float]]] = []
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LiveSession:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.abort()

    def now(self) -> float:
        return time.monotonic() - self.opened_at

    async def open(self) -> None:
        """Raises only wsdoctor.net.errors (UpgradeRefused carries a non-101 answer)."""
        route = self.route
        path = await open_path(route)
        self.timings_ms.update(path.timings_ms)
        kwargs: dict[str, Any] = {"proxy": path.proxy_url if path.sock is None else None}
        if path.sock is not None:
            kwargs["sock"] = path.sock
        elif (proxy_ssl := route.proxy_ssl_context()) is not None:
            kwargs["proxy_ssl"] = proxy_ssl  # --ca-file covers an https:// proxy's certificate
        if route.target.secure:
            kwargs["ssl"] = route.client_ssl_context()
            kwargs["server_hostname"] = route.target.host
        before_upgrade = time.monotonic()
        with boundary("upgrade"):
            connection = await connect(
                self.audio.url,
                additional_headers=self._auth_headers(),
                open_timeout=route.timeouts.upgrade,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_timeout,
                close_timeout=self.close_timeout,
                max_size=MAX_MESSAGE_BYTES,
                compression=COMPRESSION,
                create_connection=TimedConnection,
                **kwargs,
            )
        self.ws = cast(TimedConnection, connection)
        track(self)
        self.opened_at = time.monotonic()
        self._record_open(before_upgrade)
        self._reader = asyncio.create_task(self._read())

    def _auth_headers(self) -> dict[str, str]:
        return authorization(self.api_key.reveal())

    def _record_open(self, before_upgrade: float) -> None:
        assert self.ws is not None and self.ws.response is not None
        ready = self.ws.transport_ready_at or before_upgrade
        if self.route.target.secure:
            self.timings_ms["tls_ms"] = round((ready - before_upgrade) * 1000, 2)
        self.timings_ms["upgrade_ms"] = round((self.opened_at - ready) * 1000, 2)
        self.headers = {k.lower(): v for k, v in self.ws.response.headers.raw_items()}

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for message in self.ws:
                self._on_message(message)
        except ConnectionClosed:
            pass
        finally:
            frame_at = self.ws.close_frame_at
            self.closed_at = self.now() if frame_at is None else frame_at - self.opened_at
            self._closed.set()

    @property
    def last_received_s(self) -> float:
        """Seconds since the 101 of the server's last frame (pongs too): the last moment the
        path is known to have worked both ways."""
        at = self.ws.last_frame_at if self.ws else None
        return 0.0 if at is None else max(0.0, at - self.opened_at)

    def _on_message(self, message: str | bytes) -> None:
        at = self.now()
        if self.first_message_at is None:
            self.first_message_at = at
            self._heard.set()
            self.timings_ms["first_frame_ms"] = round(at * 1000, 2)
        data = None if isinstance(message, bytes) else json_object(message)
        if isinstance(message, str) and data is None:
            self.violation = (
                f"the server sent a text frame that is not a JSON object: {message[:80]!r}"
            )
            self.abort_transport()
            return
        if data is not None and self._expected:
            self._answer_expectations(data, at)
        kind = "binary" if data is None else (type_of(data) or "text")
        if kind == self.profile.transcript_message:
            self.transcripts.add(at)
        elif kind == self.profile.error_message and data is not None:
            self.server_error = error_text(data)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.recent.append(kind)

    @property
    def is_open(self) -> bool:
        return not self._closed.is_set()

    async def send_audio(self, audio: bytes, chunk_s: float = 0.1, realtime: bool = True) -> bool:
        """Stream linear16 16 kHz mono audio, as the URL's format, in chunks at real-time
        pace; False if the stream ended meanwhile. NotApplicable if wsdoctor cannot produce
        the URL's encoding."""
        fmt = self.audio.require()
        started = time.monotonic()
        for index, chunk in enumerate(chunked(self.audio.encode(audio), fmt, chunk_s)):
            if realtime:
                await self.sleep_unless_closed(started + index * chunk_s - time.monotonic())
            if not await self.send(chunk):
                return False
            self.audio_sent_s += fmt.seconds(len(chunk))
        return self.is_open

    def uplink_sample(self, due_s: float) -> Sample | None:
        """Bytes written against bytes still queued, now (None before the connection);
        `due_s`: the seconds of audio the caller's real-time schedule has due by now."""
        if self.ws is None or self.ws.metered is None:
            return None
        return sample(self.ws.metered, self.now(), self.audio_sent_s, due_s)

    @property
    def extensions(self) -> str:
        """The extensions the server accepted (permessage-deflate or none)."""
        return self.headers.get("sec-websocket-extensions", "") or "none"

    async def send_control(self, kind: str) -> bool:
        return await self.send(control(kind))

    async def send(self, data: str | bytes) -> bool:
        if self.ws is None or not self.is_open:
            return False
        try:
            await self.ws.send(data)
        except ConnectionClosed:
            return False
        return True

    async def ping(self) -> Awaitable[float]:
        """Send a WebSocket ping; the returned future resolves when its pong arrives."""
        assert self.ws is not None, "open() first"
        return await self.ws.ping()

    async def sleep_unless_closed(self, seconds: float) -> bool:
        """Sleep, waking early if the stream ends; True if it is still open."""
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), seconds)
        return self.is_open

    def expect(self, matches: Callable[[dict[str, Any]], bool]) -> asyncio.Future[float]:
        """A future for when the first message `matches` arrives (seconds since the 101):
        set it up before sending what it answers, so a quick answer is not missed."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._expected.append((matches, future))
        return future

    def _answer_expectations(self, message: dict[str, Any], at: float) -> None:
        for matches, future in self._expected:
            if not future.done() and matches(message):
                future.set_result(at)
        self._expected = [(m, f) for m, f in self._expected if not f.done()]

    async def first_message(self, timeout: float) -> bool:
        """Wait for the server's first message (Flux sends Connected unasked); True if it came."""
        waiting = {
            asyncio.ensure_future(self._heard.wait()),
            asyncio.ensure_future(self._closed.wait()),
        }
        _, pending = await asyncio.wait(
            waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        return self._heard.is_set()

    async def wait_closed(self, timeout: float) -> Outcome:
        await self.sleep_unless_closed(timeout)
        return await self.outcome()

    async def close(self) -> Outcome:
        """A client-initiated close, as the article asks clients to do."""
        if self.ws is not None:
            await self.ws.close()
            await self.wait_closed(self.close_timeout + 1)
        return await self.outcome()

    async def outcome(self) -> Outcome:
        if self.violation is not None:
            raise BadMessage(self.violation, phase="stream")
        outcome = Outcome(
            message_types=list(self.recent),
            counts=dict(self.counts),
            audio_query_added=self.audio.added,
            profile=self.profile,
            server_error=self.server_error,
        )
        if self.ws is None or self.is_open:
            return outcome
        await self.ws.wait_closed()
        protocol = self.ws.protocol
        exc = self.ws.close_exc
        outcome.closed = True
        outcome.closed_at_s = round(self.closed_at if self.closed_at is not None else self.now(), 3)
        if protocol.close_rcvd is not None:
            outcome.rcvd_code, outcome.rcvd_reason = (
                protocol.close_rcvd.code,
                protocol.close_rcvd.reason,
            )
        if protocol.close_sent is not None:
            outcome.sent_code, outcome.sent_reason = (
                protocol.close_sent.code,
                protocol.close_sent.reason,
            )
        outcome.server_closed_first = protocol.close_rcvd_then_sent
        outcome.underlying = type(exc.__cause__).__name__ if exc.__cause__ else None
        outcome.message = str(exc)
        return outcome

    def abort_transport(self) -> None:
        if self.ws is not None and self.ws.transport is not None:
            self.ws.transport.abort()

    async def abort(self) -> None:
        untrack(self)
        if self._reader is not None:
            self._reader.cancel()
        self.abort_transport()
