"""What each client did on a lab connection: the raw material for auditing client code.

A record holds observations only (times are seconds since the upgrade); judging
whether the client behaved well is left to whoever reads it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ClientRecord:
    request_id: str
    path: str
    query: str
    auth: str  # "token", "bearer", "subprotocol", "none"
    status: int = 101  # the handshake answer
    messages: list[dict[str, Any]] = field(default_factory=list)
    audio_bytes: int = 0
    audio_s: float = 0.0
    keepalive_at: list[float] = field(default_factory=list)
    close_stream_sent: bool = False
    finalize_count: int = 0
    pings: int = 0
    client_close_code: int | None = None
    server_close_code: int | None = None
    server_close_reason: str | None = None
    first_close: str | None = None  # "client", "server" or None (nobody sent a close frame)
    tcp_end: str | None = None  # "close-handshake", "client-eof", "lab-drop", "lab-reset"
    duration_s: float = 0.0
    faults: str = "none"

    def note(self, at: float, kind: str, **details: Any) -> None:
        self.messages.append({"t": round(at, 3), "kind": kind, **details})

    @property
    def keepalive_gaps_s(self) -> list[float]:
        times = self.keepalive_at
        return [round(b - a, 3) for a, b in itertools.pairwise(times)]

    def to_json(self) -> str:
        data = asdict(self)
        data["keepalive_gaps_s"] = self.keepalive_gaps_s
        return json.dumps(data, sort_keys=True)
