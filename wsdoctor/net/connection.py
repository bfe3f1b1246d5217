"""The websockets client connection wsdoctor streams on: stamped, metered, read in slices.

Close times come from the close frame itself, never from a TCP teardown that may
follow up to close_timeout later; what the client writes is metered (net/uplink.py)
to tell a slow uplink from a stalled path; and reads are sliced so a hostile flood
cannot hold the event loop past a deadline.
"""

from __future__ import annotations

import asyncio
import time
from typing import cast

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from .uplink import MeteredTransport

READ_SLICE_BYTES = 16 * 1024  # websockets' default; a hostile server must not change it


class TimedConnection(ClientConnection):
    """Notes when the transport is ready: after the TLS handshake for wss://."""

    transport_ready_at: float | None = None
    metered: MeteredTransport | None = None
    # Close times come from the close frame, not a TCP teardown up to close_timeout later.
    last_frame_at: float | None = None
    close_frame_at: float | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Also counts what websockets writes, to tell a slow uplink from a stalled path, and
        reads in small slices: 256 kB of one-byte frames take the loop half a second to
        parse, delaying every deadline and cancellation behind them."""
        if hasattr(transport, "max_size"):  # asyncio's plain socket transport
            transport.max_size = READ_SLICE_BYTES
        self.transport_ready_at = time.monotonic()
        super().connection_made(transport)
        self.metered = MeteredTransport(self.transport)
        self.transport = cast(asyncio.Transport, self.metered)

    def process_event(self, event: Event) -> None:
        if isinstance(event, Frame):
            self.last_frame_at = time.monotonic()
            if event.opcode is Opcode.CLOSE and self.close_frame_at is None:
                self.close_frame_at = self.last_frame_at
        super().process_event(event)
