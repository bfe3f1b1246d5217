"""How fast the client's bytes really leave it: written to the transport against still queued.

An uplink slower than the audio bitrate does not fail a connection; it makes the
client's buffers grow until pings and audio wait seconds behind each other, which
reads as a stalled path unless the queue itself is measured. Bytes handed to the
transport are counted as they are written; what is still queued is the transport's
write buffer plus, on Linux, the kernel's send queue (sent but unacknowledged), so
bytes that left the host are told from bytes that sat in a buffer.
"""

from __future__ import annotations

import array
import asyncio
import fcntl
import socket
import sys
import termios
from dataclasses import dataclass
from typing import Any


class MeteredTransport:
    """Counts the bytes written through it; everything else goes to the real transport."""

    def __init__(self, inner: asyncio.Transport) -> None:
        self.inner = inner
        self.written = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += len(data)
        self.inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def kernel_queue(sock: socket.socket | None) -> int:
    """Bytes in the kernel's send queue not yet acknowledged by the next hop (Linux), else 0."""
    if sock is None or not sys.platform.startswith("linux"):
        return 0
    buffer = array.array("i", [0])
    try:
        fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, buffer)
    except (OSError, ValueError):
        return 0
    return buffer[0]


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the 101
    written: int  # bytes handed to the transport so far
    queued: int  # of those, still in the transport's buffer or the kernel's send queue
    audio_s: float  # seconds of audio handed to the connection so far
    due_s: float  # seconds of audio the real-time schedule had due by now

    @property
    def delivered(self) -> int:
        return self.written - self.queued


def sample(transport: MeteredTransport, at: float, audio_s: float, due_s: float) -> Sample:
    queued = transport.inner.get_write_buffer_size()
    queued += kernel_queue(transport.inner.get_extra_info("socket"))
    queued = min(queued, transport.written)
    return Sample(round(at, 3), transport.written, queued, audio_s, round(due_s, 3))


@dataclass(frozen=True)
class Uplink:
    """What the samples say; rates in bytes per second on the wire (after compression)."""

    rate_Bps: float  # delivered per second while the queue never emptied
    need_Bps: float  # wire bytes per second of audio: what real time takes
    behind_s: float  # how far the delivered audio trailed real time, at most, in the backlog
    backlogged: bool  # the queue never emptied from some point on, and real time was lost
    stalled: bool  # bytes queued, and not one delivered, for a whole window
    at_s: float  # when the last sample was taken (seconds since the 101)

    @property
    def too_slow(self) -> bool:
        return self.backlogged and not self.stalled and self.rate_Bps < self.need_Bps

    def measurements(self) -> dict[str, float]:
        """The rate is the uplink's capacity only when the queue never emptied: otherwise
        the link kept up and carried what the audio needed, which says nothing of its limit."""
        measured = {
            "audio_wire_kBps": round(self.need_Bps / 1000, 2),
            "uplink_behind_s": round(self.behind_s, 3),
        }
        if self.backlogged:
            measured["uplink_kBps"] = round(self.rate_Bps / 1000, 2)
        return measured


def assess(samples: list[Sample], lag_s: float, stall_s: float) -> Uplink | None:
    """Judge an uplink from samples taken while the stream was open (pure). `lag_s`: how
    far behind real time the delivered audio may trail before the uplink counts as
    backlogged; `stall_s`: a queue that delivers nothing for that long is a stalled path,
    while one that delivers slowly is a slow link."""
    if len(samples) < 2 or samples[-1].audio_s <= 0 or samples[-1].written <= 0:
        return None
    last = samples[-1]
    need = last.written / last.audio_s
    backlog = _backlog_start(samples)
    window = samples[backlog:] if backlog is not None else []
    behind = max((s.due_s - s.delivered / need for s in window or [last]), default=0.0)
    span = window[-1].at - window[0].at if window else 0.0
    rate = slope(window) if span > 0 else need
    stalled = span >= stall_s and window[-1].delivered == window[0].delivered
    backlogged = backlog is not None and behind > lag_s
    return Uplink(rate, need, behind, backlogged, stalled, last.at)


def slope(samples: list[Sample]) -> float:
    """Bytes delivered per second, fitted over the samples: acknowledgements arrive in
    bursts, and a line through all of them is steadier than the two ends."""
    mean_t = sum(s.at for s in samples) / len(samples)
    mean_d = sum(s.delivered for s in samples) / len(samples)
    spread = sum((s.at - mean_t) ** 2 for s in samples)
    return sum((s.at - mean_t) * (s.delivered - mean_d) for s in samples) / spread


def _backlog_start(samples: list[Sample]) -> int | None:
    """The index from which every sample had bytes queued, or None if the queue emptied last."""
    start = None
    for index in range(len(samples) - 1, -1, -1):
        if samples[index].queued == 0:
            break
        start = index
    return start
