"""What a lab fault can bend, as hooks whose defaults are the faithful Deepgram behaviour.

The handshake routes, the live-stream model and the TLS setup each ask the
active faults (through faults.Faults, which combines them) instead of testing
fault names, so a fault's whole behaviour lives in one small class here and a
new fault is one class plus one row in faults.FAULTS. Stdlib only: the CLI
validates fault specs without loading aiohttp.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...deepgram.closes import ServerClose
from ..actions import Action, Drop, GoSilent, SendJson, SendText

if TYPE_CHECKING:
    import trustme

HOSTILE_TEXT = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='x'\">"
HOSTILE_REASON = "<script>document.title='pwned'</script>\u202e\u0007<img src=x onerror=alert(1)>"
OVERSIZED_HEADER_BYTES = 70_000  # past every client's header-size limit
OVERSIZED_FRAME_BYTES = 2 * 1024 * 1024  # past the usual 1 MiB frame limits
WRONG_HOST = "wrong-host.wsdoctor.invalid"
SLOW_UPLINK_MSS = 1400
SLOW_UPLINK_RECEIVE_BUFFER = 4096  # Linux doubles it for its bookkeeping
UPGRADE_STRIPPED_PAGE = (
    "<!doctype html><html><head><title>Gateway</title></head><body>"
    "<h1>Welcome</h1><p>This page is served by a gateway that removed the Upgrade header.</p>"
    "</body></html>"
)


@dataclass(frozen=True)
class Refusal:
    """An HTTP error answer to the upgrade, with Deepgram's err_code."""

    status: int
    code: str
    message: str


class Fault:
    """One active fault; `value` is its spec's value, or the row's default."""

    def __init__(self, value: str | None = None) -> None:
        self.value = value

    # -- the handshake (endpoints.py) ----------------------------------------------

    def handshake_delay(self) -> float:
        return 0.0

    def replacement_page(self) -> str | None:
        """An HTML page to serve instead of any upgrade, as a misconfigured proxy does."""
        return None

    def rejects_key(self) -> bool:
        return False

    def refusal(self) -> Refusal | None:
        """Refuse a well-formed live request (REST is not affected)."""
        return None

    def error_message(self, message: str) -> str:
        return message

    def response_headers(self, headers: dict[str, str]) -> dict[str, str]:
        return headers

    def answers_close_frames(self) -> bool:
        """False leaves a client's close frame unechoed (aiohttp's autoclose off)."""
        return True

    # -- the live stream (model.py, for each API) -----------------------------------
    # A fault names a failure (a ServerClose); each API's model says it in its own words
    # (v1: the documented close frame; Flux: an Error message, then a close without status).

    def rejects_audio(self) -> ServerClose | None:
        """Checked on every audio frame, before it is counted."""
        return None

    def after_audio(self) -> ServerClose | None:
        """Checked after a frame is counted, so the record shows the audio that triggered it."""
        return None

    def first_audio(self, transcript: Callable[[str], dict[str, Any]]) -> list[Action]:
        """Extra frames sent right after the first audio, ahead of any transcript.
        `transcript(text)` is the API's transcript message (Results, TurnInfo) saying text."""
        return []

    def ignores_close_stream(self) -> bool:
        """True: CloseStream is recorded but the stream goes on, with its own timers off."""
        return False

    def on_close_stream(self) -> Action | None:
        """An ending to use instead of the API's own (v1: final Results, Metadata, 1000)."""
        return None

    def answers_finalize(self) -> bool:
        """False: Finalize gets no Results, as Deepgram documents it may not."""
        return True

    def on_client_close(self) -> Action | None:
        return None

    def timer(self) -> tuple[float, Action] | None:
        """(seconds into the stream, what to do then), whatever the client does."""
        return None

    def answers_pings(self) -> bool:
        return True

    def mutes_results(self, now: float) -> bool:
        """Send no more transcripts (Results, TurnInfo) while the stream stays open, pongs
        included: a stalled recognizer."""
        return False

    def forgets_idle_flow_after(self, window_s: float) -> float | None:
        """Seconds of idleness (as the model counts it) after which a hop in between forgets
        the flow: nothing passes either way from then on, not even NET-0001, and TCP stays
        open. `window_s` is the server's idle window. None: no such hop."""
        return None

    def read_rate(self) -> float | None:
        """Bytes per second the server takes off the socket after the 101 (None: at once)."""
        return None

    def listen_options(self) -> tuple[tuple[int, int, int], ...]:
        """setsockopt arguments for the listening socket, before any client connects."""
        return ()

    def close_reason(self, reason: str) -> str:
        return reason

    # -- TLS (server.py) -----------------------------------------------------------

    def tls_leaf(self, ca: trustme.CA, hosts: tuple[str, ...]) -> trustme.LeafCert | None:
        return None


