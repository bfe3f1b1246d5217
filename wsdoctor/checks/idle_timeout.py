"""idle_timeout: how long does an idle stream live, and who ends it?

Deepgram closes a stream that receives nothing for about 10 s with Metadata and
1011 NET-0001: that is documented behaviour, so it passes (with the advice that
avoids it). A stream that dies sooner without Deepgram's close frame was cut by
something in between, and the measured seconds are what the network team needs.

A stream still "open" when the watch ends has not necessarily survived: a NAT or
firewall that forgets an idle flow sends nothing, so the close frame is simply lost.
Then the stream is probed (net/probe.py). Only if it no longer answers are side
streams opened, each probed once at a fraction of the window, to bound when the path
died (silence.py): a healthy path costs one stream, not five.
"""

from __future__ import annotations

from ..context import CheckContext, Settings, idle_window_reported, longest_idle_window
from ..deepgram.profiles import ApiProfile
from ..model import CheckResult, Span
from ..net.outcome import Outcome
from ..net.probe import Probe, SideProbes, probe
from ..net.session import LiveSession
from ..plugin import Details, StreamCheck
from .closure import Closure, against_window, classify_close, describe
from .keepalive import plan
from .silence import describe_probes, pong_deadline, probe_times, silent_bounds

INTERMEDIARY_DROP = "idle_timeout.intermediary_drop"
SERVER_TIMEOUT = "idle_timeout.server_timeout"
NO_CLOSE_SEEN = "idle_timeout.no_close_seen"
UNEXPECTED_CLOSE = "idle_timeout.unexpected_close"
SILENT_DROP = "idle_timeout.silent_drop"
BELOW_KEEPALIVE_INTERVAL = "idle_timeout.below_keepalive_interval"


class IdleTimeoutCheck(StreamCheck):
    id = "idle_timeout"
    title = "Idle stream lifetime"
    depends_on = ("handshake",)
    tags = ("slow",)
    causes = (
        INTERMEDIARY_DROP,
        SERVER_TIMEOUT,
        NO_CLOSE_SEEN,
        UNEXPECTED_CLOSE,
        SILENT_DROP,
        BELOW_KEEPALIVE_INTERVAL,
    )

    def deadline_s(self, settings: Settings) -> float:
        probing = pong_deadline(settings.check_timeout_s)
        side = max(probe_times(longest_idle_window(settings), settings.idle_max_s), default=0.0)
        return settings.idle_max_s + side + 2 * probing + settings.check_timeout_s

    async def stream(self, ctx: CheckContext) -> CheckResult:
        settings = ctx.settings
        deadline = pong_deadline(settings.check_timeout_s)
        async with LiveSession(ctx.route, ctx.api_key) as session:
            outcome = await session.wait_closed(settings.idle_max_s)
            last = None if outcome.closed else await probe(session, deadline)
            outcome = await session.outcome()
        if last is not None and last.dead:  # only a dead path pays for the side streams
            times = probe_times(ctx.idle_window_s, settings.idle_max_s)
            async with SideProbes(ctx.route, ctx.api_key, times, deadline) as side:
                return self._silent_drop(ctx, outcome, [*await side.results(), last])
        return self._judge(ctx, outcome, last)

    def _silent_drop(self, ctx: CheckContext, outcome: Outcome, probes: list[Probe]) -> CheckResult:
        """No close frame, and the stream no longer answers: a hop forgot the idle flow."""
        bounds = silent_bounds(probes)
        assert bounds is not None  # the last probe is dead
        text = (
            f"no close frame in {ctx.settings.idle_max_s:g} s, and a ping then got no pong: "
            f"something on the path silently dropped the idle connection; {bounds.text()}. "
            f"the server's idle close (due after about {ctx.idle_window_s:g} s) never arrived"
        )
        measured = {"alive_after_idle_s": bounds.alive_s, "dead_by_idle_s": bounds.dead_by_s}
        details: Details = {
            "measurements": measured,
            "evidence": {**outcome.evidence(), "probes": describe_probes(probes)},
            "spans": (Span("Idle, until silently dropped", bounds.dead_by_s),),
        }
        return self.failed(SILENT_DROP, text, **details)

    def _judge(self, ctx: CheckContext, outcome: Outcome, last: Probe | None) -> CheckResult:
        closure = classify_close(outcome)
        closed_at = outcome.closed_at_s
        measurements = {"idle_close_s": closed_at} if closed_at is not None else {}
        spans = (Span("Idle stream", closed_at),) if closed_at is not None else ()
        evidence = outcome.evidence()
        if last is not None:
            evidence["probes"] = describe_probes([last])
        details: Details = {"measurements": measurements, "evidence": evidence, "spans": spans}
        window = ctx.idle_window_s
        if closure is Closure.NET0001:
            summary = (
                f"the server closed the idle stream after {outcome.closed_at_s:.1f} s with "
                f"1011 NET-0001, {as_known(ctx)}: {holding_advice(ctx.profile)}"
            )
            return self.noted(SERVER_TIMEOUT, summary, **details)
        if closure is Closure.STILL_OPEN:
            text = (
                f"still open after {ctx.settings.idle_max_s:g} s, and it still answers pings; "
                "no idle timeout seen"
            )
            beyond = window > ctx.settings.idle_max_s  # the server's (reported) window
            if beyond and idle_window_reported(ctx.settings, ctx.profile):
                return self.passed(f"{text} (the server's window, about {window:g} s, is longer)",
                                   **details)  # fmt: skip
            return self.warned(NO_CLOSE_SEEN, text, **details)
        seconds = outcome.closed_at_s or 0.0
        when = against_window(seconds, window)
        if closure is Closure.SERVER_ERROR:  # a close frame, but not Deepgram's idle close
            text = (
                f"the idle stream was closed after {seconds:.2f} s ({when}) with "
                f"{describe(outcome).removeprefix('server closed ')}, not 1011 NET-0001"
            )
            return self.failed(UNEXPECTED_CLOSE, text, **details)
        text = (
            f"the idle stream was cut after {seconds:.2f} s ({when}), without NET-0001: "
            f"{describe(outcome)}"
        )
        interval = plan(ctx.settings, ctx.profile)[0]
        holder = ctx.profile.keepalive or "ping"
        if seconds < interval + max(0.1, interval * 0.05):  # at or below, within measurement
            text += (
                f". That is no longer than the {interval:g} s between {holder} messages, so "
                f"{holder} at that pace cannot hold a stream open on this path: send it more "
                f"often than every {seconds:.1f} s, or have the intermediary's idle timeout raised"
            )
            return self.failed(BELOW_KEEPALIVE_INTERVAL, text, **details)
        return self.failed(INTERMEDIARY_DROP, text, **details)


def as_known(ctx: CheckContext) -> str:
    """How wsdoctor knows the server closes idle streams: Deepgram's docs, or only reports."""
    return "as documented" if ctx.profile.idle_window_documented else "its idle close"


def holding_advice(profile: ApiProfile) -> str:
    """What holds an idle stream on this API, as advice."""
    low, high = profile.keepalive_every_s
    holder = profile.keepalive or "WebSocket pings (or audio)"
    return (
        f"send {holder} every {low:g}-{high:g} s while idle and {profile.close_request} when done"
    )


check = IdleTimeoutCheck()
