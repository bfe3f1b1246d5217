"""Hostile WebSocket servers on loopback, for tests of what wsdoctor does when a peer misbehaves."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator

from websockets.asyncio.server import ServerConnection, serve

Behaviour = Callable[[ServerConnection], Awaitable[None]]


@contextlib.contextmanager
def hostile_server(behaviour: Behaviour) -> Iterator[str]:
    """Serve `behaviour` for every connection from a background thread; yield the ws:// URL."""
    ready = threading.Event()
    stop: dict[str, asyncio.AbstractEventLoop | asyncio.Event] = {}
    port: list[int] = []

    async def main() -> None:
        stop["loop"], stop["event"] = asyncio.get_running_loop(), asyncio.Event()

        def headers(connection, request, response):  # type: ignore[no-untyped-def]
            response.headers["dg-request-id"] = "hostile-0001"
            return response

        async with serve(behaviour, "127.0.0.1", 0, process_response=headers) as server:
            port.append(server.sockets[0].getsockname()[1])
            ready.set()
            await stop["event"].wait()  # type: ignore[union-attr]

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"ws://127.0.0.1:{port[0]}/v1/listen?encoding=linear16&sample_rate=16000"
    finally:
        loop, event = stop["loop"], stop["event"]
        loop.call_soon_threadsafe(event.set)  # type: ignore[union-attr]
        thread.join(10)


async def nested_json(connection: ServerConnection) -> None:
    """Greet with JSON nested far past any parser's recursion limit."""
    await connection.send('{"type": "Results", "x": ' + "[" * 200_000 + "]" * 200_000 + "}")
    await connection.wait_closed()


async def not_json(connection: ServerConnection) -> None:
    await connection.send("<html>captive portal</html>")
    await connection.wait_closed()