class TimedFault(Fault):
    @property
    def seconds(self) -> float:
        return float(self.value or 0)


class Auth(Fault):
    def rejects_key(self) -> bool:
        return True


class BadRequest(Fault):
    def refusal(self) -> Refusal:
        return Refusal(400, "Bad Request", "No such model/language/tier combination found.")


class RateLimit(Fault):
    def refusal(self) -> Refusal:
        return Refusal(429, "TOO_MANY_REQUESTS", "Too many requests. Please try again later.")


class UpgradeStripped(Fault):
    def replacement_page(self) -> str:
        return UPGRADE_STRIPPED_PAGE


class SlowHandshake(TimedFault):
    def handshake_delay(self) -> float:
        return self.seconds


class DropOnClose(Fault):
    def on_close_stream(self) -> Action:
        return Drop(reset=False)


class DropAfter(TimedFault):
    def timer(self) -> tuple[float, Action]:
        return self.seconds, Drop(reset=False)


class MuteAfter(TimedFault):
    def mutes_results(self, now: float) -> bool:
        return now >= self.seconds


class ResetAfter(TimedFault):
    def timer(self) -> tuple[float, Action]:
        return self.seconds, Drop(reset=True)


class NoCloseReply(Fault):
    """A server that has stopped processing the stream: it neither ends it nor echoes a close."""

    def answers_close_frames(self) -> bool:
        return False

    def ignores_close_stream(self) -> bool:
        return True

    def on_client_close(self) -> Action:
        return GoSilent()


class NoFinalizeReply(Fault):
    """Deepgram's Finalize doc: the from_finalize reply typically comes when a noticeable
    amount of audio is buffered, so it is not guaranteed."""

    def answers_finalize(self) -> bool:
        return False


class NoPong(Fault):
    def answers_pings(self) -> bool:
        return False


class SilentIdle(Fault):
    """A NAT or stateful firewall that forgets idle flows: after `value` seconds of idleness
    (default: the server's window, so its close frame is the first thing lost) the client
    hears nothing more, pings included, and gets no FIN or RST either."""

    def forgets_idle_flow_after(self, window_s: float) -> float:
        return min(float(self.value), window_s) if self.value else window_s


class DataError(Fault):
    def rejects_audio(self) -> ServerClose:
        return ServerClose.DATA0000


class Net0000(Fault):
    def after_audio(self) -> ServerClose:
        return ServerClose.NET0000


class SlowUplink(Fault):
    """A thin uplink: the client's frames are read at `value` kB/s, so TCP backpressure
    builds in the client as behind a bottleneck link (lab/throttle.py)."""

    def read_rate(self) -> float:
        return float(self.value or 0) * 1000

    def listen_options(self) -> tuple[tuple[int, int, int], ...]:
        """An Ethernet-sized MSS and a small receive buffer, from the SYN on: loopback's
        64 kB segments and a roomy buffer would swallow seconds of audio before any
        backpressure, and make the client's acknowledgements arrive in bursts."""
        return (
            (socket.IPPROTO_TCP, socket.TCP_MAXSEG, SLOW_UPLINK_MSS),
            (socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_UPLINK_RECEIVE_BUFFER),
        )


class Hostile(Fault):
    """Script payloads everywhere a server's text reaches a client's logs or UI."""

    def error_message(self, message: str) -> str:
        return f"{message} {HOSTILE_TEXT}"

    def response_headers(self, headers: dict[str, str]) -> dict[str, str]:
        changed = {**headers, "dg-request-id": f"{headers['dg-request-id']} {HOSTILE_TEXT}"}
        if self.value == "headers":
            changed["x-lab-oversized"] = "A" * OVERSIZED_HEADER_BYTES
        return changed

    def first_audio(self, transcript: Callable[[str], dict[str, Any]]) -> list[Action]:
        if self.value == "frame":
            return [SendText("x" * OVERSIZED_FRAME_BYTES)]
        if self.value != "payloads":
            return []
        return [SendJson(transcript(HOSTILE_TEXT))]

    def close_reason(self, reason: str) -> str:
        return HOSTILE_REASON


class TlsExpired(Fault):
    def tls_leaf(self, ca: trustme.CA, hosts: tuple[str, ...]) -> trustme.LeafCert:
        now = dt.datetime.now(dt.UTC)
        return ca.issue_cert(
            *hosts, not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1)
        )


class TlsWrongHost(Fault):
    def tls_leaf(self, ca: trustme.CA, hosts: tuple[str, ...]) -> trustme.LeafCert:
        return ca.issue_cert(WRONG_HOST)
