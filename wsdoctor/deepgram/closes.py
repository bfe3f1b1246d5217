"""How a Deepgram stream ends: the close codes, the reasons that name them, one classifier.

Sources: Deepgram's "Troubleshooting WebSocket DATA and NET errors when live streaming
audio" and "Recovering from connection errors" docs; the reasons as users met them
(deepgram-python-sdk #319 and #509). Two different faults share code 1011, so a close
is decided by its code *and* its reason: NET-0001 means the client sent nothing in the
idle window, NET-0000 that the server produced nothing in its own. The real service's
reasons do not always start with the tag ("Deepgram did not receive audio data ... See
https://dpgr.am/net0001"), so the tag is looked for anywhere, as the code or the link.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

NORMAL = 1000
NO_STATUS = 1005  # what a client reports for a close frame without a status code
ABNORMAL = 1006  # what a client reports when TCP ended with no close frame
POLICY_VIOLATION = 1008  # Deepgram: DATA-0000
MESSAGE_TOO_BIG = 1009
INTERNAL_ERROR = 1011  # Deepgram: NET-0000 and NET-0001


# The reasons as the lab sends them, in Deepgram's words (at most 123 bytes, as RFC 6455
# allows a close reason).
NET0001_REASON = (
    "NET-0001: Deepgram did not receive audio data or a text message within the timeout "
    "window. See https://dpgr.am/net0001"
)
NET0000_REASON = (
    "NET-0000: Deepgram did not provide a response message within the timeout window. "
    "See https://dpgr.am/net0000"
)
DATA0000_REASON = "DATA-0000: The payload cannot be decoded as audio. See https://dpgr.am/data0000"


class ServerClose(enum.StrEnum):
    """What the server's close frame says, by Deepgram's meaning of it."""

    NORMAL = "normal"  # 1000: the end a clean stream gets
    NET0001 = "net0001"  # 1011: nothing from the client within the idle window
    NET0000 = "net0000"  # 1011: the server sent nothing within its own window
    DATA0000 = "data0000"  # 1008: the audio could not be decoded
    INTERNAL = "internal"  # 1011 with no reason Deepgram documents
    OTHER = "other"  # any other code


@dataclass(frozen=True)
class ErrorCode:
    """One of Deepgram's documented close errors."""

    kind: ServerClose
    tag: str
    code: int
    reason: str  # as the lab sends it, in Deepgram's words
    link: str


ERRORS = {
    e.kind: e
    for e in (
        ErrorCode(
            ServerClose.NET0001,
            "NET-0001",
            INTERNAL_ERROR,
            NET0001_REASON,
            "https://dpgr.am/net0001",
        ),
        ErrorCode(
            ServerClose.NET0000,
            "NET-0000",
            INTERNAL_ERROR,
            NET0000_REASON,
            "https://dpgr.am/net0000",
        ),
        ErrorCode(
            ServerClose.DATA0000,
            "DATA-0000",
            POLICY_VIOLATION,
            DATA0000_REASON,
            "https://dpgr.am/data0000",
        ),
    )
}
_TAG = re.compile(r"(?i)\b(NET|DATA)-?(000[01])\b|dpgr\.am/(net|data)(000[01])")


def reason_tag(reason: str | None) -> ServerClose | None:
    """The documented error a reason names (NET-0001, dpgr.am/net0001, ...), if any."""
    match = _TAG.search(reason or "")
    if match is None:
        return None
    family = (match.group(1) or match.group(3)).upper()
    number = match.group(2) or match.group(4)
    tag = f"{family}-{number}"
    return next((e.kind for e in ERRORS.values() if e.tag == tag), None)


def classify(code: int | None, reason: str | None) -> ServerClose | None:
    """Deepgram's meaning of a close frame from the server; None when there was none.

    The reason's tag counts only with the code Deepgram sends it with: a 1011 naming
    DATA-0000, or a 4000 naming NET-0001, is not what the docs describe.
    """
    if code is None:
        return None
    if code == NORMAL:
        return ServerClose.NORMAL
    tagged = reason_tag(reason)
    if tagged is not None and ERRORS[tagged].code == code:
        return tagged
    return ServerClose.INTERNAL if code == INTERNAL_ERROR else ServerClose.OTHER


def is_idle_timeout(code: int | None, reason: str | None) -> bool:
    return classify(code, reason) is ServerClose.NET0001


def close_of(kind: ServerClose) -> tuple[int, str]:
    """The close frame (code, reason) Deepgram sends for one of its documented errors."""
    error = ERRORS[kind]
    return error.code, error.reason
