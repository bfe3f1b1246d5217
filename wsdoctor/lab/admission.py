"""Who the lab lets in: a bound on open connections, and logs that cannot flood.

`lab serve` runs as a shared service in other people's CI. A client that opens
sockets and never finishes its request must not deny the lab to everyone else:
aiohttp closes a connection whose request has not arrived within its keep-alive
timeout (the lab sets that to its header timeout), and past `limit` open
connections a new one gets a 503 at once instead of a file descriptor held until
the process runs out. Errors that repeat (a thousand "too many open files") are
logged once per interval with a count, not a thousand times.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator

from aiohttp import web

BUSY_MESSAGE = "The lab is serving its maximum number of connections; try again shortly."
MAX_KINDS = 1000
LINGER_S = 1.0
NOISY_LOGGERS = ("asyncio", "aiohttp.server", "aiohttp.web", "aiohttp.websocket")


def busy_response() -> bytes:
    body = json.dumps({"err_code": "TOO_MANY_CONNECTIONS", "err_msg": BUSY_MESSAGE}).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"dg-error: {BUSY_MESSAGE}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


class Busy(asyncio.Protocol):
    """Answers with a 503 without parsing a request, and hangs up once the client has read it.

    Closing at once, with the client's request unread, would make the kernel send a
    reset that can destroy the 503 before the client reads it; so what arrives is
    discarded and the socket closes when the client leaves, or after LINGER_S.
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(busy_response())
        self._timer = asyncio.get_running_loop().call_later(LINGER_S, transport.close)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        pass

    def eof_received(self) -> bool:
        self._transport.close()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._timer.cancel()


def admitting(server: web.Server, limit: int) -> Callable[[], asyncio.BaseProtocol]:
    """A protocol factory for `loop.create_server`: aiohttp's handler while there is room."""

    def factory() -> asyncio.BaseProtocol:
        if len(server.connections) >= limit:
            logging.getLogger("aiohttp.server").warning(
                "connection refused: %d connections open (the limit)", limit
            )
            return Busy()
        return server()

    return factory


class RepeatFilter(logging.Filter):
    """Lets the first of each kind of message through per interval; counts the rest."""

    def __init__(self, interval_s: float = 10.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.interval_s, self.clock = interval_s, clock
        self._last: dict[tuple[str, str], float] = {}
        self._suppressed: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return False
        if len(self._last) > MAX_KINDS:  # messages with their values baked in
            self._last.clear()
        self._last[key] = now
        suppressed = self._suppressed.pop(key, 0)
        if suppressed:
            record.msg = f"{record.getMessage()} (and {suppressed} more like it since)"
            record.args = None
        return True


@contextlib.contextmanager
def quiet_repeats(interval_s: float = 10.0) -> Iterator[RepeatFilter]:
    """Rate-limit the loggers a busy or abused server writes to, for the `with` block."""
    repeat = RepeatFilter(interval_s)
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    for logger in loggers:
        logger.addFilter(repeat)
    try:
        yield repeat
    finally:
        for logger in loggers:
            logger.removeFilter(repeat)
