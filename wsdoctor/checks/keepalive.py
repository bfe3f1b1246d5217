"""keepalive: does what the API documents hold a stream open past its idle window?

On /v1/listen: one chunk of audio first (KeepAlive does not hold a stream that never
had audio), then KeepAlive text frames at Deepgram's recommended pace for one and a
half idle windows. On Flux, which has no KeepAlive message, WebSocket pings do the
holding; its window is a report (about 60 s), so the hold stops at --idle-max and the
report says the window itself was not reached.
"""

from __future__ import annotations

import asyncio

from ..audio.pcm import silence
from ..context import CheckContext, Settings, idle_window, idle_window_reported
from ..deepgram.profiles import PROFILES, V1, ApiProfile
from ..model import CheckResult, Span
from ..net.session import LiveSession
from ..plugin import Details, StreamCheck
from .closure import Closure, classify_close, describe

NOT_HONOURED = "keepalive.not_honoured"
INTERMEDIARY_DROP = "keepalive.intermediary_drop"
SERVER_CLOSED = "keepalive.server_closed"
HOLD_FACTOR = 1.5
PING_ANSWER_S = 2.0  # a pong later than this does not count as holding the stream


def plan(settings: Settings, profile: ApiProfile = V1) -> tuple[float, float]:
    """(interval, how long to hold): scaled to the server's idle window. A window wsdoctor
    has only from a report is not waited out past --idle-max."""
    window = idle_window(settings, profile)
    interval = round(min(profile.keepalive_every_s[0], window / 3), 2)
    hold = window * HOLD_FACTOR
    if idle_window_reported(settings, profile):
        hold = min(hold, settings.idle_max_s)
    return interval, hold


async def hold_idle(session: LiveSession) -> bool:
    """One holding message as the API wants it: KeepAlive, or a ping answered in time."""
    keepalive = session.profile.keepalive
    if keepalive is not None:
        return await session.send_control(keepalive)
    try:
        await asyncio.wait_for(await session.ping(), PING_ANSWER_S)
    except Exception:  # no pong, or the stream ended: the loop's is_open tells which
        return False
    return True


class KeepaliveCheck(StreamCheck):
    id = "keepalive"
    title = "KeepAlive holds an idle stream"
    depends_on = ("handshake",)
    tags = ("slow",)
    causes = (NOT_HONOURED, INTERMEDIARY_DROP, SERVER_CLOSED)

    def deadline_s(self, settings: Settings) -> float:
        hold = max(plan(settings, profile)[1] for profile in PROFILES)
        return hold + PING_ANSWER_S + settings.check_timeout_s

    async def stream(self, ctx: CheckContext) -> CheckResult:
        interval, hold = plan(ctx.settings, ctx.profile)
        sent, last_sent = 0, 0.0
        async with LiveSession(ctx.route, ctx.api_key) as session:
            await session.send_audio(silence(0.1), realtime=False)
            while session.now() < hold and await hold_idle(session):
                sent, last_sent = sent + 1, session.now()
                await session.sleep_unless_closed(min(interval, hold - session.now()))
            if session.is_open:
                await session.send_control(session.profile.close_request)
                await session.wait_closed(ctx.settings.check_timeout_s / 2)
                held = hold
            else:
                held = session.closed_at or 0.0
            outcome = await session.outcome()
        closure = classify_close(outcome)
        what = f"{ctx.profile.keepalive} messages" if ctx.profile.keepalive else "pings"
        measurements = {"held_s": round(held, 3), "keepalive_interval_s": interval}
        details: Details = {
            "measurements": measurements,
            "evidence": {**outcome.evidence(), "keepalives": sent},
            "spans": (Span(f"With {what}", round(held, 3)),),
        }
        if held >= hold:
            text = f"{sent} {what} every {interval:g} s held the stream for {hold:g} s"
            return self.passed(text + unreached(ctx, hold), **details)
        if closure is Closure.NET0001:
            text = f"NET-0001 after {held:.1f} s although {sent} {what} were sent"
            return self.failed(NOT_HONOURED, text, **details)
        if closure is Closure.SERVER_ERROR:
            text = f"the server ended the stream ({describe(outcome)}); see close_frame"
            return self.warned(SERVER_CLOSED, text, **details)
        # How long the stream had been quiet when cut: next to idle_timeout's measurement it
        # tells a hop idle timer shorter than the KeepAlive pace from a lifetime limit.
        quiet = round(held - max(last_sent, session.last_received_s), 2)
        measurements["quiet_before_cut_s"] = quiet
        text = (
            f"the stream was cut after {held:.1f} s despite {what}, {quiet:.1f} s after the "
            f"last frame ({what} every {interval:g} s): {describe(outcome)}"
        )
        return self.failed(INTERMEDIARY_DROP, text, **details)


def unreached(ctx: CheckContext, hold: float) -> str:
    """Said when the hold stopped short of an idle window wsdoctor knows only from a report."""
    window = ctx.idle_window_s
    if hold >= window:
        return ""
    return (
        f"; {ctx.profile.name}'s idle window (about {window:g} s, reported, not documented) "
        "lies beyond this hold and was not measured"
    )


check = KeepaliveCheck()
