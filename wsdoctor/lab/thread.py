"""Running the lab on its own event loop in a thread, so any client (sync or async) can use it.

The test suite's `serve_lab` fixture and the pytest plugin's `deepgram_lab` both serve
their labs this way: a test's own code may block (deepgram-sdk's sync client) or run
its own event loop, and neither must starve the lab.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from wsdoctor.lab.config import LabConfig
from wsdoctor.lab.faults import Faults
from wsdoctor.lab.server import RunningLab, running_lab


class LabThread:
    def __init__(
        self,
        *faults: str,
        idle: float = 1.0,
        tls: bool = False,
        key: str | None = None,
        config: LabConfig | None = None,
        **serving: Any,
    ):
        """`serving`: running_lab's server options (header_timeout, max_connections);
        `config`, if given, replaces the one built from faults, idle and key."""
        self.config = config or LabConfig(
            idle_timeout=idle, accepted_key=key, faults=Faults.parse(faults)
        )
        self.tls, self.serving = tls, serving
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)
        self.running: RunningLab | None = None
        self.error: BaseException | None = None

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # surfaced to the test in __enter__
            self.error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with running_lab(self.config, tls=self.tls, **self.serving) as running:
            self.running = running
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> RunningLab:
        self._thread.start()
        self._ready.wait(10)
        if self.running is None:
            raise RuntimeError(f"lab did not start: {self.error!r}")
        return self.running

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
