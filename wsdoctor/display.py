"""Text helpers shared by the terminal report and the live progress (no report knowledge)."""

from __future__ import annotations

import re

from .model import Status

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional formatting
# characters that can make a terminal or a page show text other than what it holds.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str) -> str:
    """Show control and bidi characters as visible escapes (ESC -> \\x1b), so text from
    the network can never move the cursor, retitle the window or reorder a line."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
