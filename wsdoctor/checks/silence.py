"""When did a silently dropped path die? Bounds from one-shot probes (pure).

Each probe is a ping on a stream that had been idle for a known time. An answered
probe proves the path survived that much silence; an unanswered one proves it did not.
So a hop's idle timeout lies between the longest silence still answered and the
shortest one not answered. Times count from the last successful exchange, never from
when a pong deadline ran out: the deadline is wsdoctor's patience, not the network's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..net.probe import Probe

# Side streams are probed at these fractions of the server's idle window: three inside it
# bound a hop that forgets flows sooner than Deepgram closes them, one past it bounds a
# hop that lost the close frame itself. Each costs one idle stream for that long.
SIDE_PROBE_FRACTIONS = (0.3, 0.6, 0.9, 1.2)
PONG_DEADLINE_S = 2.0


@dataclass(frozen=True)
class Bounds:
    """The path survived `alive_s` seconds of silence and was dead after `dead_by_s`."""

    alive_s: float
    dead_by_s: float

    def text(self) -> str:
        if self.alive_s <= 0:
            return f"it was dead {self.dead_by_s:.1f} s after the last exchange"
        return (
            f"it still answered {self.alive_s:.1f} s after the last exchange "
            f"and was dead by {self.dead_by_s:.1f} s"
        )


def silent_bounds(probes: Iterable[Probe]) -> Bounds | None:
    """None unless some probe went unanswered on a stream that had not ended."""
    probes = list(probes)
    dead = [p.idle_s for p in probes if p.dead]
    if not dead:
        return None
    dead_by = min(dead)
    # A probe answered after a longer silence than one that died contradicts it (a lost
    # packet, not a timeout); only answers below the death bound narrow it.
    alive = max((p.idle_s for p in probes if p.answered and p.idle_s < dead_by), default=0.0)
    return Bounds(round(alive, 2), round(dead_by, 2))


def probe_times(window_s: float, watch_s: float) -> list[float]:
    """When the side streams are probed: fractions of the server's idle window (a silent drop
    shows only when a hop forgets flows sooner than the server closes them, or loses that
    close), each before the main stream's own probe, which needs no side stream."""
    return [round(window_s * f, 3) for f in SIDE_PROBE_FRACTIONS if window_s * f < watch_s]


def pong_deadline(check_timeout_s: float) -> float:
    """How long a probe waits for its pong: loopback answers in microseconds and a slow
    real path in well under a second; the check's budget caps it in scaled-down runs."""
    return min(PONG_DEADLINE_S, check_timeout_s / 2)


def describe_probes(probes: Iterable[Probe]) -> str:
    """The evidence line: each probe's silence before it and what came of it."""
    words = {True: "answered", False: "no pong"}
    return ", ".join(
        f"after {p.idle_s:.2f} s idle: {'stream already closed' if p.closed else words[p.answered]}"
        for p in sorted(probes, key=lambda p: p.idle_s)
    )
