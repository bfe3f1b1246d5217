"""A user's app written with aiohttp: `aiohttp_app.py good|binary-close-stream`."""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp
import loopback_only  # noqa: F401 - no name lookup but loopback

URL = "wss://api.deepgram.com/v1/listen?encoding=linear16&sample_rate=16000"
CHUNK = b"\x10\x00" * 1600


async def run(behaviour: str) -> None:
    headers = {"Authorization": "Token app-test-key-0123456789"}
    async with aiohttp.ClientSession() as session, session.ws_connect(URL, headers=headers) as ws:
        for _ in range(5):
            await ws.send_bytes(CHUNK)
        close_stream = json.dumps({"type": "CloseStream"})
        if behaviour == "binary-close-stream":
            await ws.send_bytes(close_stream.encode())
            await ws.close()
            return
        await ws.send_str(close_stream)
        async for _ in ws:
            pass


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1]))
