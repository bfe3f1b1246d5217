"""stability: does a stream carrying real-time audio stay up, and how quick is the path?

Streams audio at real-time pace and pings every second. A dead path sends no
error at all while library pings are off, and with them it takes websockets 40 s
to notice; here the first pong missing its own deadline ends the check, since on
TCP a pong that is seconds late means the path has stalled or died.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from ..closure import Closure, classify_close, describe
from ..context import CheckContext, Settings
from ..model import CheckResult, Span
from ..net.audio import tone
from ..net.session import LiveSession, Outcome
from ..plugin import Details, StreamCheck

DROPPED = "stability.dropped"
HIGH_LATENCY = "stability.high_latency"
JITTER = "stability.jitter"
PONG_LOSS = "stability.pong_loss"
SERVER_CLOSED = "stability.server_closed"

PING_EVERY_S = 1.0
PONG_DEADLINE_S = 2.0
HIGH_P95_MS = 500.0
JITTER_MS = 150.0
CHUNK_S = 0.1


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Pinger:
    """Pings once a second; stops at the first pong that misses its deadline."""

    def __init__(self, session: LiveSession) -> None:
        self.session = session
        self.rtts_ms: list[float] = []
        self.dead_after_s: float | None = None

    async def run(self, until: float) -> None:
        while time.monotonic() < until and self.session.is_open:
            started = time.monotonic()
            try:
                await asyncio.wait_for(await self.session.ping(), PONG_DEADLINE_S)
            except TimeoutError:
                self.dead_after_s = round(self.session.now(), 3)
                return
            except Exception:  # the connection ended: the audio loop reports it
                return
            self.rtts_ms.append((time.monotonic() - started) * 1000)
            await asyncio.sleep(max(0.0, started + PING_EVERY_S - time.monotonic()))

    @property
    def dead(self) -> bool:
        return self.dead_after_s is not None


class StabilityCheck(StreamCheck):
    id = "stability"
    title = "Stream stability under real-time audio"
    depends_on = ("handshake",)
    tags = ("slow",)
    causes = (DROPPED, HIGH_LATENCY, JITTER, PONG_LOSS, SERVER_CLOSED)

    def deadline_s(self, settings: Settings) -> float:
        return settings.stability_s + PONG_DEADLINE_S + settings.check_timeout_s

    async def stream(self, ctx: CheckContext) -> CheckResult:
        seconds = ctx.settings.stability_s
        async with LiveSession(ctx.route, ctx.api_key, close_timeout=2) as session:
            pinger = Pinger(session)
            until = time.monotonic() + seconds
            pings = asyncio.create_task(pinger.run(until))
            streaming = asyncio.create_task(session.send_audio(tone(seconds), CHUNK_S))
            await asyncio.wait({pings, streaming}, return_when=asyncio.FIRST_COMPLETED)
            if pinger.dead:
                streaming.cancel()
            await asyncio.gather(pings, streaming, return_exceptions=True)
            dropped_at = session.closed_at
            if session.is_open:
                await session.send_control("CloseStream")
            outcome = await session.outcome()
        return self._verdict(pinger, seconds, dropped_at, outcome)

    def _verdict(
        self, pinger: Pinger, seconds: float, dropped_at: float | None, outcome: Outcome
    ) -> CheckResult:
        measurements = self._measure(pinger)
        details: Details = {"measurements": measurements, "evidence": outcome.evidence()}
        if dropped_at is not None and classify_close(outcome) is Closure.SERVER_ERROR:
            text = f"the server ended the stream after {dropped_at:.1f} s ({describe(outcome)})"
            return self.warned(SERVER_CLOSED, text + "; see close_frame", **details)
        if dropped_at is not None:
            measurements["dropped_at_s"] = round(dropped_at, 3)
            details["spans"] = (Span("Real-time audio (dropped)", round(dropped_at, 3)),)
            text = f"the stream dropped after {dropped_at:.1f} s of audio: {describe(outcome)}"
            return self.failed(DROPPED, text, **details)
        if pinger.dead:
            text = (
                f"no pong within {PONG_DEADLINE_S:g} s after {pinger.dead_after_s:.1f} s of audio: "
                "the path stalled or died (a client without pings would see no error at all)"
            )
            return self.failed(PONG_LOSS, text, **details)
        summary = f"{seconds:g} s of real-time audio, {len(pinger.rtts_ms)} pings"
        if pinger.rtts_ms:
            p50, p95 = measurements["rtt_p50_ms"], measurements["rtt_p95_ms"]
            summary += f", RTT p50 {p50:.1f} ms / p95 {p95:.1f} ms"
        if measurements.get("rtt_p95_ms", 0) > HIGH_P95_MS:
            return self.warned(HIGH_LATENCY, f"{summary}: high latency", **details)
        if measurements.get("jitter_ms", 0) > JITTER_MS:
            jitter = measurements["jitter_ms"]
            return self.warned(JITTER, f"{summary}: jitter {jitter:.0f} ms", **details)
        return self.passed(summary, **details)

    def _measure(self, pinger: Pinger) -> dict[str, float]:
        rtts = pinger.rtts_ms
        measurements = {"pongs": float(len(rtts))}
        if pinger.dead_after_s is not None:
            measurements["pong_missing_after_s"] = pinger.dead_after_s
        if rtts:
            measurements["rtt_p50_ms"] = round(statistics.median(rtts), 2)
            measurements["rtt_p95_ms"] = round(percentile(rtts, 0.95), 2)
            measurements["jitter_ms"] = round(statistics.pstdev(rtts), 2)
        return measurements


check = StabilityCheck()
