"""clock_skew: is this machine's clock in step with the Deepgram host's?

A clock minutes off makes a fresh certificate look not yet valid (or an old one still
valid), makes short-lived tokens look expired, and makes log times impossible to match
with the dg-request-id records Deepgram support asks for. Every HTTP answer carries the
server's clock in its `Date` header, so one request to the REST host through the run's
route (`ctx.http()`: the same proxy, `--ca-file` and deadlines as the streams) measures it.

`Date` has whole seconds, and the server read its clock somewhere during the round trip,
so the check judges the least the clock can be off: the measured offset less that slack.
"""

from __future__ import annotations

import time
from datetime import UTC
from email.utils import parsedate_to_datetime

from wsdoctor import CauseEntry, Check, CheckContext, CheckResult, Finding, Level, Phase

SKEWED = "clock_skew.skewed"
WARN_S = 5.0  # logs stop lining up with Deepgram's, and tokens near expiry misbehave
FAIL_S = 300.0  # certificates and tokens are judged minutes wrong
PATH = "/v1/projects"  # any answer carries a Date: no key is sent, a 401 does as well
TROUBLESHOOTING = (
    "https://developers.deepgram.com/docs/"
    "troubleshooting-websocket-data-and-net-errors-when-live-streaming-audio"
)

CAUSES: dict[str, CauseEntry] = {
    SKEWED: {
        "title": "This machine's clock is off",
        "meaning": (
            "The system clock differs from the Deepgram host's by more than a few seconds. "
            "Certificates can look not yet valid or expired, temporary tokens can look "
            "expired, and log times no longer match Deepgram's records of your requests."
        ),
        "steps": [
            "Turn on time synchronisation (NTP: systemd-timesyncd, chrony, or the "
            "cloud provider's time service) and check it is reachable through the firewall.",
            "In a container or VM, fix the host's clock: guests take it from the host.",
            "Run wsdoctor check --only clock_skew again to confirm the offset is gone.",
        ],
        "section": "Conclusion",  # one of wsdoctor.SEED_SECTIONS: the registry refuses others
        "links": [TROUBLESHOOTING],
    }
}


class ClockSkewCheck(Check):
    id = "clock_skew"
    title = "Clock in step with the Deepgram host"
    depends_on = ("tls",)  # a TLS failure is the tls check's to name; without TLS it skips
    tags = ("network",)
    causes = CAUSES

    async def run(self, ctx: CheckContext) -> CheckResult:
        # Network errors escape on purpose: the runner names them (network.verify_failed...).
        async with ctx.http() as client:
            sent, started = time.time(), time.monotonic()
            response = await client.get(PATH)
            round_trip = time.monotonic() - started
        header = response.headers.get("date")
        server = _parse_date(header)
        if server is None:
            return self.skipped(f"the REST host sent no usable Date header ({header!r})")
        skew = server + 0.5 - (sent + round_trip / 2)  # > 0: this machine is behind
        slack = 0.5 + round_trip / 2
        return self._judge(skew, slack, header or "", round_trip)

    def _judge(self, skew: float, slack: float, header: str, round_trip: float) -> CheckResult:
        least = max(0.0, abs(skew) - slack)  # the least the clock can be off
        level = Level.FAIL if least >= FAIL_S else Level.WARN if least >= WARN_S else None
        way = "behind" if skew > 0 else "ahead of"
        message = (
            f"this machine's clock is {abs(skew):.1f} s {way} the REST host's (±{slack:.1f} s)"
        )
        return self.verdict(
            message if level else f"in step with the REST host: {skew:+.1f} s (±{slack:.1f} s)",
            [Finding(level, SKEWED, message)] if level else [],
            measurements={"skew_s": round(skew, 3), "uncertainty_s": round(slack, 3)},
            evidence={"date_header": header},
            phases=[Phase("REST Date", round(round_trip * 1000, 1))],
        )


def _parse_date(header: str | None) -> float | None:
    """An HTTP Date (RFC 9110: IMF-fixdate, in GMT) as a POSIX time, or None."""
    if not header:
        return None
    try:
        parsed = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:  # "-0000": GMT by the HTTP rules
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


check = ClockSkewCheck()
