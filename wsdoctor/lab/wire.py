"""The live-stream model on a real socket: aiohttp frames become events, actions become frames.

All of Deepgram's behaviour is in the stream model (model.StreamModel: LiveStream for
v1, FluxStream for Flux); this loop only reads one frame at a time, with a timeout up
to the model's next deadline, and performs what the model answers before reading
again. One task per stream, so nothing the lab sends can interleave. The clock is a
parameter so a test can drive the adapter without real waiting.

A close frame without a status code (Flux's own ending): aiohttp's `close()` always
packs a code, and a 1005 must never be sent (RFC 6455 7.4.1), so the empty close
frame goes out through the public `WebSocketResponse.send_frame(b"", CLOSE)` and the
closing handshake is finished here: wait for the client's echo (the WebSocket is made
with autoclose off, or aiohttp would answer that echo with a second close frame),
then end TCP, as the server side should.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from collections.abc import Callable

from aiohttp import WSMessage, WSMsgType, web

from ..observe.events import Audio, ClientClose, ClientGone, Event, Ping, Text, Tick
from .actions import Action, Close, Drop, EchoClose, GoSilent, Pong, SendJson, SendText
from .model import StreamModel
from .throttle import throttle

Clock = Callable[[], float]
EOF_POLL_S = 0.05
ECHO_TIMEOUT_S = 5.0  # how long a close without status waits for the client's echo
GONE = (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)


def to_event(msg: WSMessage) -> Event | None:
    """None for frames the model has no use for (pongs: the lab sends no pings)."""
    if msg.type == WSMsgType.BINARY:
        return Audio(msg.data)
    if msg.type == WSMsgType.TEXT:
        return Text(msg.data)
    if msg.type == WSMsgType.PING:
        return Ping(msg.data)
    if msg.type == WSMsgType.CLOSE:  # aiohttp reads a close without status as code 0
        return ClientClose(msg.data or None, msg.extra or "")
    if msg.type in GONE:
        return ClientGone()
    return None


class Wire:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.Transport | None,
        clock: Clock = time.monotonic,
    ) -> None:
        """Call right after the 101: that instant is 0 on the stream's clock."""
        self.ws, self.transport, self.clock = ws, transport, clock
        self.t0 = clock()

    def now(self) -> float:
        return self.clock() - self.t0

    async def run(self, stream: StreamModel) -> None:
        rate = stream.faults.read_rate()
        if rate is not None:
            throttle(self.transport, rate)
        try:
            while not stream.done:
                event = await self._next_event(stream.next_deadline())
                if event is not None:
                    await self._feed(stream, event)
        finally:
            stream.finish(self.now())

    async def _next_event(self, deadline: float | None) -> Event | None:
        timeout = None if deadline is None else deadline - self.now()
        if timeout is not None and timeout <= 0:
            return Tick()  # aiohttp reads timeout=0 as "no timeout"
        try:
            msg = await self.ws.receive(timeout=timeout)
        except TimeoutError:
            return Tick()
        return to_event(msg)

    async def _feed(self, stream: StreamModel, event: Event) -> None:
        for action in stream.handle(event, self.now()):
            follow = await self._perform(action)
            if follow is not None:
                await self._feed(stream, follow)

    async def _perform(self, action: Action) -> Event | None:
        """Do one action; an action that ends in something the model must hear returns it."""
        match action:
            case SendJson(message):
                await self._send(json.dumps(message))
            case SendText(text):
                await self._send(text)
            case Pong(data):
                await self.ws.pong(data)
            case Close(code, reason):
                await self._close(code, reason)
            case EchoClose(code):
                await self._echo(code)
            case Drop(reset):
                self._drop(reset)
            case GoSilent():
                await self._wait_for_eof()
                return ClientGone()
        return None

    async def _send(self, text: str) -> None:
        if not self.ws.closed:
            await self.ws.send_str(text)

    async def _close(self, code: int | None, reason: str) -> None:
        if code is None:
            await self._close_without_status()
        else:
            await self.ws.close(code=code, message=reason.encode())

    async def _echo(self, code: int | None) -> None:
        """The client's close already arrived: answer it in kind, then end TCP."""
        if code is None:
            await self._send_empty_close()
            self._end_tcp()
        else:
            await self.ws.close(code=code)

    async def _close_without_status(self) -> None:
        await close_without_status(self.ws, self.transport, self.now)

    async def _send_empty_close(self) -> None:
        await send_empty_close(self.ws, self.transport)

    def _end_tcp(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _drop(self, reset: bool) -> None:
        transport = self.transport
        if transport is None:
            return
        sock = transport.get_extra_info("socket")
        if reset and sock is not None:  # SO_LINGER 0: close() sends an RST, not a FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    async def _wait_for_eof(self) -> None:
        """Hold TCP open, reading nothing, until the client gives up on us."""
        transport = self.transport
        while transport is not None and not transport.is_closing():
            await asyncio.sleep(EOF_POLL_S)


async def send_empty_close(ws: web.WebSocketResponse, transport: asyncio.Transport | None) -> None:
    if transport is not None and not transport.is_closing():
        await ws.send_frame(b"", WSMsgType.CLOSE)


async def close_without_status(
    ws: web.WebSocketResponse, transport: asyncio.Transport | None, clock: Clock = time.monotonic
) -> None:
    """Send an empty close frame, wait for the client's answer, then end TCP (the WebSocket
    must have autoclose off). Shared by the lab's Flux streams and the audit relay."""
    await send_empty_close(ws, transport)
    deadline = clock() + ECHO_TIMEOUT_S
    while (left := deadline - clock()) > 0:
        try:
            msg = await ws.receive(timeout=left)
        except TimeoutError:
            break
        if msg.type == WSMsgType.CLOSE or msg.type in GONE:
            break
    if transport is not None:
        transport.close()


async def serve_stream(
    ws: web.WebSocketResponse,
    transport: asyncio.Transport | None,
    stream: StreamModel,
    clock: Clock = time.monotonic,
) -> None:
    await Wire(ws, transport, clock).run(stream)
