"""idle_timeout: how long does an idle stream live, and who ends it?

Deepgram closes a stream that receives nothing for about 10 s with Metadata and
1011 NET-0001: that is documented behaviour, so it passes (with the advice that
avoids it). A stream that dies sooner without Deepgram's close frame was cut by
something in between, and the measured seconds are what the network team needs.
"""

from __future__ import annotations

from ..closure import Closure, classify_close, describe
from ..context import CheckContext, Settings
from ..model import CheckResult, Span
from ..net.session import LiveSession
from ..plugin import StreamCheck

INTERMEDIARY_DROP = "idle_timeout.intermediary_drop"
SERVER_TIMEOUT = "idle_timeout.server_timeout"
NO_CLOSE_SEEN = "idle_timeout.no_close_seen"


class IdleTimeoutCheck(StreamCheck):
    id = "idle_timeout"
    title = "Idle stream lifetime"
    depends_on = ("handshake",)
    tags = ("slow",)
    causes = (INTERMEDIARY_DROP, SERVER_TIMEOUT, NO_CLOSE_SEEN)

    def deadline_s(self, settings: Settings) -> float:
        return settings.idle_max_s + settings.check_timeout_s

    async def stream(self, ctx: CheckContext) -> CheckResult:
        async with LiveSession(ctx.route, ctx.api_key) as session:
            outcome = await session.wait_closed(ctx.settings.idle_max_s)
        closure = classify_close(outcome)
        closed_at = outcome.closed_at_s
        measurements = {"idle_close_s": closed_at} if closed_at is not None else {}
        spans = (Span("Idle stream", closed_at),) if closed_at is not None else ()
        details = {"measurements": measurements, "evidence": outcome.evidence(), "spans": spans}
        window = ctx.settings.server_idle_s
        if closure is Closure.NET0001:
            summary = (
                f"the server closed the idle stream after {outcome.closed_at_s:.1f} s with "
                "1011 NET-0001, as documented: send KeepAlive every 3-5 s while idle and "
                "CloseStream when done"
            )
            return self.noted(SERVER_TIMEOUT, summary, **details)
        if closure is Closure.STILL_OPEN:
            text = f"still open after {ctx.settings.idle_max_s:g} s; no idle timeout seen"
            return self.warned(NO_CLOSE_SEEN, text, **details)
        seconds = outcome.closed_at_s or 0.0
        when = (
            f"before the server's {window:g} s window" if seconds < window else "without NET-0001"
        )
        text = f"the idle stream was cut after {seconds:.1f} s, {when}: {describe(outcome)}"
        return self.failed(INTERMEDIARY_DROP, text, **details)


check = IdleTimeoutCheck()
