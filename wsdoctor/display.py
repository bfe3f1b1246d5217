"""Text helpers shared by the terminal report and the live progress (no report knowledge)."""

from __future__ import annotations

import re

from .model import Status

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional formatting
# characters that can make a terminal or a page show text other than what it holds;
# also surrogates and the noncharacters (U+FDD0-FDEF, U+xFFFE/xFFFF), which XML forbids.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
    "|[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)


def neutralise(text: str) -> str:
    """Show control and bidi characters as visible escapes (ESC -> \\x1b), so text from
    the network can never move the cursor, retitle the window or reorder a line."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


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
