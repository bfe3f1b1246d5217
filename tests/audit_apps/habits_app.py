"""A user's app on python-websockets with one habit from Deepgram's SDK issue trackers, or its
healthy twin: `habits_app.py BEHAVIOUR`. Audio comes from a real-time source (a chunk
every 20 ms by the wall clock, as a microphone's capture thread fills a queue), so a
stalled loop or a reconnect shows in the audio as it would in a real app.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time

import loopback_only  # noqa: F401 - no name lookup but loopback
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

URL = "wss://api.deepgram.com/v1/listen?encoding=linear16&sample_rate=16000"
CONTAINER_URL = "wss://api.deepgram.com/v1/listen"
AUTH = {"Authorization": "Token app-test-key-0123456789"}
STEP_S = 0.02
CHUNK = b"\x10\x00" * 320  # 20 ms of quiet linear16
CLOSE_STREAM = json.dumps({"type": "CloseStream"})
KEEP_ALIVE = json.dumps({"type": "KeepAlive"})
FINALIZE = json.dumps({"type": "Finalize"})
WEBM_HEADER = b"\x1a\x45\xdf\xa3" + bytes(200)
WEBM_CLUSTER = b"\x1f\x43\xb6\x75" + bytes(200)


class Source:
    """Chunks due by the wall clock since the source started, like a microphone."""

    def __init__(self, seconds: float) -> None:
        self.t0, self.total, self.taken = time.monotonic(), int(seconds / STEP_S), 0

    def due(self) -> int:
        return min(self.total, int((time.monotonic() - self.t0) / STEP_S)) - self.taken

    def take(self, n: int) -> int:
        self.taken += n
        return n

    @property
    def done(self) -> bool:
        return self.taken >= self.total


async def open_stream(url: str = URL) -> ClientConnection:
    return await connect(url, additional_headers=AUTH, ping_interval=None)


async def pump(ws: ClientConnection, source: Source) -> None:
    """Send what the source has produced, every 20 ms, until it is done."""
    while not source.done:
        for _ in range(source.take(source.due())):
            await ws.send(CHUNK)
        await asyncio.sleep(STEP_S)


async def finish(ws: ClientConnection) -> None:
    await ws.send(CLOSE_STREAM)
    async for _ in ws:
        pass


async def keepalive(ws: ClientConnection, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        await ws.send(KEEP_ALIVE)


# -- after a drop: die, or reconnect (dropping or keeping the audio of the gap) -----------


async def die_after_drop() -> None:
    ws = await open_stream()
    await pump(ws, Source(3.0))  # the drop raises ConnectionClosedError out of the app
    await finish(ws)


async def reconnecting(keep_audio: bool) -> None:
    source = Source(2.0)
    while True:
        ws = await open_stream()
        try:
            await pump(ws, source)
            await finish(ws)
            return
        except ConnectionClosed:
            await asyncio.sleep(0.6)  # reconnecting; the microphone goes on
            if not keep_audio:
                source.take(source.due())  # what it captured meanwhile is thrown away


async def refused_exit() -> None:
    try:
        ws = await open_stream()
    except InvalidStatus as refused:
        print(f"refused: {refused.response.status_code}", file=sys.stderr)
        sys.exit(1)
    await finish(ws)


# -- a blocked loop --------------------------------------------------------------------


async def loop(blocking: bool) -> None:
    ws = await open_stream()
    ticking = asyncio.create_task(keepalive(ws, 0.2))
    sending = asyncio.create_task(pump(ws, Source(3.0)))
    await asyncio.sleep(1.0)
    if blocking:
        time.sleep(1.0)  # a blocking call inside a coroutine: nothing else runs
    else:
        await asyncio.to_thread(time.sleep, 1.0)
    await sending
    ticking.cancel()
    await finish(ws)


# -- Finalize, and the Go SDK's Stop() ------------------------------------------------------


async def finalize(timeout_s: float | None) -> None:
    ws = await open_stream()
    await pump(ws, Source(0.5))
    await ws.send(FINALIZE)

    async def reply() -> None:
        async for message in ws:
            if json.loads(message).get("from_finalize"):
                return

    with contextlib.suppress(TimeoutError):  # a reply is not guaranteed: carry on
        await asyncio.wait_for(reply(), timeout_s)
    await finish(ws)


async def go_stop() -> None:
    ws = await open_stream()
    await pump(ws, Source(0.5))
    await ws.send(CLOSE_STREAM)
    await asyncio.sleep(0.1)  # Stop(): CloseStream, then close 100 ms later
    await ws.close()


# -- a browser recorder's WebM: the header comes once, in the first chunk --------------------


def recorder(header_sent: bool) -> list[bytes]:
    """Six chunks of a recording; the first carries the header unless it went out earlier."""
    return ([WEBM_HEADER] if header_sent else []) + [WEBM_CLUSTER] * 5


async def send_webm(ws: ClientConnection, chunks: list[bytes]) -> None:
    for chunk in chunks:
        await ws.send(chunk)
        await asyncio.sleep(0.1)


async def webm(header_first: bool) -> None:
    ws = await open_stream(CONTAINER_URL)
    await send_webm(ws, recorder(header_first))
    await finish(ws)


async def webm_reconnect(restart_recorder: bool) -> None:
    ws = await open_stream(CONTAINER_URL)
    try:
        await send_webm(ws, recorder(True) * 3)
    except ConnectionClosed:
        ws = await open_stream(CONTAINER_URL)
        await send_webm(ws, recorder(restart_recorder)[:3])  # resumed, or a new recording
        await finish(ws)


BEHAVIOURS = {
    "die-after-drop": die_after_drop,
    "reconnect-keep-audio": lambda: reconnecting(True),
    "reconnect-drop-audio": lambda: reconnecting(False),
    "refused-exit": refused_exit,
    "blocked-loop": lambda: loop(True),
    "unblocked-loop": lambda: loop(False),
    "finalize-forever": lambda: finalize(None),
    "finalize-timeout": lambda: finalize(0.3),
    "go-stop": go_stop,
    "webm": lambda: webm(True),
    "webm-before-open": lambda: webm(False),
    "webm-resume": lambda: webm_reconnect(False),
    "webm-restart": lambda: webm_reconnect(True),
}

if __name__ == "__main__":
    asyncio.run(BEHAVIOURS[sys.argv[1]]())  # type: ignore[no-untyped-call]
