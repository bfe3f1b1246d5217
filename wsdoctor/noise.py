"""Keeping library noise off the user's terminal, without losing it.

asyncio callbacks and library loggers sometimes print tracebacks that have
nothing to do with the diagnosis (websockets 17, for one, when TLS verification
fails through an HTTP proxy). While checks run, such output is captured here and
kept for the report's environment section, shown with -v.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Iterator
from typing import Any

MAX_KEPT = 50


class NoiseTrap(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.lines: list[str] = []

    def keep(self, text: str) -> None:
        if len(self.lines) < MAX_KEPT:
            self.lines.append(text.rstrip())

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.keep(text)

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        text = str(context.get("message", "asyncio callback error"))
        exc = context.get("exception")
        if exc is not None:
            text += "\n" + "".join(traceback.format_exception(exc))
        self.keep(text)

    @contextlib.contextmanager
    def installed(self) -> Iterator[NoiseTrap]:
        """Capture library logging (WARNING and up) for the duration of a run."""
        root = logging.getLogger()
        root.addHandler(self)
        try:
            yield self
        finally:
            root.removeHandler(self)

    def watch_loop(self) -> None:
        asyncio.get_running_loop().set_exception_handler(self.loop_handler)
