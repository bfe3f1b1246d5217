"""transcript: does speech come back as transcripts, and do the end-of-speech controls answer?

A stream can upgrade, pong and close cleanly and still transcribe nothing (wrong
audio, a stalled model, a proxy that eats text frames). This check streams a few
seconds of wsdoctor's speech clip, times the first transcript, then asks for the
end of speech the way the API offers it and times the answer:
- /v1/listen: Finalize, answered by Results with from_finalize. Deepgram documents
  that this answer is not guaranteed, so a missing one is advice, not a fault.
- Flux (/v2/listen): ForceEndTurn, answered by EndOfTurn (trigger manual) or a
  Warning when no turn is active; then Configure, answered by ConfigureSuccess or
  ConfigureFailure. Both are documented round trips, so silence is a fault.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from ..audio.plan import plan_audio
from ..audio.speech import speech
from ..context import CheckContext, Settings
from ..deepgram import flux, messages
from ..model import CheckResult, Finding, Level, Span
from ..net.session import LiveSession
from ..plugin import StreamCheck
from .closure import Closure, classify_close, describe

NO_TRANSCRIPT = "transcript.none"
UNANSWERED = "transcript.control_unanswered"
REFUSED = "transcript.control_refused"
FINALIZE_UNANSWERED = "transcript.finalize_unanswered"
STREAM_ENDED = "transcript.stream_ended"

AUDIO_S = 2.5
QUICK_AUDIO_S = 1.0
ANSWER_S = 2.0  # an answer later than this is as good as none for a live app
CHUNK_S = 0.1


class TranscriptCheck(StreamCheck):
    id = "transcript"
    title = "Transcripts and end-of-speech answers"
    depends_on = ("handshake",)
    tags = ("network",)
    causes = (NO_TRANSCRIPT, UNANSWERED, REFUSED, FINALIZE_UNANSWERED, STREAM_ENDED)

    def deadline_s(self, settings: Settings) -> float:
        return AUDIO_S + 3 * ANSWER_S + 2 * settings.check_timeout_s

    async def stream(self, ctx: CheckContext) -> CheckResult:
        plan_audio(ctx.route.target.url).require()  # NotApplicable: a skip, before connecting
        seconds = QUICK_AUDIO_S if ctx.settings.quick else AUDIO_S
        findings: list[Finding] = []
        timings: dict[str, float] = {}
        async with LiveSession(ctx.route, ctx.api_key, close_timeout=2) as session:
            chunk = flux.CHUNK_S if session.profile.connected_message else CHUNK_S
            await session.send_audio(speech(seconds), chunk)
            ended_at = session.now()
            if not session.is_open:
                return await self._ended_early(session)
            if session.profile.connected_message is None:
                findings += await finalize(session, timings)
            else:
                findings += await force_end_turn(session, timings)
                findings += await configure(session, timings)
            if not session.is_open and not await idled_out(session):
                return await self._ended_early(session)  # a drop or error: others explain it
            if session.is_open:
                await session.send_control(session.profile.close_request)
                await session.wait_closed(ANSWER_S)
            outcome = await session.outcome()
            first, count = session.transcripts.first_at, session.transcripts.count
        kind = session.profile.transcript_message
        if count == 0:
            text = f"{seconds:g} s of speech and the end-of-speech request brought no {kind}"
            findings.insert(0, Finding(Level.FAIL, NO_TRANSCRIPT, text))
        measurements = {"transcripts": float(count), **timings}
        if first is not None:
            measurements["first_transcript_ms"] = round(first * 1000, 1)
        spans = [Span(f"First {kind}", round(first, 3))] if first is not None else []
        spans.append(Span("Speech, then the end-of-speech request", round(ended_at, 3)))
        summary = "; ".join(f.message for f in findings if f.level is not Level.INFO)
        summary = summary or success_text(kind, seconds, measurements)
        return self.verdict(summary, findings, measurements=measurements,
                            evidence=outcome.evidence(), spans=spans)  # fmt: skip

    async def _ended_early(self, session: LiveSession) -> CheckResult:
        """The stream ended under the audio: the checks that watch endings say why (a drop,
        a server close); here it only means the transcript path could not be judged."""
        outcome = await session.outcome()
        text = (
            f"the stream ended after {outcome.closed_at_s or 0:.1f} s, before the end-of-speech "
            f"request ({describe(outcome)}); see close_frame and stability"
        )
        return self.warned(STREAM_ENDED, text, evidence=outcome.evidence())


async def idled_out(session: LiveSession) -> bool:
    """The server closed for idleness while the answer was awaited: the silence is real."""
    return classify_close(await session.outcome()) is Closure.NET0001


async def ask(
    session: LiveSession, control: str, answered: Callable[[dict[str, Any]], bool]
) -> float | None:
    """Send a control message and wait for its answer: milliseconds, or None."""
    answer = session.expect(answered)
    sent_at = session.now()
    if not await session.send(control):
        return None
    try:
        at = await asyncio.wait_for(answer, ANSWER_S)
    except TimeoutError:
        return None
    return round((at - sent_at) * 1000, 1)


async def finalize(session: LiveSession, timings: dict[str, float]) -> list[Finding]:
    ms = await ask(session, messages.control(messages.FINALIZE), messages.answers_finalize)
    if ms is not None:
        timings["finalize_ms"] = ms
        return []
    text = (
        f"Finalize brought no Results with from_finalize within {ANSWER_S:g} s; Deepgram "
        "documents that this answer is not guaranteed, so an app must not wait on it forever"
    )
    return [Finding(Level.INFO, FINALIZE_UNANSWERED, text)]


async def force_end_turn(session: LiveSession, timings: dict[str, float]) -> list[Finding]:
    control = messages.control(messages.FORCE_END_TURN)
    ms = await ask(session, control, messages.answers_force_end_turn)
    if ms is not None:
        timings["force_end_turn_ms"] = ms
        return []
    text = f"ForceEndTurn got neither EndOfTurn nor a Warning within {ANSWER_S:g} s"
    return [Finding(Level.FAIL, UNANSWERED, text)]


async def configure(session: LiveSession, timings: dict[str, float]) -> list[Finding]:
    """Configure with the default threshold, a change that changes nothing: the answer is
    what is measured."""
    body = {"type": messages.CONFIGURE, "thresholds": {"eot_threshold": flux.EOT_THRESHOLD_DEFAULT}}
    refused = session.expect(lambda m: m.get("type") == messages.CONFIGURE_FAILURE)
    ms = await ask(session, json.dumps(body), messages.answers_configure)
    if ms is None:
        text = f"Configure got neither ConfigureSuccess nor ConfigureFailure within {ANSWER_S:g} s"
        return [Finding(Level.FAIL, UNANSWERED, text)]
    timings["configure_ms"] = ms
    if refused.done():
        text = "Configure with the default eot_threshold was refused (ConfigureFailure)"
        return [Finding(Level.FAIL, REFUSED, text)]
    refused.cancel()
    return []


def answer_phases(timings: dict[str, float]) -> list[tuple[str, float]]:
    labels = {"finalize_ms": "Finalize answered", "force_end_turn_ms": "ForceEndTurn answered",
              "configure_ms": "Configure answered"}  # fmt: skip
    return [(label, timings[key]) for key, label in labels.items() if key in timings]


def success_text(kind: str, seconds: float, measurements: dict[str, float]) -> str:
    first = measurements.get("first_transcript_ms")
    parts = [f"first {kind} after {first:.0f} ms" if first else f"{kind} only after the audio"]
    parts += [f"{label} in {ms:.0f} ms" for label, ms in answer_phases(measurements)]
    return f"{seconds:g} s of speech: " + ", ".join(parts)


check = TranscriptCheck()
