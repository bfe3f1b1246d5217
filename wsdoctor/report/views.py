"""Report -> the figures people read: the connection waterfall and the stream timeline.

Pure arithmetic over measurements, shared by the HTML renderer (and testable
without it). Lengths are in the measurements' own units; renderers scale them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Report

# (measurement in the handshake check, label), in the order the phases happen.
PHASES = (
    ("dns_ms", "DNS"),
    ("tcp_ms", "TCP"),
    ("proxy_connect_ms", "Proxy CONNECT"),
    ("tls_ms", "TLS"),
    ("upgrade_ms", "Upgrade (101)"),
    ("first_frame_ms", "First server frame"),
)


@dataclass(frozen=True)
class Bar:
    label: str
    start: float
    length: float
    note: str = ""
    status: str = "pass"


def waterfall(report: Report) -> list[Bar]:
    """Connection phases from the handshake check, each starting where the last ended."""
    entry = report.entry("handshake")
    if entry is None:
        return []
    measured = entry.result.measurements
    bars, clock = [], 0.0
    for key, label in PHASES:
        if key in measured:
            length = float(measured[key])
            bars.append(Bar(label, clock, length, f"{length:.1f} ms"))
            clock += length
    return bars


def stream_timeline(report: Report) -> list[Bar]:
    """How long each stream check's stream lived, in seconds since its 101."""
    spans = (
        ("idle_timeout", "idle_close_s", "Idle stream"),
        ("keepalive", "held_s", "With KeepAlive"),
        ("close_frame", "close_after_audio_s", "Audio, then CloseStream"),
        ("stability", "dropped_at_s", "Real-time audio (dropped)"),
    )
    bars = []
    for check_id, key, label in spans:
        entry = report.entry(check_id)
        if entry is None or key not in entry.result.measurements:
            continue
        seconds = float(entry.result.measurements[key])
        bars.append(Bar(label, 0.0, seconds, f"{seconds:.1f} s", entry.status.value))
    return bars


def scale(bars: list[Bar], width: float) -> tuple[float, list[tuple[Bar, float, float]]]:
    """(axis maximum, [(bar, x, w)]) for drawing `bars` in `width` units."""
    top = max((b.start + b.length for b in bars), default=0.0) or 1.0
    return top, [(b, b.start / top * width, max(b.length / top * width, 1.0)) for b in bars]
