"""One watched stream: kept open the way a well-behaved production client keeps it.

It streams the speech clip in real time with pauses, sends KeepAlive during the
pauses (on Flux the pings hold it), pings for the round-trip time, and watches for
transcripts (Results, or Flux TurnInfo). When the stream
ends without being asked to, the drop is logged with the connection's age and how
it ended, and the worker reconnects after a short backoff, as a client would.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..audio.speech import speech
from ..deepgram.closes import is_idle_timeout
from ..net.errors import NetError, NotApplicable
from ..net.outcome import Outcome
from ..net.route import Route
from ..net.session import LiveSession
from ..secret import Secret
from .log import Drop, Stall, WatchLog


@dataclass(frozen=True)
class Cadence:
    """How the watched streams behave; tests scale every number down."""

    speak_s: float = 4.0  # audio, then
    pause_s: float = 3.0  # silence with KeepAlive every keepalive_s
    keepalive_s: float = 1.0
    ping_every_s: float = 2.0
    pong_deadline_s: float = 5.0
    stall_s: float = 5.0  # audio flowing, no Results for this long: a silent stall
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0


def ending_of(outcome: Outcome) -> tuple[str, str]:
    """(bounded ending name for metrics, a description for people)."""
    code = outcome.rcvd_code
    if code is None:
        return "no_close_frame", outcome.message or "no close frame"
    reason = outcome.rcvd_reason or ""
    text = f"close {code}" + (f" {reason}" if reason else "")
    if is_idle_timeout(code, reason):
        return "net0001", text
    return "server_close", text


class StreamWorker:
    def __init__(
        self,
        index: int,
        route: Route,
        api_key: Secret,
        log: WatchLog,
        cadence: Cadence,
        clock: Callable[[], float],
        on_drop: Callable[[Drop], None],
        on_rtt: Callable[[float], None],
    ) -> None:
        self.index, self.route, self.api_key = index, route, api_key
        self.log, self.cadence, self.clock = log, cadence, clock
        self.on_drop, self.on_rtt = on_drop, on_rtt
        self.up = False
        self._pong_dead: str | None = None  # why the pinger gave the path up for dead
        self.not_applicable: str | None = None  # why wsdoctor cannot stream to this URL

    async def run(self, until: float) -> None:
        backoff = self.cadence.backoff_s
        while self.clock() < until:
            try:
                lived = await self._one_connection(until)
            except NotApplicable as exc:  # wsdoctor cannot stream to this URL: a skip, not a drop
                self.not_applicable = str(exc)
                return
            except NetError as exc:
                self._drop(0.0, "connect_failed", str(exc))
                lived = 0.0
            if lived is None:
                return
            if lived > self.cadence.max_backoff_s:  # a connection that stayed up resets it
                backoff = self.cadence.backoff_s
            await asyncio.sleep(min(backoff, max(0.0, until - self.clock())))
            backoff = min(backoff * 2, self.cadence.max_backoff_s)

    async def _one_connection(self, until: float) -> float | None:
        """None if the watch ended this connection; else how long it lived before it dropped."""
        session = LiveSession(self.route, self.api_key, close_timeout=self.cadence.pong_deadline_s)
        session.audio.require()  # NotApplicable before any traffic if the URL's encoding is
        await session.open()
        self.log.connects += 1
        opened = self.clock()
        self.up = True
        pinger = asyncio.create_task(self._ping(session, until))
        try:
            dead = await self._talk(session, until)
        except NetError as exc:  # the stream broke in a way the socket layer named
            dead = str(exc)
        finally:
            pinger.cancel()
            self.up = False
            self.log.stream_seconds += self.clock() - opened
        if session.is_open and dead is None:
            with contextlib.suppress(Exception):
                await session.send_control(session.profile.close_request)
                await session.close()
            await session.abort()
            return None
        await session.abort()
        if dead is not None:
            life = self.clock() - opened
            self._drop(life, "rtt_timeout", dead)
            return life
        outcome = await session.outcome()
        ending, detail = ending_of(outcome)
        closed = outcome.closed_at_s  # from the close itself, not from when we noticed
        life = closed if closed is not None else self.clock() - opened
        self._drop(life, ending, detail)
        return life

    async def _talk(self, session: LiveSession, until: float) -> str | None:
        """Speak and pause until `until` or the stream ends; a reason if the path went dead."""
        cadence = self.cadence
        results_seen, results_at = 0, self.clock()
        while self.clock() < until and session.is_open:
            if self._pong_dead is not None:
                return self._pong_dead
            spoken = min(cadence.speak_s, until - self.clock())
            await session.send_audio(speech(spoken))
            count = session.transcripts.count
            if count > results_seen:
                results_seen, results_at = count, self.clock()
            elif self.clock() - results_at > cadence.stall_s:
                self.log.add_stall(Stall(round(self.clock(), 3), self.index,
                                         round(self.clock() - results_at, 3)))  # fmt: skip
                results_at = self.clock()
            await self._pause(session, min(cadence.pause_s, max(0.0, until - self.clock())))
        return self._pong_dead

    async def _pause(self, session: LiveSession, seconds: float) -> None:
        end = self.clock() + seconds
        keepalive = session.profile.keepalive  # None on Flux: the pinger holds the stream
        while self.clock() < end and session.is_open:
            if keepalive is not None:
                await session.send_control(keepalive)
            await session.sleep_unless_closed(min(self.cadence.keepalive_s, end - self.clock()))

    async def _ping(self, session: LiveSession, until: float) -> None:
        self._pong_dead = None
        cadence = self.cadence
        while self.clock() < until and session.is_open:
            started = time.monotonic()
            try:
                await asyncio.wait_for(await session.ping(), cadence.pong_deadline_s)
            except TimeoutError:
                self._pong_dead = f"no pong within {cadence.pong_deadline_s:g} s"
                session.abort_transport()
                return
            except Exception:  # the stream ended; the talker reports how
                return
            rtt_ms = (time.monotonic() - started) * 1000
            self.log.add_rtt(round(self.clock(), 3), rtt_ms)
            self.on_rtt(rtt_ms)
            await session.sleep_unless_closed(cadence.ping_every_s)

    def _drop(self, life_s: float, ending: str, detail: str) -> None:
        drop = Drop(round(self.clock(), 3), self.index, round(life_s, 3), ending, detail)
        self.log.add_drop(drop)
        self.on_drop(drop)
