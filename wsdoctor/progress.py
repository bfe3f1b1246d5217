"""Live progress on a terminal, so a 12-second idle check never looks like a hang.

Only used when stderr is a TTY and NO_COLOR is unset; CI logs get the final report alone.
"""

from __future__ import annotations

import asyncio
import time
from typing import TextIO

from .display import format_duration, glyph
from .model import CheckResult

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TICK_S = 0.1


class LiveProgress:
    """Prints a line per finished check and keeps a redrawn block of the running ones."""

    def __init__(self, stream: TextIO, titles: dict[str, str], color: bool = True) -> None:
        self.stream = stream
        self.titles = titles
        self.color = color
        self.running: dict[str, float] = {}
        self._drawn = 0
        self._frame = 0
        self._width = max((len(i) for i in titles), default=4)

    def __call__(self, event: str, check_id: str, result: CheckResult | None) -> None:
        if event == "start":
            self.running[check_id] = time.monotonic()
            return
        self.running.pop(check_id, None)
        if result is not None:
            self._erase()
            duration = format_duration(result.duration_ms, result.status)
            mark = glyph(result.status, self.color)
            line = f" {mark} {check_id:<{self._width}} {duration:>8}  {result.summary}"
            self.stream.write(line + "\n")
            self._draw()

    async def tick(self) -> None:
        while True:
            self._erase()
            self._draw()
            self._frame += 1
            await asyncio.sleep(TICK_S)

    def close(self) -> None:
        self._erase()
        self.stream.flush()

    def _draw(self) -> None:
        now = time.monotonic()
        spin = SPINNER[self._frame % len(SPINNER)]
        for check_id, started in self.running.items():
            title = self.titles.get(check_id, "")
            elapsed = f"{now - started:.1f} s"
            self.stream.write(f" [{spin}] {check_id:<{self._width}} {elapsed:>8}  {title}…\n")
        self._drawn = len(self.running)
        self.stream.flush()

    def _erase(self) -> None:
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
            self._drawn = 0
