"""The audit's relay: the app talks to wsdoctor, wsdoctor talks to the real service.

Frames are forwarded unchanged in both directions while the lab's ClientObserver
watches the app's side, so the same rules judge a relayed stream and a lab one.
The upgrade's headers go upstream as the app sent them (its own key included: the
relay holds it only in memory, and nothing records it), and the upstream's answer
comes back as it was: a refusal keeps its status, `dg-error` and body. Endings are
reproduced, never invented: an upstream close frame is forwarded with its code and
reason, an upstream TCP drop becomes a TCP drop towards the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
import uuid
from collections.abc import Callable, Coroutine

from aiohttp import WSMessage, WSMsgType, web
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from ..deepgram.auth import presented_key
from ..deepgram.closes import NO_STATUS
from ..deepgram.messages import answers_finalize, json_object, type_of
from ..lab.wire import close_without_status
from ..observe.events import Audio, ClientClose, ClientGone, Ping, Text
from ..observe.observer import ClientObserver
from ..observe.record import ClientRecord, record_of_upgrade

CONNECT_TIMEOUT_S = 10.0
CLOSE_TIMEOUT_S = 5.0
# Headers websockets or aiohttp write themselves for each leg of the relay.
HANDSHAKE_HEADERS = frozenset({
    "host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
    "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept",
    "content-length", "transfer-encoding", "date", "server",
})  # fmt: skip


def passed_headers(headers: object) -> list[tuple[str, str]]:
    items = headers.items()  # type: ignore[attr-defined]
    return [(k, v) for k, v in items if k.lower() not in HANDSHAKE_HEADERS]


def offered_protocols(request: web.Request) -> list[str]:
    raw = request.headers.get("Sec-WebSocket-Protocol", "")
    return [p.strip() for p in raw.split(",") if p.strip()]


class Relay:
    def __init__(
        self,
        upstream: str,
        on_record: Callable[[ClientRecord], None],
        ssl_context: ssl.SSLContext | None = None,
        on_key: Callable[[str], None] | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.on_key = on_key
        self.on_record = on_record
        self.ssl_context = ssl_context
        self.started = time.monotonic()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.live)
        return app

    async def live(self, request: web.Request) -> web.StreamResponse:
        _, key = presented_key(request.headers)
        if key and self.on_key is not None:
            self.on_key(key)  # held in memory so the report can mask it, never recorded
        record = record_of_upgrade(request, str(uuid.uuid4()), self.started, "relay")
        try:
            return await self._relay(request, record)
        finally:
            self.on_record(record)

    async def _relay(self, request: web.Request, record: ClientRecord) -> web.StreamResponse:
        try:
            upstream = await self._open_upstream(request)
        except InvalidStatus as refused:
            record.status = refused.response.status_code
            record.refusal = refused.response.headers.get("dg-error")
            record.upstream_request_id = refused.response.headers.get("dg-request-id")
            return web.Response(
                status=refused.response.status_code,
                body=refused.response.body,
                headers=passed_headers(refused.response.headers),
            )
        except (OSError, TimeoutError, ValueError, InvalidHandshake) as exc:
            record.status = 502
            reason = f"wsdoctor relay could not reach {self.upstream}: {type(exc).__name__}"
            record.refusal = reason
            return web.Response(status=502, text=reason, headers={"dg-error": reason})
        try:
            return await self._stream(request, upstream, record)
        finally:
            upstream.transport.abort()  # a no-op after a clean close

    async def _open_upstream(self, request: web.Request) -> ClientConnection:
        url = f"{self.upstream}{request.path_qs}"
        return await connect(
            url,
            additional_headers=passed_headers(request.headers),
            subprotocols=offered_protocols(request) or None,  # type: ignore[arg-type]
            user_agent_header=None,  # the app's own User-Agent is among the passed headers
            ssl=self.ssl_context if url.startswith("wss:") else None,
            open_timeout=CONNECT_TIMEOUT_S,
            close_timeout=CLOSE_TIMEOUT_S,
            ping_interval=None,
            max_size=None,
            proxy=None,
        )

    async def _stream(
        self, request: web.Request, upstream: ClientConnection, record: ClientRecord
    ) -> web.StreamResponse:
        protocol = upstream.subprotocol
        ws = web.WebSocketResponse(
            protocols=(protocol,) if protocol else (),
            autoclose=False,
            autoping=False,
            max_msg_size=0,
        )
        assert upstream.response is not None
        ws.headers.extend(passed_headers(upstream.response.headers))
        record.upstream_request_id = upstream.response.headers.get("dg-request-id")
        record.request_id = record.upstream_request_id or record.request_id
        await ws.prepare(request)
        leg = Leg(ws, upstream, ClientObserver(record, request.query), request.transport)
        await leg.run()
        return ws


class Leg:
    """One relayed stream: two pumps, one per direction, and the observer on the app's side."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        upstream: ClientConnection,
        observer: ClientObserver,
        transport: asyncio.Transport | None,
    ) -> None:
        self.ws, self.upstream, self.observer, self.transport = ws, upstream, observer, transport
        self.t0 = time.monotonic()
        self.tasks: set[asyncio.Task[None]] = set()

    def now(self) -> float:
        return time.monotonic() - self.t0

    async def run(self) -> None:
        from_app = asyncio.create_task(self._from_app())
        try:
            await self._from_upstream()
        finally:
            from_app.cancel()
            for task in [from_app, *self.tasks]:
                task.cancel()
            await asyncio.gather(from_app, *self.tasks, return_exceptions=True)
            self.observer.record.duration_s = round(self.now(), 3)

    async def _from_app(self) -> None:
        """App frames upstream; a frame the closing upstream can no longer take ends this
        direction quietly (the other one reports how the upstream ended)."""
        with contextlib.suppress(ConnectionClosed, ConnectionError):
            while await self._forward_one(await self.ws.receive()):
                pass

    async def _forward_one(self, msg: WSMessage) -> bool:
        """Forward one app frame; False once the app has closed or left."""
        now = self.now()
        if msg.type is WSMsgType.BINARY:
            self.observer.client(Audio(msg.data), now)
            await self.upstream.send(msg.data)
        elif msg.type is WSMsgType.TEXT:
            self.observer.client(Text(msg.data), now)
            await self.upstream.send(msg.data)
        elif msg.type is WSMsgType.PING:
            self.observer.client(Ping(msg.data), now)
            self._spawn(self._ping_through(msg.data))
        elif msg.type is WSMsgType.CLOSE:
            self.observer.client(ClientClose(msg.data, msg.extra or ""), now)
            if msg.data:  # a close frame without a status code is forwarded without one
                await self.upstream.close(msg.data, msg.extra or "")
            else:
                await self.upstream.close()
            return False
        elif msg.type in (WSMsgType.CLOSED, WSMsgType.CLOSING, WSMsgType.ERROR):
            self.observer.client(ClientGone(), now)
            self.upstream.transport.abort()  # the app left without a close frame: so do we
            return False
        return True

    async def _ping_through(self, data: bytes) -> None:
        """The app's ping measures the whole path: answer it when upstream's pong comes."""
        with contextlib.suppress(ConnectionClosed, ConnectionError, RuntimeError):
            waiter = await self.upstream.ping(data)
            await waiter
            await self.ws.pong(data)

    def _spawn(self, coro: Coroutine[None, None, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _from_upstream(self) -> None:
        with contextlib.suppress(ConnectionClosed, ConnectionError, RuntimeError):
            async for message in self.upstream:
                if isinstance(message, str):
                    self._observe_server(message)
                    await self.ws.send_str(message)
                else:
                    await self.ws.send_bytes(message)
        await self._end_like_upstream()

    def _observe_server(self, message: str) -> None:
        data = json_object(message)
        replied = data is not None and answers_finalize(data)
        self.observer.server_sent(type_of(data) or "text", self.now(), replied)

    async def _end_like_upstream(self) -> None:
        protocol = self.upstream.protocol
        rcvd = protocol.close_rcvd
        if self.observer.client_ended and rcvd is None:  # we aborted it after the app left
            return
        if rcvd is None:  # upstream TCP ended with no close frame: the app gets the same
            self.observer.server_dropped(reset=False, now=self.now())
            if self.transport is not None:
                self.transport.abort()
            return
        if protocol.close_rcvd_then_sent:  # upstream began the closing handshake
            self.observer.server_closed(rcvd.code, rcvd.reason, self.now())
        record = self.observer.record
        record.tcp_end = record.tcp_end or "close-handshake"
        if self.ws.closed:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            if rcvd.code == NO_STATUS:  # Flux's own ending: forwarded as it came, no code
                await close_without_status(self.ws, self.transport)
            else:
                await self.ws.close(code=rcvd.code, message=rcvd.reason.encode())
