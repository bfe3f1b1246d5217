"""What a watch run saw, kept in memory that does not grow with the run's length.

A watch may run for days: drops and stalls are kept up to a cap (the newest win),
RTT is folded into one point per interval (min, median-ish, max of that interval),
and totals carry the rest. Times are seconds since the watch started.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass, field

MAX_EVENTS = 2000
RTT_BUCKET_S = 10.0
MAX_RTT_POINTS = 4320  # 12 h of 10 s points; older points give way


@dataclass(frozen=True)
class Drop:
    """A stream that ended without wsdoctor asking, or a reconnect that failed."""

    at_s: float
    stream: int
    life_s: float  # how long that connection had been up (0 for a failed connect)
    ending: str  # a bounded vocabulary: see ENDINGS
    detail: str  # the close code and reason, or the error, for people
    path_after: str = ""  # what the quick checks said right after


ENDINGS = ("net0001", "server_close", "no_close_frame", "connect_failed", "rtt_timeout")


@dataclass(frozen=True)
class Stall:
    """Audio flowed but no Results came back for `seconds`."""

    at_s: float
    stream: int
    seconds: float


@dataclass(frozen=True)
class RttPoint:
    at_s: float
    low_ms: float
    mid_ms: float
    high_ms: float
    count: int


@dataclass
class WatchLog:
    drops: deque[Drop] = field(default_factory=lambda: deque(maxlen=MAX_EVENTS))
    stalls: deque[Stall] = field(default_factory=lambda: deque(maxlen=MAX_EVENTS))
    rtt: deque[RttPoint] = field(default_factory=lambda: deque(maxlen=MAX_RTT_POINTS))
    drop_count: int = 0
    stall_count: int = 0
    connects: int = 0
    stream_seconds: float = 0.0
    _bucket: list[float] = field(default_factory=list)
    _bucket_start: float = 0.0

    def add_drop(self, drop: Drop) -> None:
        self.drop_count += 1
        self.drops.append(drop)

    def add_stall(self, stall: Stall) -> None:
        self.stall_count += 1
        self.stalls.append(stall)

    def add_rtt(self, at_s: float, ms: float) -> None:
        if self._bucket and at_s - self._bucket_start >= RTT_BUCKET_S:
            self.flush_rtt()
        if not self._bucket:
            self._bucket_start = at_s
        self._bucket.append(ms)

    def flush_rtt(self) -> None:
        if self._bucket:
            values = self._bucket
            point = RttPoint(round(self._bucket_start, 3), round(min(values), 2),
                             round(statistics.median(values), 2), round(max(values), 2),
                             len(values))  # fmt: skip
            self.rtt.append(point)
            self._bucket = []

    def rtt_summary(self) -> dict[str, float]:
        self.flush_rtt()
        if not self.rtt:
            return {}
        mids = [p.mid_ms for p in self.rtt]
        return {
            "rtt_min_ms": min(p.low_ms for p in self.rtt),
            "rtt_median_ms": round(statistics.median(mids), 2),
            "rtt_max_ms": max(p.high_ms for p in self.rtt),
        }
