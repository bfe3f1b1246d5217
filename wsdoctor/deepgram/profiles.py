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
    held_by_pings: bool  # WebSocket pings hold the idle timer
    idle_window_documented: bool  # False: a reported value, measured rather than trusted
    connected_message: str | None  # the message the server sends first, if any
    close_request: str  # what asks the server to finish and close
    final_message: str | None  # the last message before a clean close
    clean_close_code: int | None  # the code of a clean end (None: a close without status)
    empty_frame_closes: bool  # an empty binary frame asks for the end, as close_request does
    unknown_text_is_fatal: bool  # a text frame that is no client message ends the stream
    error_message: str | None  # the message a fatal error comes in before the close, if any

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
    held_by_pings=False,
    idle_window_documented=True,
    connected_message=None,
    close_request=messages.CLOSE_STREAM,
    final_message=messages.METADATA,
    clean_close_code=closes.NORMAL,
    empty_frame_closes=True,  # the legacy CloseStream
    unknown_text_is_fatal=False,
    error_message=None,  # v1 says it in the close frame's reason
)

# /v2/listen (Flux, model=flux-general-en or -multi). Sources: Deepgram's Flux docs
# (quickstart, state, close-stream, force-end-turn, migration) and the listen.v2 AsyncAPI
# spec. After CloseStream the server sends the Updates it still has, no EndOfTurn and no
# Metadata, then closes without a status code (the client sees 1005). What holds an idle
# stream is a report, not documentation: a Deepgram engineer advised WebSocket pings, with
# a "timeout is 60s" (deepgram-python-sdk #618); a JSON KeepAlive, which is no v2 message,
# made Flux close with 1005 (#649), as other fatal errors do: an Error message, then a close
# without status (pipecat #3463). So the window is measured, never trusted. An empty binary
# frame means nothing documented on v2 (the lab takes it as no audio).
FLUX = ApiProfile(
    name="flux",
    path="/v2/listen",
    client_messages=frozenset({messages.CLOSE_STREAM, messages.CONFIGURE, messages.FORCE_END_TURN}),
    server_messages=frozenset(
        {
            messages.CONNECTED,
            messages.TURN_INFO,
            messages.CONFIGURE_SUCCESS,
            messages.CONFIGURE_FAILURE,
            messages.ERROR,
            messages.WARNING,
        }
    ),
    transcript_message=messages.TURN_INFO,
    idle_window_s=60.0,
    idle_close=closes.ServerClose.NET0001,
    keepalive=None,
    keepalive_every_s=(5.0, 20.0),  # pings: well inside the reported 60 s
    keepalive_needs_audio=False,
    held_by_pings=True,
    idle_window_documented=False,
    connected_message=messages.CONNECTED,
    close_request=messages.CLOSE_STREAM,
    final_message=None,
    clean_close_code=None,
    empty_frame_closes=False,
    unknown_text_is_fatal=True,
    error_message=messages.ERROR,  # then a close without status, like a clean end
)

PROFILES = (V1, FLUX)


def profile_for(url_or_path: str) -> ApiProfile | None:
    """The API a URL (or path) talks to; None for a path Deepgram does not serve live."""
    path = urlsplit(url_or_path).path if "://" in url_or_path else url_or_path
    path = path.rstrip("/") or "/"
    return next((p for p in PROFILES if p.path == path), None)
