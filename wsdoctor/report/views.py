"""Report -> the figures people read: the connection waterfall and the stream timeline.

Pure arithmetic over what checks contributed (Phase and Span values), so any
check, a plugin's included, appears without the renderers knowing its id.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..deepgram.messages import KEEPALIVE
from ..model import Mark, Report


@dataclass(frozen=True)
class Bar:
    label: str
    start: float
    length: float
    note: str = ""
    status: str = "pass"


def waterfall(report: Report) -> list[Bar]:
    """Each check's phases, each starting where its last ended; labelled by check if several."""
    bars: list[Bar] = []
    contributors = [e for e in report.checks if e.result.phases]
    for entry in contributors:
        clock = 0.0
        prefix = f"{entry.id}: " if len(contributors) > 1 else ""
        for phase in entry.result.phases:
            bars.append(Bar(prefix + phase.label, clock, phase.ms, f"{phase.ms:.1f} ms"))
            clock += phase.ms
    return bars


def stream_timeline(report: Report) -> list[Bar]:
    """How long each contributed stream lived, in seconds since its 101."""
    return [
        Bar(span.label, 0.0, span.seconds, f"{span.seconds:.1f} s", entry.status.value)
        for entry in report.checks
        for span in entry.result.spans
    ]


def scale(bars: list[Bar], width: float) -> tuple[float, list[tuple[Bar, float, float]]]:
    """(axis maximum, [(bar, x, w)]) for drawing `bars` in `width` units."""
    top = max((b.start + b.length for b in bars), default=0.0) or 1.0
    return top, [(b, b.start / top * width, max(b.length / top * width, 1.0)) for b in bars]


LANES = ("audio", KEEPALIVE, "control", "server", "close / drop")
LANE_OF = {"audio": 0, "keepalive": 1, "control": 2, "server": 3, "client-close": 4,
           "server-close": 4, "drop": 4}  # fmt: skip


@dataclass(frozen=True)
class Glyph:
    """One drawn mark: its lane (None: a band across all lanes), x, width and what it says."""

    lane: int | None
    x: float
    w: float
    kind: str
    label: str


def session_chart(marks: tuple[Mark, ...], width: float) -> tuple[float, list[Glyph]]:
    """(seconds on the axis, glyphs) for one audited connection's timeline."""
    top = max((m.until if m.until is not None else m.at for m in marks), default=0.0) or 1.0
    glyphs = []
    for mark in marks:
        x = mark.at / top * width
        w = max(((mark.until or mark.at) - mark.at) / top * width, 2.0)
        lane = None if mark.kind == "idle" else LANE_OF.get(mark.kind, 2)
        label = f"{mark.at:.2f} s: {mark.label}" if mark.label else f"{mark.at:.2f} s"
        glyphs.append(Glyph(lane, x, w, mark.kind, label))
    return top, glyphs


@dataclass(frozen=True)
class RttChart:
    """A watch run drawn: RTT as a line, drops as ticks, silent stalls as bands."""

    seconds: float  # the x axis
    top_ms: float  # the y axis
    line: str  # SVG polyline points
    drops: tuple[tuple[float, str], ...]  # (x, label)
    stalls: tuple[tuple[float, float, str], ...]  # (x, width, label)


def rtt_chart(marks: tuple[Mark, ...], width: float, height: float) -> RttChart | None:
    """None when the marks hold no RTT samples (an audited connection's timeline)."""
    rtt = [m for m in marks if m.kind == "rtt" and m.value is not None]
    if not rtt:
        return None
    seconds = max((m.until or m.at) for m in marks) or 1.0
    top = max(m.value for m in rtt if m.value is not None) * 1.1 or 1.0
    points = " ".join(
        f"{m.at / seconds * width:.1f},{height - (m.value or 0) / top * height:.1f}" for m in rtt
    )
    drops = tuple((m.at / seconds * width, f"{m.at:.0f} s: {m.label}")
                  for m in marks if m.kind == "drop")  # fmt: skip
    stalls = tuple(
        (m.at / seconds * width, max(((m.until or m.at) - m.at) / seconds * width, 2.0),
         f"{m.at:.0f} s: silent {m.label}")
        for m in marks if m.kind == "stall"
    )  # fmt: skip
    return RttChart(seconds, top, points, drops, stalls)
