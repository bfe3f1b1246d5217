"""Causes for the habits `wsdoctor audit` found in real apps and SDK issue trackers (`client.*`):
refusals, no recovery after a drop, blocked loops, headerless container streams, and waits
without a deadline. Kept apart from client.py only for size; client.py merges them.
"""

from __future__ import annotations

from . import IMPROPER_HANDLING as _HANDLING
from .entry import CauseEntry

_AUDIT_AGAIN = "Run wsdoctor audit again with the fix to see the finding gone."

HABIT_CAUSES: dict[str, CauseEntry] = {
    "client.upgrade_refused": {
        "title": "The server refused the app's connection",
        "meaning": "The WebSocket upgrade was answered with an HTTP error (or a web page) instead of 101, so the app never had a stream. The status and Deepgram's dg-error header say why: 400 a bad parameter, 401 a bad key, 403 a key without permission, 404 a wrong path, 429 too many streams.",
        "steps": [
            "Read the dg-error in the finding and fix the request: the URL's parameters (400, 404), the key or its scheme (401, 403).",
            "Log the status and dg-error when an upgrade fails, so the next refusal explains itself.",
            "For 429, reduce concurrent streams or back off before retrying.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["troubleshooting", "rate_limits"],
    },
    "client.no_reconnect": {
        "title": "The app does not recover from a dropped stream",
        "meaning": "The server ended a stream (a dropped connection, a reset, an error close) and the app neither opened a new one nor kept going: it exited, often with the very error users report ('no close frame received or sent'). Streams do drop; an app without reconnect logic loses everything after the first drop.",
        "steps": [
            "Catch the connection error (websockets' ConnectionClosedError, the SDK's Error/Close event) instead of letting it end the process.",
            "Reconnect with a short, growing backoff and resume sending audio, keeping what was captured meanwhile.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["recovery", "troubleshooting"],
    },
    "client.loop_blocked": {
        "title": "The app's event loop stalls",
        "meaning": "The app sent nothing at all for a while and then caught up: its KeepAlive came late against its own rhythm, or queued audio rushed out at once. That is what a blocked event loop looks like on the wire (a blocking call such as time.sleep or a synchronous HTTP request inside a coroutine, or long CPU work). Results arrive late, and a stall as long as the idle window ends the stream with NET-0001 even with KeepAlive switched on.",
        "steps": [
            "Move blocking work off the event loop: asyncio.to_thread() or an executor for blocking calls, async libraries for I/O.",
            "Run asyncio in debug mode (PYTHONASYNCIODEBUG=1) to log callbacks that hold the loop too long.",
            "Send audio and KeepAlive from a task that nothing else can block.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["keepalive", "troubleshooting"],
        "explains": [
            "client.idle_gap",
            "client.no_close_stream",
            "client.bursty_audio",
            "client.slow_audio",
        ],
    },
    "client.container_header_missing": {
        "title": "A container stream starts without its header",
        "meaning": "The stream's first frame is a WebM or Ogg chunk from the middle of a recording. Browser MediaRecorder writes the container header once, in its first chunk; a stream that starts with a later chunk (after a reconnect, or because the first chunk went out before the socket opened) cannot be decoded, and Deepgram answers with silence or NET-0000.",
        "steps": [
            "Start a new MediaRecorder (or encoder) for each new stream, so its first chunk with the header goes first.",
            "Start recording in the socket's open handler, or hold chunks until the socket is open.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["troubleshooting"],
    },
    "client.audio_before_open": {
        "title": "The app's first audio was produced before the socket opened",
        "meaning": "The session's first stream began with a headerless container chunk and no stream ever got the header: the recorder started before the socket was open, and its first chunk, which alone carries the header, was dropped. What the audit can see is the header; for raw audio, audio dropped before the open leaves no trace on the wire (a stream that begins mid-word looks like one that begins at a word).",
        "steps": [
            "Start the recorder in the socket's open handler, or buffer chunks until the socket is open and send them in order.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["troubleshooting"],
        "explains": ["client.container_header_missing"],
    },
    "client.no_close_deadline": {
        "title": "The app waits forever after CloseStream",
        "meaning": "The app sent CloseStream and then stayed connected, waiting for the server's answer with no timeout. Deepgram normally answers with the final Results, the Metadata and a close frame, but names no time for it; when the answer does not come (an overloaded or broken path), the app hangs, often still sending KeepAlive.",
        "steps": [
            "Wait for the server's close after CloseStream with a deadline of a few seconds (asyncio.wait_for, or asyncio.wait with a timeout), then close the socket yourself.",
            "Stop the KeepAlive task when you send CloseStream.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["closestream"],
    },
    "client.keepalive_after_close_stream": {
        "title": "The app sends KeepAlive after CloseStream",
        "meaning": "KeepAlive messages arrived after CloseStream: the task sending them was not stopped when the stream was ending. It is harmless while the server answers, and a sign that the app's tasks outlive its streams.",
        "steps": [
            "Cancel the KeepAlive task before or when you send CloseStream.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["keepalive", "closestream"],
    },
    "client.finalize_wait": {
        "title": "The app waits for a Finalize reply that may never come",
        "meaning": "The app sent Finalize and then sent nothing more (no audio, no CloseStream) while it waited for the Results with from_finalize. Deepgram documents that reply as typical only when a noticeable amount of audio is buffered, so it is not guaranteed; an app that waits for it without a timeout hangs, and its stream ends with NET-0001.",
        "steps": [
            "Wait for the from_finalize reply with a timeout of a second or two, then carry on (send more audio, or CloseStream).",
            "Keep sending KeepAlive (or audio) while you wait.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["finalize"],
        "explains": ["client.idle_gap", "client.no_close_stream"],
    },
}
