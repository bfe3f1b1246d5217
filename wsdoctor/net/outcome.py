"""How a live stream ended, as seen by the client: what LiveSession records and
checks/closure.py judges. A plain value, so the judging is testable without a socket."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..deepgram.messages import METADATA
from ..deepgram.profiles import V1, ApiProfile


@dataclass
class Outcome:
    """How a stream ended, as seen by the client. Times are seconds since the 101."""

    closed: bool = False
    closed_at_s: float | None = None
    rcvd_code: int | None = None
    rcvd_reason: str | None = None
    sent_code: int | None = None
    sent_reason: str | None = None
    server_closed_first: bool | None = None
    underlying: str | None = None  # what broke the TCP connection, e.g. "EOFError"
    message: str = ""  # websockets' own text, e.g. "no close frame received or sent"
    message_types: list[str] = field(default_factory=list)  # the most recent ones
    counts: dict[str, int] = field(default_factory=dict)  # every message, by type
    audio_query_added: str = ""  # what wsdoctor added to a URL that declared no encoding
    profile: ApiProfile = V1  # the API the stream spoke: what a clean end looks like
    server_error: str | None = None  # a fatal error message's code and description (Flux)

    def saw(self, kind: str) -> bool:
        """Whether the server sent a message of this type."""
        return self.counts.get(kind, 0) > 0 or kind in self.message_types

    @property
    def metadata_seen(self) -> bool:
        return self.saw(METADATA)

    def evidence(self) -> dict[str, Any]:
        data = {
            "close_code_received": self.rcvd_code,
            "close_reason_received": self.rcvd_reason,
            "server_error": self.server_error,
            "close_code_sent": self.sent_code,
            "websockets_says": self.message or None,
            "underlying_error": self.underlying,
            "server_messages": ", ".join(self.message_types[-6:]) or None,
            "audio_query_added": self.audio_query_added or None,
        }
        return {k: v for k, v in data.items() if v is not None}
