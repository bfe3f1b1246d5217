"""From what a client did (its ClientRecords) to findings with `client.*` causes.

Pure functions over records, so every rule has a plain unit test and the same
rules judge a stream the lab served and one relayed to the real service. A rule
speaks only of what the client controls: a stream the server ended by an injected
fault is not the client's failure to send CloseStream. The rules live in
stream_rules (what the frames were), timing_rules (when they came) and
session_rules (across connections); this module runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..model import Finding
from ..observe.record import ClientRecord
from . import stream_rules, timing_rules
from .policy import Policy, Scalar, finding
from .session_rules import (
    ChildOutcome,
    after_drops,
    audio_before_open,
    judge_reconnects,
)
from .stream_rules import server_ended_it

Rule = Callable[[ClientRecord, Policy], list[Finding]]

# idle first: when NET-0001 ended the stream, it speaks for the connection
CONNECTION_RULES: tuple[Rule, ...] = (
    timing_rules.idle,
    timing_rules.finalize_wait,
    stream_rules.ending,
    timing_rules.after_close_stream,
    stream_rules.frames,
    stream_rules.audio_format,
    timing_rules.loop_blocked,
    timing_rules.pacing,
    stream_rules.credentials,
)


def judge_connection(record: ClientRecord, policy: Policy) -> list[Finding]:
    if record.status != 101:
        return stream_rules.refused(record, policy)
    return [f for rule in CONNECTION_RULES for f in rule(record, policy)]


def judge_session(
    records: Sequence[ClientRecord], child: ChildOutcome | None, policy: Policy
) -> list[Finding]:
    """Across connections: retries, recovery after drops, the first chunk's header."""
    return (
        judge_reconnects(records) + audio_before_open(records) + after_drops(records, child, policy)
    )


__all__ = [
    "ChildOutcome",
    "Policy",
    "Scalar",
    "finding",
    "judge_connection",
    "judge_reconnects",
    "judge_session",
    "server_ended_it",
]
