"""keepalive: do KeepAlive messages hold a stream open past the idle window?

One chunk of audio first (KeepAlive does not hold a stream that never had
audio), then {"type": "KeepAlive"} text frames at Deepgram's recommended pace
for one and a half idle windows.
"""

from __future__ import annotations

from ..audio.pcm import silence
from ..context import CheckContext, Settings
from ..deepgram import messages
from ..deepgram.profiles import V1
from ..model import CheckResult, Span
from ..net.session import LiveSession
from ..plugin import Details, StreamCheck
from .closure import Closure, classify_close, describe

NOT_HONOURED = "keepalive.not_honoured"
INTERMEDIARY_DROP = "keepalive.intermediary_drop"
SERVER_CLOSED = "keepalive.server_closed"
RECOMMENDED_INTERVAL_S = V1.keepalive_every_s[0]  # the fast end of Deepgram's 3-5 s
HOLD_FACTOR = 1.5


def plan(settings: Settings) -> tuple[float, float]:
    """(interval, how long to hold): scaled to the server's idle window."""
    window = settings.server_idle_s
    return round(min(RECOMMENDED_INTERVAL_S, window / 3), 2), window * HOLD_FACTOR


class KeepaliveCheck(StreamCheck):
    id = "keepalive"
    title = "KeepAlive holds an idle stream"
    depends_on = ("handshake",)
    tags = ("slow",)
    causes = (NOT_HONOURED, INTERMEDIARY_DROP, SERVER_CLOSED)

    def deadline_s(self, settings: Settings) -> float:
        return plan(settings)[1] + settings.check_timeout_s

    async def stream(self, ctx: CheckContext) -> CheckResult:
        interval, hold = plan(ctx.settings)
        sent, last_sent = 0, 0.0
        async with LiveSession(ctx.route, ctx.api_key) as session:
            await session.send_audio(silence(0.1), realtime=False)
            while session.now() < hold and await session.send_control(messages.KEEPALIVE):
                sent, last_sent = sent + 1, session.now()
                await session.sleep_unless_closed(min(interval, hold - session.now()))
            if session.is_open:
                await session.send_control(V1.close_request)
                await session.wait_closed(ctx.settings.check_timeout_s / 2)
                held = hold
            else:
                held = session.closed_at or 0.0
            outcome = await session.outcome()
        closure = classify_close(outcome)
        measurements = {"held_s": round(held, 3), "keepalive_interval_s": interval}
        details: Details = {
            "measurements": measurements,
            "evidence": {**outcome.evidence(), "keepalives": sent},
            "spans": (Span("With KeepAlive", round(held, 3)),),
        }
        if held >= hold:
            text = f"{sent} KeepAlive messages every {interval:g} s held the stream for {hold:g} s"
            return self.passed(text, **details)
        if closure is Closure.NET0001:
            text = f"NET-0001 after {held:.1f} s although {sent} KeepAlive messages were sent"
            return self.failed(NOT_HONOURED, text, **details)
        if closure is Closure.SERVER_ERROR:
            text = f"the server ended the stream ({describe(outcome)}); see close_frame"
            return self.warned(SERVER_CLOSED, text, **details)
        # How long the stream had been quiet when cut: next to idle_timeout's measurement it
        # tells a hop idle timer shorter than the KeepAlive pace from a lifetime limit.
        quiet = round(held - max(last_sent, session.last_received_s), 2)
        measurements["quiet_before_cut_s"] = quiet
        text = (
            f"the stream was cut after {held:.1f} s despite KeepAlive, {quiet:.1f} s after the "
            f"last frame (KeepAlive every {interval:g} s): {describe(outcome)}"
        )
        return self.failed(INTERMEDIARY_DROP, text, **details)


check = KeepaliveCheck()
