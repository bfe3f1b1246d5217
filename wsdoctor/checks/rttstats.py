"""Round-trip statistics that only claim what the sample supports (pure).

With ten pings the 95th percentile is simply the largest one, so a single
retransmitted packet decides the verdict and it flips from run to run on a lossy
path. A percentile is reported only when enough samples lie above it; below that
the maximum is reported as the maximum, and latency is judged on the median.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

P95 = 0.95
# A p95 needs at least one sample above it: ceil(0.95 * n) < n holds from n = 20 on.
MIN_FOR_P95 = 20


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `fraction` of the sample
    at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def rtt_measurements(rtts_ms: Sequence[float]) -> dict[str, float]:
    """pongs, rtt_p50_ms, rtt_max_ms, jitter_ms, and rtt_p95_ms only from MIN_FOR_P95 pongs."""
    measurements = {"pongs": float(len(rtts_ms))}
    if not rtts_ms:
        return measurements
    measurements["rtt_p50_ms"] = round(statistics.median(rtts_ms), 2)
    measurements["rtt_max_ms"] = round(max(rtts_ms), 2)
    measurements["jitter_ms"] = round(statistics.pstdev(rtts_ms), 2)
    if len(rtts_ms) >= MIN_FOR_P95:
        measurements["rtt_p95_ms"] = round(percentile(rtts_ms, P95), 2)
    return measurements


def latency_text(measurements: dict[str, float]) -> str:
    """The RTT clause of a summary, naming the statistics actually computed."""
    if "rtt_p50_ms" not in measurements:
        return ""
    p50, top = measurements["rtt_p50_ms"], measurements["rtt_max_ms"]
    if "rtt_p95_ms" in measurements:
        return f", RTT p50 {p50:.1f} ms / p95 {measurements['rtt_p95_ms']:.1f} ms"
    return f", RTT median {p50:.1f} ms / max {top:.1f} ms (too few pongs for a p95)"


def judged_latency_ms(measurements: dict[str, float]) -> float:
    """The RTT latency is judged on: the p95 when there is one, else the median."""
    return measurements.get("rtt_p95_ms", measurements.get("rtt_p50_ms", 0.0))


def judges_jitter(measurements: dict[str, float]) -> bool:
    """A spread from a handful of pongs says nothing stable: judge it only with a p95."""
    return "rtt_p95_ms" in measurements
