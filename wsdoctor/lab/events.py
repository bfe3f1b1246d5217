"""The vocabulary between a live stream's logic and its socket: events in, actions out.

Plain frozen values with no aiohttp and no lab configuration, so that anything
that can produce the client's frames (the lab's aiohttp adapter, or a relay
replaying recorded frames) can drive the same model, and tests can compare
what the model decided with `==`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ---------------------------------------------------------------------- events in


@dataclass(frozen=True)
class Audio:
    """A binary frame; an empty one is the legacy way to say CloseStream."""

    data: bytes


@dataclass(frozen=True)
class Text:
    """A text frame, raw: the model decides whether it is JSON it understands."""

    text: str


@dataclass(frozen=True)
class Ping:
    data: bytes


@dataclass(frozen=True)
class ClientClose:
    """The client's close frame (code None: a close frame without a status code)."""

    code: int | None
    reason: str = ""


@dataclass(frozen=True)
class ClientGone:
    """TCP ended (EOF, reset, or a protocol error) without the model asking for it."""


@dataclass(frozen=True)
class Tick:
    """The clock reached a deadline the model asked for; no frame arrived."""


Event = Audio | Text | Ping | ClientClose | ClientGone | Tick

# ---------------------------------------------------------------------- actions out


@dataclass(frozen=True)
class SendJson:
    message: dict[str, Any]


@dataclass(frozen=True)
class SendText:
    """Raw text, for frames that are not a JSON message (e.g. an oversized one)."""

    text: str


@dataclass(frozen=True)
class Close:
    """Send a close frame and finish the closing handshake."""

    code: int
    reason: str


@dataclass(frozen=True)
class Drop:
    """End TCP without a close frame: a FIN, or with `reset` an RST (SO_LINGER 0)."""

    reset: bool


@dataclass(frozen=True)
class Pong:
    data: bytes


@dataclass(frozen=True)
class GoSilent:
    """Stop answering but keep TCP open until the client leaves (then feed ClientGone)."""


Action = SendJson | SendText | Close | Drop | Pong | GoSilent
