"""How a lab is set up, in its own module so the routes, the server and the callers
(`wsdoctor check --lab`, `wsdoctor lab serve`, tests) share it without import cycles
and without loading aiohttp."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..deepgram.profiles import ApiProfile
from ..observe.record import ClientRecord
from .faults import Faults


@dataclass
class LabConfig:
    idle_timeout: float | None = None  # the idle window of every API; None: each API's own
    accepted_key: str | None = None  # None: any non-empty key
    faults: Faults = field(default_factory=Faults)
    on_record: Callable[[ClientRecord], None] | None = None  # called as each connection ends
    records_kept: int = 1000  # finished records held in memory, newest last
    finalize_s: float = 0.0  # how long the answer to CloseStream takes (the audit: 0.25)
    on_key: Callable[[str], None] | None = None  # told each key a client presents (redaction)

    def idle_window(self, profile: ApiProfile) -> float:
        """The window a stream of `profile`'s API gets: the lab's, else the API's (v1: the
        documented 10 s; Flux: the reported 60 s)."""
        return profile.idle_window_s if self.idle_timeout is None else self.idle_timeout
