"""Naming the platform limit a measured drop sits on, as an extra `info` finding.

The checks measure; they do not know where wsdoctor runs. Here, after the run, a
finding whose measured time (a stream's age or idle time when it was cut) matches a
limit the detected platform documents gains a sibling `info` finding that says which
limit, with its source. It is a finding like any other, so every renderer shows it
without knowing about platforms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..model import CheckResult, Finding, Level
from ..platforms import IDLE, LIFETIME, Match, Platform, limit_matches

DOCUMENTED_LIMIT = "platform.documented_limit"

BOTH = (IDLE, LIFETIME)  # an idle stream that was cut was both idle and that old
# cause -> (the measurement or evidence key with the seconds, the kinds of limit it can hit)
DROP_TIMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "idle_timeout.intermediary_drop": ("idle_close_s", BOTH),
    "idle_timeout.below_keepalive_interval": ("idle_close_s", BOTH),
    "idle_timeout.unexpected_close": ("idle_close_s", BOTH),
    "idle_timeout.silent_drop": ("dead_by_idle_s", BOTH),
    "stability.dropped": ("dropped_at_s", (LIFETIME,)),
    "watch.lifetime_cap": ("age_s", (LIFETIME,)),
}


def measured_seconds(result: CheckResult, finding: Finding) -> float | None:
    """The seconds a drop finding measured: its own evidence first, then the check's."""
    key = DROP_TIMES[finding.cause][0]
    value = finding.evidence.get(key, result.measurements.get(key))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _note(found: Match, cause: str) -> Finding:
    return Finding(
        Level.INFO,
        DOCUMENTED_LIMIT,
        f"The drop ({cause}) at {found.text()}: that limit is the likely cut.",
        {
            "platform": found.platform.id,
            "limit": found.limit.name,
            "limit_s": found.limit.seconds,
            "measured_s": round(found.measured_s, 3),
            "source": found.limit.source,
        },
    )


def platform_notes(result: CheckResult, platforms: Sequence[Platform]) -> CheckResult:
    """The result with one info finding per documented limit one of its drops matches."""
    if not platforms:
        return result
    notes: list[Finding] = []
    for finding in result.findings:
        if finding.cause not in DROP_TIMES or finding.level is Level.INFO:
            continue
        seconds = measured_seconds(result, finding)
        if seconds is None:
            continue
        kinds = DROP_TIMES[finding.cause][1]
        notes += [_note(m, finding.cause) for m in limit_matches(seconds, kinds, platforms)]
    if not notes:
        return result
    return replace(result, findings=(*result.findings, *notes))
