"""What a client did on a live stream, frame by frame: the events both the lab and the audit read.

Plain frozen values with no aiohttp and no lab configuration, so that anything
that sees the client's frames (the lab's aiohttp adapter, or the audit's relay in
front of the real service) can feed the lab's stream model and the observer alike.
"""

from __future__ import annotations

from dataclasses import dataclass


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
