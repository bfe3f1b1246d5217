"""Asking an idle stream whether its path still works: one WebSocket ping with a deadline.

A hop that forgets an idle flow (a NAT, a stateful firewall) sends nothing: no close
frame, no FIN, no RST. The client's socket stays "open" while every byte either way is
lost, so waiting proves nothing; only a frame that needs an answer does. A probe is
sent once per stream, at the end of what it measures, because its own traffic would
refresh the very idle timer being measured. It records; closure and idle_timeout judge.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from websockets.exceptions import ConnectionClosed

from ..secret import Secret
from .errors import NetError
from .route import Route
from .session import LiveSession


@dataclass(frozen=True)
class Probe:
    """One ping on a stream. Times are seconds since the 101; `idle_s` is how long the stream
    had been silent (since the server's last frame) when the ping left."""

    sent_at_s: float
    idle_s: float
    answered: bool  # a pong came back within the deadline
    closed: bool = False  # the stream had already ended, so the ping says nothing

    @property
    def dead(self) -> bool:
        return not self.answered and not self.closed


async def probe(session: LiveSession, deadline_s: float) -> Probe:
    """Ping now; answered if the pong arrives within `deadline_s`."""
    sent_at, idle = session.now(), session.now() - session.last_received_s
    if not session.is_open:
        return Probe(sent_at, idle, answered=False, closed=True)
    try:
        pong = await session.ping()
        await asyncio.wait_for(pong, deadline_s)  # a late pong is then ignored
    except TimeoutError:
        return Probe(sent_at, idle, answered=False, closed=not session.is_open)
    except ConnectionClosed:
        return Probe(sent_at, idle, answered=False, closed=True)
    return Probe(sent_at, idle, answered=True)


async def probe_after(
    route: Route, api_key: Secret, at_s: float, deadline_s: float
) -> Probe | None:
    """Open a stream of its own, leave it idle for `at_s`, then probe it once; None if the
    stream could not be opened (the main stream's own check reports why)."""
    with contextlib.suppress(NetError):
        async with LiveSession(route, api_key) as session:
            await session.sleep_unless_closed(at_s)
            return await probe(session, deadline_s)
    return None


class SideProbes:
    """Idle streams opened beside the one measured, each probed once at its own time.

    Together they bound when a silently dropped path died without the measured stream
    sending anything early. Leaving the block cancels whatever is still waiting, so a
    stream that ended normally costs no more than its own wait.
    """

    def __init__(self, route: Route, api_key: Secret, times: list[float], deadline_s: float):
        self._args = route, api_key, times, deadline_s
        self._tasks: list[asyncio.Task[Probe | None]] = []

    async def __aenter__(self) -> SideProbes:
        route, api_key, times, deadline = self._args
        self._tasks = [
            asyncio.create_task(probe_after(route, api_key, at, deadline)) for at in times
        ]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def results(self) -> list[Probe]:
        """Wait for every side probe; those whose stream could not open are left out."""
        done = await asyncio.gather(*self._tasks)
        return [p for p in done if p is not None]
