"""The stream loop of LiveKit's `livekit-plugins-deepgram` STT (1.8.x), reduced to what touches
the wire: `livekit_like.py plugin|deadline`.

LiveKit's plugin itself needs livekit-agents (numpy, av, openai, opentelemetry and a
12 MB native livekit wheel), too heavy for this suite, so this keeps its structure:
aiohttp's ws_connect on `base_url` plus its own query; a send task that ends with
CloseStream; a receive task that returns on the server's close; a KeepAlive task every
few seconds; and `asyncio.wait(..., return_when=FIRST_COMPLETED)` with no timeout.
`deadline` is the twin with the fix: the wait has a timeout and KeepAlive stops at
CloseStream.
"""

from __future__ import annotations

import asyncio
import json
import sys
from urllib.parse import urlencode

import aiohttp
import loopback_only  # noqa: F401 - no name lookup but loopback

BASE_URL = "wss://api.deepgram.com/v1/listen"  # the plugin's default base_url, no query
CHUNK = b"\x10\x00" * 800  # 50 ms, the plugin's chunk
KEEPALIVE_S = 0.3  # the plugin's is 5 s; shorter so the test is quick
CLOSE_WAIT_S = 0.6


async def run(with_deadline: bool) -> None:
    query = urlencode({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000})
    headers = {"Authorization": "Token app-test-key-0123456789"}
    timeout = aiohttp.ClientWSTimeout(ws_close=1.0)
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(f"{BASE_URL}?{query}", headers=headers, timeout=timeout)
        closing = asyncio.Event()

        async def keepalive_task() -> None:
            while not (with_deadline and closing.is_set()):
                await ws.send_str(json.dumps({"type": "KeepAlive"}))
                await asyncio.sleep(KEEPALIVE_S)

        async def send_task() -> None:
            for _ in range(20):
                await ws.send_bytes(CHUNK)
                await asyncio.sleep(0.05)
            closing.set()
            await ws.send_str(json.dumps({"type": "CloseStream"}))

        async def recv_task() -> None:
            while True:
                msg = await ws.receive()
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    return

        tasks = asyncio.gather(send_task(), recv_task(), keepalive_task())
        await asyncio.wait(
            [tasks], timeout=CLOSE_WAIT_S + 1.0 if with_deadline else None
        )  # the plugin: no timeout
        tasks.cancel()
        await ws.close()


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1] == "deadline"))
