"""Text helpers shared by the terminal report and the live progress (no report knowledge)."""

from __future__ import annotations

from .model import Status

GLYPHS = {
    Status.PASS: ("✓", "32"),
    Status.WARN: ("!", "33"),
    Status.FAIL: ("✗", "31"),
    Status.SKIP: ("-", "2"),
    Status.ERROR: ("E", "35"),
}


def paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def glyph(status: Status, color: bool) -> str:
    mark, code = GLYPHS[status]
    return paint(f"[{mark}]", code, color)


def format_duration(ms: float, status: Status) -> str:
    if status is Status.SKIP and ms == 0:
        return "-"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
