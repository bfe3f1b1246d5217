"""close_frame: does a stream end the way the article asks, with a close frame both ways?

Part one streams ~2 s of real-time speech and sends CloseStream: Deepgram must
answer with final Results, then Metadata, then a 1000 close frame. Part two
closes from the client side and checks that the close frame is echoed.
"""

from __future__ import annotations

from ..audio.plan import plan_audio
from ..audio.speech import speech
from ..context import CheckContext, Settings
from ..deepgram.profiles import ApiProfile
from ..model import CheckResult, Finding, Level, Span
from ..net.session import LiveSession, Outcome
from ..plugin import StreamCheck
from .closure import Closure, classify_close, describe

NO_CLOSE_FRAME = "close_frame.no_close_frame"
NO_CLOSE_REPLY = "close_frame.no_close_reply"
TIMEOUT = "close_frame.timeout"
UNEXPECTED_CODE = "close_frame.unexpected_code"
NO_METADATA = "close_frame.no_metadata"

AUDIO_S = 2.0
QUICK_AUDIO_S = 0.5
CLOSE_WAIT_S = 5.0
ECHO_WAIT_S = 3.0
# Most telling first: when both parts fail, both are findings, in this order.
PRIORITY = (NO_CLOSE_FRAME, UNEXPECTED_CODE, NO_METADATA, NO_CLOSE_REPLY, TIMEOUT)


def clean_end(profile: ApiProfile) -> str:
    """How the API ends a stream after CloseStream, in one line."""
    start = f"{profile.close_request} -> final {profile.transcript_message}"
    if profile.final_message is None:
        return f"{start}, close without status"
    return f"{start}, {profile.final_message}, {profile.clean_close_code}"


def after_close_stream(outcome: Outcome) -> tuple[str | None, str]:
    closure = classify_close(outcome)
    if closure is Closure.CLEAN:
        return None, clean_end(outcome.profile)
    if closure is Closure.STILL_OPEN:
        return TIMEOUT, "CloseStream got no close frame in time"
    if closure is Closure.BARE_1000:
        return NO_METADATA, "1000 close after CloseStream, but no Metadata before it"
    if closure is Closure.NO_CLOSE_FRAME:
        return NO_CLOSE_FRAME, f"after CloseStream: {describe(outcome)}"
    if closure is Closure.NO_CLOSE_REPLY:
        return NO_CLOSE_REPLY, describe(outcome)
    return UNEXPECTED_CODE, f"after CloseStream: {describe(outcome)}"


def after_client_close(outcome: Outcome) -> tuple[str | None, str]:
    closure = classify_close(outcome)
    if closure in (Closure.CLIENT_CLOSED, Closure.CLEAN):
        return None, "client close() echoed"
    if closure is Closure.NO_CLOSE_REPLY:
        return NO_CLOSE_REPLY, f"client close(): {describe(outcome)}"
    if closure is Closure.NO_CLOSE_FRAME:
        return NO_CLOSE_FRAME, f"client close(): {describe(outcome)}"
    return UNEXPECTED_CODE, f"client close(): {describe(outcome)}"


class CloseFrameCheck(StreamCheck):
    id = "close_frame"
    title = "Close-frame round trip"
    depends_on = ("handshake",)
    tags = ("network",)
    causes = PRIORITY

    def deadline_s(self, settings: Settings) -> float:
        return AUDIO_S + CLOSE_WAIT_S + ECHO_WAIT_S + 2 * settings.check_timeout_s

    async def stream(self, ctx: CheckContext) -> CheckResult:
        plan_audio(ctx.route.target.url).require()  # NotApplicable: a skip, before connecting
        first = await self._close_stream(ctx)
        second = await self._client_close(ctx)
        parts = (after_close_stream(first), after_client_close(second))
        evidence = {f"close_stream_{k}": v for k, v in first.evidence().items()}
        evidence.update({f"client_close_{k}": v for k, v in second.evidence().items()})
        measurements: dict[str, float] = {}
        spans: tuple[Span, ...] = ()
        if first.closed_at_s is not None:
            measurements["close_after_audio_s"] = first.closed_at_s
            spans = (Span("Audio, then CloseStream", first.closed_at_s),)
        findings = [Finding(Level.FAIL, cause, text) for cause, text in parts if cause]
        findings.sort(key=lambda f: PRIORITY.index(f.cause))
        summary = "; ".join(f.message for f in findings) or "; ".join(t for _, t in parts)
        return self.verdict(
            summary, findings, measurements=measurements, evidence=evidence, spans=spans
        )

    async def _close_stream(self, ctx: CheckContext) -> Outcome:
        async with LiveSession(ctx.route, ctx.api_key, close_timeout=2) as session:
            seconds = QUICK_AUDIO_S if ctx.settings.quick else AUDIO_S
            if await session.send_audio(speech(seconds)):
                await session.send_control(session.profile.close_request)
            return await session.wait_closed(min(CLOSE_WAIT_S, ctx.settings.check_timeout_s))

    async def _client_close(self, ctx: CheckContext) -> Outcome:
        echo_wait = min(ECHO_WAIT_S, ctx.settings.check_timeout_s)
        async with LiveSession(ctx.route, ctx.api_key, close_timeout=echo_wait) as session:
            await session.send_audio(speech(0.2), realtime=False)
            return await session.close()


check = CloseFrameCheck()
