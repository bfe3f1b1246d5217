"""Naming what a long run's drops have in common: pure functions over the WatchLog.

"Random" drops are often not random. Connections that die at the same age point to
a lifetime cap (a load balancer or proxy that ends connections after N minutes);
drops spaced by the same period regardless of age point to something on a timer
(a NAT or firewall flushing state, a DHCP lease, Wi-Fi roaming scans); streams that
stay open while Results stop are the silent stall users report as "it just stops".
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from ..model import Finding, Level
from .log import Drop, Stall

MIN_REPEATS = 3  # this many drops before a pattern is named
TOLERANCE = 0.1  # within 10 % (or MIN_SPREAD_S) of the median counts as the same
MIN_SPREAD_S = 1.0

LIFETIME_CAP = "watch.lifetime_cap"
PERIODIC = "watch.periodic_drops"
SILENT = "watch.silent_stream"
DROPS = "watch.drops"
CONNECT_FAILED = "watch.connect_failed"


def _steady(values: Sequence[float], least: int = MIN_REPEATS) -> float | None:
    """The median if all values sit close to it, else None."""
    if len(values) < least:
        return None
    middle = statistics.median(values)
    spread = max(middle * TOLERANCE, MIN_SPREAD_S)
    return middle if all(abs(v - middle) <= spread for v in values) else None


def lifetime_cap(drops: Sequence[Drop]) -> Finding | None:
    lived = [d.life_s for d in drops if d.ending != "connect_failed"]
    age = _steady(lived)
    if age is None:
        return None
    return Finding(
        Level.FAIL, LIFETIME_CAP,
        f"{len(lived)} streams were dropped at nearly the same age, about {age:.1f} s "
        f"({min(lived):.1f} to {max(lived):.1f} s): something on the path caps how long a "
        "connection may live.",
        {"age_s": round(age, 1), "drops": len(lived)},
    )  # fmt: skip


def _events(times: Sequence[float]) -> list[float]:
    """Drop times with near-simultaneous drops (several streams cut at once) merged."""
    events: list[float] = []
    for at in sorted(times):
        if not events or at - events[-1] > MIN_SPREAD_S:
            events.append(at)
    return events


def periodic(drops: Sequence[Drop]) -> Finding | None:
    times = [d.at_s for d in drops if d.ending != "connect_failed"]
    gaps = [b - a for a, b in itertools.pairwise(_events(times))]
    period = _steady(gaps, least=MIN_REPEATS - 1)
    if period is None:
        return None
    return Finding(
        Level.FAIL, PERIODIC,
        f"Drops came every {period:.1f} s or so ({len(times)} drops), whatever the "
        "connections' ages: something on the path acts on a timer.",
        {"period_s": round(period, 1), "drops": len(times)},
    )  # fmt: skip


def silent(stalls: Sequence[Stall], threshold_s: float) -> Finding | None:
    if not stalls:
        return None
    longest = max(s.seconds for s in stalls)
    return Finding(
        Level.FAIL, SILENT,
        f"{len(stalls)} time(s) audio kept flowing but no Results came back for more than "
        f"{threshold_s:g} s (longest {longest:.1f} s): the stream was open but silent.",
        {"stalls": len(stalls), "longest_s": round(longest, 1)},
    )  # fmt: skip


def unexplained(drops: Sequence[Drop]) -> Finding | None:
    lived = [d for d in drops if d.ending != "connect_failed"]
    if not lived:
        return None
    endings = sorted({d.ending for d in lived})
    return Finding(
        Level.FAIL, DROPS,
        f"{len(lived)} stream(s) dropped during the watch ({', '.join(endings)}), with no "
        "regular age or period.",
        {"drops": len(lived)},
    )  # fmt: skip


def failed_connects(drops: Sequence[Drop]) -> Finding | None:
    failed = [d for d in drops if d.ending == "connect_failed"]
    if not failed:
        return None
    return Finding(
        Level.FAIL, CONNECT_FAILED,
        f"{len(failed)} reconnect attempt(s) failed (last: {failed[-1].detail}).",
        {"failed": len(failed)},
    )  # fmt: skip


def findings(drops: Sequence[Drop], stalls: Sequence[Stall], stall_s: float) -> list[Finding]:
    """One finding per pattern seen; plain drops only when no pattern explains them."""
    named = [f for f in (lifetime_cap(drops), periodic(drops)) if f is not None]
    if not named:
        named = [f for f in (unexplained(drops),) if f is not None]
    extra = [f for f in (silent(stalls, stall_s), failed_connects(drops)) if f is not None]
    return named[:1] + extra
