"""What the lab's stream model decides to do: actions out, performed by the aiohttp adapter.

Plain frozen values, so the model's tests compare its decisions with `==`. The
events that drive the model are the client's frames (`observe/events.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SendJson:
    message: dict[str, Any]


@dataclass(frozen=True)
class SendText:
    """Raw text, for frames that are not a JSON message (e.g. an oversized one)."""

    text: str


@dataclass(frozen=True)
class Close:
    """Send a close frame and finish the closing handshake. Code None: a close frame without
    a status code (and so without a reason), which clients report as 1005: how Flux ends."""

    code: int | None
    reason: str


@dataclass(frozen=True)
class EchoClose:
    """Answer the client's close frame with its own code (None: none) and end TCP, where
    the WebSocket does not echo by itself (Flux streams: their own closes carry no code)."""

    code: int | None


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


Action = SendJson | SendText | Close | EchoClose | Drop | Pong | GoSilent
