"""One profile per Deepgram live API: what a client sends, what holds a stream, how it ends.

Everything that judges or emulates a stream asks its profile rather than assuming
`/v1/listen`, so a second API (Flux, `/v2/listen`) is a second profile, not `if`
statements through the checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from . import closes, messages


@dataclass(frozen=True)
class ApiProfile:
    name: str
    path: str
    client_messages: frozenset[str]  # the control messages a client may send
    server_messages: frozenset[str]  # the message types the server sends
    transcript_message: str  # the message that carries transcripts
    idle_window_s: float  # documented: no audio (or, after audio, no text) this long closes
    idle_close: closes.ServerClose  # how the server ends an idle stream
    keepalive: str | None  # the text message that holds an idle stream; None: pings do
    keepalive_every_s: tuple[float, float]  # the pace Deepgram recommends (low, high)
    keepalive_needs_audio: bool  # KeepAlive holds the timer only once audio has arrived
    close_request: str  # what asks the server to finish and close
    final_message: str | None  # the last message before a clean close
    clean_close_code: int | None  # the code of a clean end (None: a close without status)

    def knows(self, kind: str | None) -> bool:
        """A control message this API documents (an unknown one is the app's mistake)."""
        return kind in self.client_messages


# /v1/listen (Nova and earlier models). Sources: "Audio Keep Alive" (10 s window;
# KeepAlive every 3-5 s; it does not hold a stream that never had audio: "Troubleshooting
# WebSocket DATA and NET errors"), "Close Stream" (finals, then Metadata, then 1000),
# "Finalize", "Configure"; the listen.v1 AsyncAPI spec for the message types. About 12 s
# was observed in the field (deepgram-python-sdk #632); the documented 10 s is used.
V1 = ApiProfile(
    name="v1",
    path="/v1/listen",
    client_messages=frozenset(
        {messages.KEEPALIVE, messages.FINALIZE, messages.CLOSE_STREAM, messages.CONFIGURE}
    ),
    server_messages=frozenset(
        {messages.RESULTS, messages.METADATA, messages.SPEECH_STARTED, messages.UTTERANCE_END}
    ),
    transcript_message=messages.RESULTS,
    idle_window_s=10.0,
    idle_close=closes.ServerClose.NET0001,
    keepalive=messages.KEEPALIVE,
    keepalive_every_s=(3.0, 5.0),
    keepalive_needs_audio=True,
    close_request=messages.CLOSE_STREAM,
    final_message=messages.METADATA,
    clean_close_code=closes.NORMAL,
)

PROFILES = (V1,)


def profile_for(url_or_path: str) -> ApiProfile | None:
    """The API a URL (or path) talks to; None for a path Deepgram does not serve live."""
    path = urlsplit(url_or_path).path if "://" in url_or_path else url_or_path
    path = path.rstrip("/") or "/"
    return next((p for p in PROFILES if p.path == path), None)
