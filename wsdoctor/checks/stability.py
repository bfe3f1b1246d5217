"""stability: does a stream carrying real-time audio stay up, and how quick is the path?

Streams the speech clip at real-time pace and pings four times a second. A dead path
sends no error at all while library pings are off, and with them it takes
websockets 40 s to notice; here the first pong missing its own deadline ends the
check, since on TCP a pong that is seconds late means the path has stalled or died.
Unless the uplink is merely slow: then the pings wait behind queued audio. So the
client's queue is sampled throughout (net/uplink.py), and an uplink slower than the
audio is named with its measured rate instead of a stall.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time

from ..audio.plan import plan_audio
from ..audio.speech import speech
from ..context import CheckContext, Settings
from ..model import CheckResult, Evidence, Level, Span, Status, status_of
from ..net.session import LiveSession, Outcome
from ..net.uplink import Sample, Uplink, assess
from ..plugin import Details, StreamCheck, finding
from .closure import Closure, classify_close, describe
from .rttstats import judged_latency_ms, judges_jitter, latency_text, rtt_measurements
from .transcript_path import TranscriptPath, transcript_path

DROPPED = "stability.dropped"
HIGH_LATENCY = "stability.high_latency"
JITTER = "stability.jitter"
PONG_LOSS = "stability.pong_loss"
SERVER_CLOSED = "stability.server_closed"
UPLINK_TOO_SLOW = "stability.uplink_too_slow"
TRANSCRIPTS_STALLED = "stability.transcripts_stalled"

PING_EVERY_S = 0.25  # 40 pongs in the default 10 s: enough for a p95 that is not the max
PONG_DEADLINE_S = 2.0
HIGH_P95_MS = 500.0
JITTER_MS = 150.0
CHUNK_S = 0.1
SAMPLE_EVERY_S = 0.1
LAG_S = 0.5  # audio trailing real time by more than this (plus the RTT) is a backlog
MAX_SAMPLES = 20_000


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
    causes = (
        DROPPED,
        HIGH_LATENCY,
        JITTER,
        PONG_LOSS,
        SERVER_CLOSED,
        UPLINK_TOO_SLOW,
        TRANSCRIPTS_STALLED,
    )

    def deadline_s(self, settings: Settings) -> float:
        return settings.stability_s + PONG_DEADLINE_S + settings.check_timeout_s

    async def stream(self, ctx: CheckContext) -> CheckResult:
        seconds = ctx.settings.stability_s
        plan_audio(ctx.route.target.url).require()  # NotApplicable: a skip, before connecting
        samples: list[Sample] = []
        async with LiveSession(ctx.route, ctx.api_key, close_timeout=2) as session:
            pinger = Pinger(session)
            until = time.monotonic() + seconds
            pings = asyncio.create_task(pinger.run(until))
            audio_from = session.now()
            streaming = asyncio.create_task(session.send_audio(speech(seconds), CHUNK_S))
            schedule = Schedule(session, seconds)
            sampling = asyncio.create_task(sample_uplink(schedule, samples, streaming))
            await asyncio.wait({pings, streaming}, return_when=asyncio.FIRST_COMPLETED)
            if pinger.dead:
                streaming.cancel()
            await asyncio.gather(pings, streaming, return_exceptions=True)
            audio_until = session.now()
            await asyncio.gather(sampling, return_exceptions=True)  # ends with the audio
            dropped_at = session.closed_at
            if session.is_open:  # behind a slow uplink even this waits: do not wait long
                with contextlib.suppress(TimeoutError):
                    close = session.profile.close_request
                    await asyncio.wait_for(session.send_control(close), PONG_DEADLINE_S)
            outcome = await session.outcome()
            extensions = session.extensions
        uplink = assess(samples, LAG_S + self._rtt_s(pinger), PONG_DEADLINE_S)
        evidence = {**outcome.evidence(), "extensions": extensions}
        path = transcript_path(
            session.transcripts,
            session.profile,
            audio_from,
            audio_until,
            ctx.settings.transcript_stall_s,
        )
        result = self._verdict(pinger, seconds, dropped_at, outcome, uplink, evidence)
        return self._with_transcripts(result, path, session.profile.transcript_message)

    @staticmethod
    def _rtt_s(pinger: Pinger) -> float:
        """The path's own round trip: the quickest pong, before any queue built up."""
        return min(pinger.rtts_ms) / 1000 if pinger.rtts_ms else 0.0

    def _verdict(
        self,
        pinger: Pinger,
        seconds: float,
        dropped_at: float | None,
        outcome: Outcome,
        uplink: Uplink | None,
        evidence: Evidence,
    ) -> CheckResult:
        measurements = self._measure(pinger)
        measurements.update(uplink.measurements() if uplink else {})
        details: Details = {"measurements": measurements, "evidence": evidence}
        if uplink is not None and uplink.too_slow:
            return self.failed(UPLINK_TOO_SLOW, too_slow_text(uplink, pinger), **details)
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
        summary += latency_text(measurements)
        if judged_latency_ms(measurements) > HIGH_P95_MS:
            return self.warned(HIGH_LATENCY, f"{summary}: high latency", **details)
        if judges_jitter(measurements) and measurements.get("jitter_ms", 0) > JITTER_MS:
            jitter = measurements["jitter_ms"]
            return self.warned(JITTER, f"{summary}: jitter {jitter:.0f} ms", **details)
        return self.passed(summary, **details)

    def _with_transcripts(
        self, result: CheckResult, path: TranscriptPath, kind: str
    ) -> CheckResult:
        """A stream that stayed up but stopped transcribing fails (beside any latency
        warning); otherwise the transcript timings join the measurements and the first
        transcript the timeline. A drop or a dead path already explains the silence."""
        measurements = {**result.measurements, **path.measurements()}
        spans = result.spans
        findings = result.findings
        if result.status in (Status.PASS, Status.WARN) and path.stalled:
            findings = (*findings, finding(Level.FAIL, TRANSCRIPTS_STALLED, path.stall_text(kind)))
        elif path.first_ms is not None and result.status is not Status.FAIL:
            spans = (*spans, Span(f"First {kind}", round(path.first_ms / 1000, 3)))
        return dataclasses.replace(
            result,
            status=status_of(findings),
            summary=findings[-1].message if findings else result.summary,
            findings=findings,
            measurements=measurements,
            spans=spans,
        )

    def _measure(self, pinger: Pinger) -> dict[str, float]:
        measurements = rtt_measurements(pinger.rtts_ms)
        if pinger.dead_after_s is not None:
            measurements["pong_missing_after_s"] = pinger.dead_after_s
        return measurements


