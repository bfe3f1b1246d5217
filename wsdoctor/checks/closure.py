"""classify_close: what the end of a stream means, from the client's record alone (pure).

The rules follow what python-websockets reports on the wire (observed with 17.4):
no close frame either way is a cut connection (FIN shows as EOFError, RST as
ConnectionResetError); a close the client sent that was never answered is an
unresponsive peer; a keepalive ping timeout is a dead or blocked path; and a
1000 after CloseStream counts as Deepgram's only when Metadata came first,
because an intercepting proxy that loses its upstream invents a bare 1000.
"""

from __future__ import annotations

import enum

from ..deepgram.closes import NO_STATUS, NORMAL, is_idle_timeout
from ..net.session import Outcome


class Closure(enum.StrEnum):
    STILL_OPEN = "still_open"
    CLEAN = "clean"  # the server closed 1000 after Metadata
    BARE_1000 = "bare_1000"  # a 1000 close without Metadata before it
    NET0001 = "net0001"  # Deepgram's idle timeout
    SERVER_ERROR = "server_error"  # any other close code from the server
    NO_CLOSE_FRAME = "no_close_frame"  # TCP ended, no close frame either way
    NO_CLOSE_REPLY = "no_close_reply"  # the client's close frame was never answered
    PING_TIMEOUT = "ping_timeout"  # the client's keepalive ping got no pong
    CLIENT_ERROR = "client_error"  # the client failed the connection (e.g. 1009 too big)
    CLIENT_CLOSED = "client_closed"  # the client closed and the server echoed


def classify_close(outcome: Outcome) -> Closure:
    if not outcome.closed:
        return Closure.STILL_OPEN
    if outcome.rcvd_code is None:
        if outcome.sent_code is None:
            return Closure.NO_CLOSE_FRAME
        if "keepalive ping timeout" in (outcome.sent_reason or ""):
            return Closure.PING_TIMEOUT
        return Closure.NO_CLOSE_REPLY if outcome.sent_code == NORMAL else Closure.CLIENT_ERROR
    if outcome.server_closed_first is False:
        return Closure.CLIENT_CLOSED if outcome.sent_code == NORMAL else Closure.CLIENT_ERROR
    if is_idle_timeout(outcome.rcvd_code, outcome.rcvd_reason):
        return Closure.NET0001
    return _server_closed(outcome)


def _server_closed(outcome: Outcome) -> Closure:
    """A close the server sent first: clean as its API ends a stream, or an error. Flux ends
    with no status code (seen as 1005) and sends no final message; v1 ends 1000 after
    Metadata, and a bare 1000 is what a proxy that lost its upstream invents."""
    profile = outcome.profile
    clean = {NORMAL, NO_STATUS} if profile.clean_close_code is None else {NORMAL}
    if outcome.rcvd_code not in clean or outcome.server_error is not None:
        return Closure.SERVER_ERROR  # Flux closes a fatal error as it closes a clean end
    if profile.final_message is None or outcome.saw(profile.final_message):
        return Closure.CLEAN
    return Closure.BARE_1000


def against_window(seconds: float, window_s: float) -> str:
    """Where a close time falls against the server's idle window, without claiming more
    precision than the measurement has: within a tolerance it is "at about" the window,
    so a close at 1.96 s is never shown as "2.0 s, before the server's 2 s window"."""
    tolerance = max(0.1, window_s * 0.05)
    if seconds < window_s - tolerance:
        return f"{window_s - seconds:.1f} s before the server's {window_s:g} s idle window"
    if seconds > window_s + tolerance:
        return f"{seconds - window_s:.1f} s after the server's {window_s:g} s idle window"
    return f"at about the server's {window_s:g} s idle window"


def describe(outcome: Outcome) -> str:
    """One human line: the close frames, or what websockets said."""
    if outcome.rcvd_code is not None:
        reason = f" {outcome.rcvd_reason}" if outcome.rcvd_reason else ""
        error = f" after Error {outcome.server_error}" if outcome.server_error else ""
        return f"server closed {outcome.rcvd_code}{reason}{error}"
    return outcome.message or "connection ended"
