"""`wsdoctor check --lab`: an in-process lab as the target, the offline demo of every check."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterable

from ..context import Settings
from .config import LabConfig
from .faults import Faults
from .server import running_lab

# Short enough for a brisk demo, long enough to tell the server's close from a drop.
DEMO_IDLE_S = 2.0
DEMO_KEY = "wsdoctor-lab-demo-key"
SHUTDOWN_S = 0.05


@contextlib.asynccontextmanager
async def lab_target(
    fault_specs: Iterable[str],
    settings: Settings,
    idle_s: float = DEMO_IDLE_S,
    url: str | None = None,
) -> AsyncIterator[tuple[str, Settings, str]]:
    """Yield the lab's URL (with `url`'s path and query, if given), settings adjusted to
    it, and the key it accepts."""
    faults = Faults.parse(fault_specs)
    config = LabConfig(idle_timeout=idle_s, faults=faults)
    # Its only clients are wsdoctor's own checks, already ended: shutting down must not
    # wait for a handler (say, slow-handshake's sleep) past the run's --timeout.
    async with running_lab(config, shutdown_timeout=SHUTDOWN_S) as lab:
        adjusted = dataclasses.replace(
            settings,
            server_idle_s=idle_s,
            idle_max_s=min(settings.idle_max_s, idle_s + 3),
            ca_file=lab.ca_file or settings.ca_file,
            proxy="none",
        )
        yield (lab.serving(url) if url else lab.url), adjusted, DEMO_KEY