class Schedule:
    """The real-time schedule of the audio: how much was due when each sample is taken."""

    def __init__(self, session: LiveSession, seconds: float) -> None:
        self.session, self.seconds = session, seconds
        self.started = session.now()

    def record(self, samples: list[Sample]) -> None:
        """Only while the stream is open: a closed transport's queue reads empty."""
        if not self.session.is_open:
            return
        due = min(self.session.now() - self.started, self.seconds)
        taken = self.session.uplink_sample(due)
        if taken is not None and len(samples) < MAX_SAMPLES:
            samples.append(taken)


async def sample_uplink(
    schedule: Schedule, samples: list[Sample], streaming: asyncio.Task[bool]
) -> None:
    """What the client has written against what is still queued, while audio is being
    written: once the last chunk is handed over, the queue drains, which says nothing
    about whether the link kept up."""
    try:
        while not streaming.done():
            schedule.record(samples)
            await asyncio.wait({streaming}, timeout=SAMPLE_EVERY_S)
    finally:
        schedule.record(samples)


def too_slow_text(uplink: Uplink, pinger: Pinger) -> str:
    """The measured rate against what real time needs, in the units a network team uses."""
    rate, need = kbit(uplink.rate_Bps), kbit(uplink.need_Bps)
    text = (
        f"the uplink carried {rate} of audio that needs {need} on the wire: within "
        f"{uplink.at_s:.1f} s the audio reaching the server fell {uplink.behind_s:.1f} s "
        "behind real time and the client's queue never emptied. "
        "Live transcription falls ever further behind on this link (more bandwidth, "
        "less competing upload, or a lower-bitrate encoding)"
    )
    if pinger.dead:
        text += "; pings queued behind the audio missed their deadline, a consequence"
    return text


def kbit(bytes_per_second: float) -> str:
    return f"{bytes_per_second * 8 / 1000:.0f} kbit/s"


check = StabilityCheck()
