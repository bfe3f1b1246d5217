"""A user's app on the real deepgram-sdk (7.x), following the official live example.

`sdk_app.py example`: sends its audio and stops, without CloseStream (as the
example does); `sdk_app.py good`: CloseStream, then reads until the server closes;
`sdk_app.py stream`: the same over 2 s of real-time audio, with no reconnect (as the
example has none), so a drop ends the process with the SDK's error.
No URL is configured: the audit's sitecustomize redirects the SDK's own default.
"""

from __future__ import annotations

import sys
import time

import loopback_only  # noqa: F401 - no name lookup but loopback
from deepgram import DeepgramClient
from websockets.exceptions import ConnectionClosed

CHUNK = b"\x10\x00" * 1600


def run(behaviour: str) -> None:
    client = DeepgramClient(api_key="sdk-app-key-0123456789")
    with client.listen.v1.connect(model="nova-3", encoding="linear16", sample_rate=16000) as ws:
        for _ in range(20 if behaviour == "stream" else 5):
            ws.send_media(CHUNK)
            if behaviour == "stream":
                time.sleep(0.1)
        if behaviour in ("good", "stream"):
            ws.send_close_stream()
        try:
            for _ in ws:
                pass
        except ConnectionClosed:
            pass


if __name__ == "__main__":
    run(sys.argv[1])
