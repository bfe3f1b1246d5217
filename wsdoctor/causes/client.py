"""Causes for what `wsdoctor audit` sees the user's own application do (`client.*`).

The article's first cause, improper connection handling, lives in the user's code;
these entries say what each mistake looks like from the wire and how to fix it.
"""

from __future__ import annotations

from .client_habits import _AUDIT_AGAIN, _HANDLING, HABIT_CAUSES
from .entry import CauseEntry

CLIENT_CAUSES: dict[str, CauseEntry] = {
    "client.no_close_stream": {
        "title": "The app ends streams without CloseStream",
        "meaning": "The app stopped (closed the socket, exited, or went quiet until the server gave up) without sending CloseStream. The transcripts of its last audio and the final Metadata were never asked for, and on the app's side the connection often ends in 'no close frame received' or NET-0001.",
        "steps": [
            'When the audio ends, send the text frame {"type": "CloseStream"} (in the SDKs: finish() / send_close_stream()).',
            "Then keep reading until the server's close frame arrives, and only then let the process exit.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["closestream", "troubleshooting"],
    },
    "client.closed_before_final": {
        "title": "The app closes before the final results arrive",
        "meaning": "The app sent CloseStream and then closed the connection within a moment, before the server had sent the final Results, the Metadata and its close frame (the Go SDK's Stop() closes 100 ms after CloseStream). The last words are lost, and the app's WebSocket library reports 'no close frame received or sent'.",
        "steps": [
            "After CloseStream, keep receiving until the server closes the connection (the Metadata message comes just before its close frame).",
            "Put a deadline of a few seconds on that wait, not zero.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["closestream"],
    },
    "client.no_close_frame": {
        "title": "The app drops the connection without a close frame",
        "meaning": "The app's TCP connection ended and no WebSocket close frame came from it: a process killed or exiting, or a socket closed underneath the WebSocket. The server sees an abnormal closure (1006).",
        "steps": [
            "Close the WebSocket (await ws.close() or the SDK's finish()) before the process exits, in a finally block or a shutdown handler.",
            "Handle SIGTERM so that a stopping container still closes its streams.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["closestream"],
    },
    "client.idle_gap": {
        "title": "The app goes quiet for too long",
        "meaning": "For a long stretch the app sent neither audio nor KeepAlive. Deepgram closes a stream with 1011 NET-0001 after about 10 seconds without audio, which apps often see as a 'random' drop during pauses.",
        "steps": [
            'While no audio is flowing (muted microphone, a paused file, waiting for a user), send {"type": "KeepAlive"} as a text frame every 3 to 5 seconds.',
            "Or close the stream with CloseStream when a pause will be long, and open a new one when audio resumes.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["keepalive", "troubleshooting"],
        "explains": ["client.no_close_stream"],  # NET-0001 ended it before CloseStream could
    },
    "client.control_as_binary": {
        "title": "A control message was sent as a binary frame",
        "meaning": "KeepAlive, CloseStream or Finalize arrived in a binary frame. Deepgram treats every binary frame as audio, so the message did nothing (and its bytes were decoded as sound).",
        "steps": [
            "Send control messages as text frames: in websockets, send a str, not bytes; in aiohttp, send_str(); in browsers, a string.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["keepalive", "closestream"],
    },
    "client.empty_binary_frame": {
        "title": "The app ends streams with an empty binary frame",
        "meaning": "An empty binary frame is the old way to end a stream. It still works for now, but it is deprecated in favour of CloseStream, and some libraries drop empty frames.",
        "steps": ['Send {"type": "CloseStream"} as a text frame instead.', _AUDIT_AGAIN],
        "section": _HANDLING,
        "links": ["closestream"],
    },
    "client.audio_after_close_stream": {
        "title": "The app sends audio after CloseStream",
        "meaning": "Audio frames arrived after CloseStream. The server is finishing the stream and does not transcribe them, so the tail of the audio is lost.",
        "steps": [
            "Send CloseStream only after the last audio chunk has been sent (await the sender task first).",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["closestream"],
    },
    "client.unknown_text": {
        "title": "The app sends text frames Deepgram does not know",
        "meaning": "Text frames arrived that are not KeepAlive, Finalize or CloseStream: often audio encoded as base64 text, or a misspelt message type. Deepgram ignores or rejects them.",
        "steps": [
            "Send audio as raw bytes in binary frames, never base64 in text frames.",
            'Check the spelling and case of control messages: {"type": "KeepAlive"}, "Finalize", "CloseStream".',
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["keepalive", "closestream"],
    },
    "client.audio_mismatch": {
        "title": "The audio does not match what the URL declares",
        "meaning": "The bytes of the first audio frame contradict the URL: a container (WAV, Ogg, WebM, MP3, FLAC) sent with a raw encoding parameter, raw audio with no encoding, or a WAV header whose rate or channels differ from the URL's. Deepgram then transcribes noise or closes with DATA-0000.",
        "steps": [
            "For containers, leave encoding and sample_rate out of the URL and let Deepgram read the header.",
            "For raw audio, set encoding, sample_rate and channels to exactly what you send.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["troubleshooting"],
    },
    "client.slow_audio": {
        "title": "The app sends audio slower than real time",
        "meaning": "Over the stream, the app sent much less audio than the time that passed. Transcripts fall behind the speaker, and long stalls approach the idle timeout.",
        "steps": [
            "Send audio as it is captured, in chunks of 20 to 250 ms, from a task that is not blocked by other work.",
            "If the uplink is the limit, run wsdoctor check to measure it.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["troubleshooting"],
    },
    "client.bursty_audio": {
        "title": "The app sends audio in bursts",
        "meaning": "Audio arrived in bursts separated by long pauses. Results come late, and a pause that reaches the idle window ends the stream with NET-0001.",
        "steps": [
            "Send audio steadily as it is captured; if a buffer must fill first, keep it small.",
            "During pauses with no audio, send KeepAlive.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["keepalive"],
    },
    "client.key_in_query": {
        "title": "The credential is in the URL",
        "meaning": "The API key or token was sent as a query parameter. URLs end up in proxy, load balancer and application logs, where the key can be read.",
        "steps": [
            "Send the key in the Authorization header (Token <key>, or Bearer <token> for temporary tokens).",
            "Rotate the key if such logs may have been shared.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["troubleshooting"],
    },
    "client.jwt_as_token": {
        "title": "A temporary token is sent with the Token scheme",
        "meaning": "The app presented a JWT (a temporary token) as 'Authorization: Token ...'. Temporary tokens go with the Bearer scheme; with Token the upgrade is refused with 401.",
        "steps": ["Send temporary tokens as 'Authorization: Bearer <token>'.", _AUDIT_AGAIN],
        "section": _HANDLING,
        "links": ["troubleshooting"],
    },
    "client.reconnect_storm": {
        "title": "The app retries refused connections in a tight loop",
        "meaning": "After the upgrade was refused with a 4xx (bad key, bad parameters), the app tried again and again within seconds. A 4xx does not change on retry; the loop only burns requests and can get the key rate-limited.",
        "steps": [
            "Do not retry on 400, 401 or 403: report the error and stop.",
            "Retry only on network errors and 5xx, with exponential backoff and jitter.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["troubleshooting", "rate_limits"],
    },
    "client.no_backoff": {
        "title": "The app does not back off after 429",
        "meaning": "After a 429 (too many concurrent streams or requests), the app reconnected almost at once, which keeps it over the limit.",
        "steps": [
            "After 429, wait before retrying and double the wait on each failure (with jitter), up to a cap.",
            "Reduce concurrent streams, or ask Deepgram for a higher limit.",
            _AUDIT_AGAIN,
        ],
        "section": _HANDLING,
        "links": ["rate_limits"],
    },
    "client.reconnect": {
        "title": "How the app recovered from a dropped stream",
        "meaning": "The server ended a stream (an injected fault in the lab, or a real drop through the relay); this notes whether the app opened a new stream and how soon, and what the audit can see of audio lost around it: the gap between the last audio on the old stream and the first on the new one, less any backlog the new stream sent ahead of real time.",
        "steps": [
            "On a drop, reconnect with a short backoff and resume sending audio; keep what was not yet acknowledged if your use needs it.",
        ],
        "section": _HANDLING,
        "links": ["recovery"],
    },
    "client.never_connected": {
        "title": "The app never connected",
        "meaning": "During the audit no WebSocket connection reached wsdoctor's endpoint, so there was nothing to judge. The app most likely still connects to its configured host.",
        "steps": [
            "Point the app at the URL wsdoctor printed (the SDK's URL or environment option, or the WSDOCTOR_AUDIT_URL variable), or run it as `wsdoctor audit -- python app.py` so Python apps are redirected automatically.",
            "Give the app time to connect with --duration.",
        ],
        "section": _HANDLING,
        "links": ["sdks"],
    },
}
CLIENT_CAUSES.update(HABIT_CAUSES)
