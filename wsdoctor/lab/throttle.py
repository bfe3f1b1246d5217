"""A server that takes the client's bytes off the socket no faster than a set rate.

The `slow-uplink` fault: a thin uplink seen from the client is a peer that
acknowledges bytes slowly, so real TCP backpressure builds in the real client's
kernel and write buffer, as behind a bottleneck link. Reading is paused whenever
the bytes taken so far are ahead of the rate's schedule, and each read takes at
most a few kilobytes. The fault also gives the listening socket a small MSS and
receive buffer (faults/kinds.py: SlowUplink), so little slack hides the throttle.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

READ_BYTES = 1024  # at most this much per read, so the rate holds at fine grain


class Throttle(asyncio.Protocol):
    """Sits between the transport and aiohttp's protocol, which it passes everything to."""

    def __init__(self, transport: asyncio.Transport, inner: Any, rate_Bps: float) -> None:
        self.transport, self.inner, self.rate = transport, inner, rate_Bps
        self.started = time.monotonic()
        self.taken = 0
        self.resume: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        self.taken += len(data)
        self.inner.data_received(data)
        ahead = self.taken / self.rate - (time.monotonic() - self.started)
        if ahead > 0 and self.resume is None and not self.transport.is_closing():
            self.transport.pause_reading()
            self.resume = asyncio.get_running_loop().call_later(ahead, self._resume)

    def _resume(self) -> None:
        self.resume = None
        if not self.transport.is_closing():
            self.transport.resume_reading()

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.resume is not None:
            self.resume.cancel()
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


def throttle(transport: asyncio.Transport | None, rate_Bps: float) -> None:
    """From now on, read this connection at no more than `rate_Bps` bytes a second."""
    if transport is None or transport.is_closing():
        return
    if hasattr(transport, "max_size"):  # asyncio's selector transport reads this much a time
        transport.max_size = READ_BYTES
    transport.set_protocol(Throttle(transport, transport.get_protocol(), rate_Bps))
