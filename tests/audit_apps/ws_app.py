"""A user's app written with python-websockets, misbehaving on demand: `ws_app.py BEHAVIOUR`.

It connects to the real Deepgram URL; `wsdoctor audit -- python ws_app.py ...`
redirects it to the lab (the sitecustomize under test). Each behaviour is one
mistake from Deepgram's SDK issue trackers; `good` makes none.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import wave

import loopback_only  # noqa: F401 - no name lookup but loopback
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

RAW = "encoding=linear16&sample_rate=16000"
AUTH = {"Authorization": "Token app-test-key-0123456789"}
CHUNK = b"\x10\x00" * 1600  # 100 ms of quiet linear16
CLOSE_STREAM = json.dumps({"type": "CloseStream"})
KEEP_ALIVE = json.dumps({"type": "KeepAlive"})


def wav_chunk(rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(CHUNK)
    return buffer.getvalue()


async def stream(query: str = RAW, first: bytes = CHUNK, headers: dict = AUTH) -> object:
    url = f"wss://api.deepgram.com/v1/listen?{query}"
    ws = await connect(url, additional_headers=headers, ping_interval=None)
    await ws.send(first)
    for _ in range(4):
        await ws.send(CHUNK)
        await asyncio.sleep(0.02)
    return ws


async def finish(ws: object) -> None:
    await ws.send(CLOSE_STREAM)  # type: ignore[attr-defined]
    async for _ in ws:  # type: ignore[attr-defined]
        pass


async def run(behaviour: str) -> None:
    if behaviour == "storm":
        for _ in range(6):
            try:
                await stream()
            except InvalidStatus:
                await asyncio.sleep(0.05)
        return
    queries = {"key-in-query": f"{RAW}&token=app-test-key-0123456789",
               "wav-wrong-rate": "sample_rate=16000"}  # fmt: skip
    firsts = {"wav-as-raw": wav_chunk(16000), "wav-wrong-rate": wav_chunk(8000)}
    ws = await stream(queries.get(behaviour, RAW), firsts.get(behaviour, CHUNK))
    if behaviour == "no-close-stream":
        await ws.close()
    elif behaviour == "closed-before-final":
        await ws.send(CLOSE_STREAM)
        await ws.close()
    elif behaviour == "binary-keepalive":
        await ws.send(KEEP_ALIVE.encode())
        await finish(ws)
    elif behaviour == "empty-binary":
        await ws.send(b"")
        async for _ in ws:
            pass
    elif behaviour == "base64-text":
        await ws.send("AAAAAAAAAAAA")
        await finish(ws)
    elif behaviour == "idle":
        await asyncio.sleep(float(os.environ.get("APP_IDLE_S", "1.5")))
        await finish(ws)
    elif behaviour == "idle-with-keepalive":
        for _ in range(6):
            await asyncio.sleep(0.25)
            await ws.send(KEEP_ALIVE)
        await finish(ws)
    elif behaviour == "killed":
        os._exit(0)  # no close frame, no CloseStream: a crashed process
    else:  # good, key-in-query, wav-as-raw, wav-wrong-rate
        await finish(ws)


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1]))
