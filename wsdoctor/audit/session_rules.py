"""Rules across an app's connections, in the order they opened: retries after refusals,
recovery after a dropped stream (with how the app's own process ended), and what a
stream that began without its container header says about the first chunk."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from ..deepgram import guidance
from ..deepgram.closes import classify
from ..model import Finding, Level
from ..observe.record import ClientRecord
from .policy import (
    BACKOFF_GROWTH,
    MIN_BACKOFF_S,
    STORM_ATTEMPTS,
    STORM_WINDOW_S,
    Policy,
    finding,
)
from .stream_rules import server_ended_it

TOO_MANY = 429


@dataclass(frozen=True)
class ChildOutcome:
    """How the audited command ended: an exit status, a signal, or still running at the end."""

    argv: tuple[str, ...]
    returncode: int | None  # None: stopped by wsdoctor at --duration

    def describe(self) -> str:
        if self.returncode is None:
            return "was stopped at the end of --duration"
        if self.returncode < 0:
            return f"was killed by signal {-self.returncode}"
        return f"exited with status {self.returncode}"

    @property
    def failed(self) -> bool:
        """Exited non-zero or was killed, by anything but wsdoctor."""
        return self.returncode is not None and self.returncode != 0


def in_order(records: Sequence[ClientRecord]) -> list[ClientRecord]:
    return sorted(records, key=lambda r: r.opened_at)


def judge_reconnects(records: Sequence[ClientRecord]) -> list[Finding]:
    """Storms of retries after refusals that will not change, and no backoff after 429."""
    ordered = in_order(records)
    out: list[Finding] = []
    refused = [r for r in ordered if 400 <= r.status < 500 and r.status != TOO_MANY]
    storm = _densest(refused)
    if storm >= STORM_ATTEMPTS:
        statuses = "/".join(sorted({str(r.status) for r in refused}))
        out.append(finding(
            Level.FAIL, "client.reconnect_storm",
            f"After a refused upgrade ({statuses}) the app retried {storm} times within "
            f"{STORM_WINDOW_S:g} s: {guidance.REFUSALS_DO_NOT_CHANGE.cited()}.",
            attempts=storm, statuses=statuses,
        ))  # fmt: skip
    out += _backoff_after_429(_waits_after_429(ordered))
    return out


def _densest(records: Sequence[ClientRecord]) -> int:
    """Most records opened within any STORM_WINDOW_S (records in opening order)."""
    best, start = 0, 0
    for end, last in enumerate(records):
        while last.opened_at - records[start].opened_at > STORM_WINDOW_S:
            start += 1
        best = max(best, end - start + 1)
    return best


def _waits_after_429(ordered: Sequence[ClientRecord]) -> list[float]:
    return [
        after.opened_at - before.opened_at
        for before, after in itertools.pairwise(ordered)
        if before.status == TOO_MANY
    ]


def _backoff_after_429(waits: list[float]) -> list[Finding]:
    hasty = next((w for w in waits if w < MIN_BACKOFF_S), None)
    if hasty is not None:
        return [finding(
            Level.FAIL, "client.no_backoff",
            f"After a 429 the app tried again {hasty:.2f} s later: "
            f"{guidance.BACK_OFF_ON_429.cited()}.",
            retry_after_s=round(hasty, 3),
        )]  # fmt: skip
    if len(waits) >= 3 and waits[-1] < waits[0] * BACKOFF_GROWTH:
        return [finding(
            Level.WARN, "client.no_backoff",
            f"After {len(waits)} refusals with 429 the app waited about the same each time "
            f"({waits[0]:.2f} s, then {waits[-1]:.2f} s): {guidance.BACK_OFF_ON_429.cited()}.",
            first_wait_s=round(waits[0], 3), last_wait_s=round(waits[-1], 3),
        )]  # fmt: skip
    return []


def after_drops(
    records: Sequence[ClientRecord], child: ChildOutcome | None, policy: Policy
) -> list[Finding]:
    """After each stream the server ended: whether and how soon the app came back, what of
    its audio it kept, and, when it never came back, how its process ended."""
    ordered = in_order(records)
    opened = [r.opened_at for r in ordered]
    out: list[Finding] = []
    for i, record in enumerate(ordered):
        if record.status != 101 or not server_ended_it(record):
            continue
        ended_at = record.opened_at + record.duration_s
        j = bisect.bisect_left(opened, ended_at - 0.001, lo=i + 1)
        if j < len(ordered):
            out.append(_came_back(i + 1, record, ordered[j], policy))
        else:
            out.append(_never_came_back(i + 1, record, child))
    return out


def _came_back(number: int, dropped: ClientRecord, again: ClientRecord, policy: Policy) -> Finding:
    delay = again.opened_at - dropped.opened_at - dropped.duration_s
    text = f"After the server ended stream {number}, the app reconnected {delay:.2f} s later."
    lost = audio_not_sent(dropped, again)
    if lost is not None and lost >= policy.lost_audio_min_s:
        text += (
            f" Its audio resumed without catching up (the new stream ran at most "
            f"{again.audio_lead_s:.2f} s ahead of real time): if its source kept producing "
            f"meanwhile, about {lost:.1f} s of audio was never sent."
        )
    if again.headerless and dropped.first_container == again.headerless:
        text += (
            f" The new stream began without the {again.headerless} header that stream "
            f"{number} began with."
        )
    return finding(
        Level.INFO, "client.reconnect", text,
        reconnect_after_s=round(delay, 3),
        audio_not_sent_s=None if lost is None else round(lost, 3),
    )  # fmt: skip


def audio_not_sent(dropped: ClientRecord, again: ClientRecord) -> float | None:
    """Seconds between the last audio on the dropped stream and the first on the new one,
    less what the new stream sent ahead of real time (a backlog kept through the gap).
    None when either stream had no audio whose seconds can be counted."""
    if dropped.last_audio_at is None or again.first_audio_at is None or not dropped.audio_s:
        return None
    gap = (again.opened_at + again.first_audio_at) - (dropped.opened_at + dropped.last_audio_at)
    return max(0.0, gap - again.audio_lead_s)


def _never_came_back(number: int, record: ClientRecord, child: ChildOutcome | None) -> Finding:
    how = _how_it_ended(record)
    if child is None:
        return finding(
            Level.INFO, "client.reconnect",
            f"After the server ended stream {number} ({how}), the app did not reconnect.",
            reconnect_after_s=None,
        )  # fmt: skip
    level = Level.FAIL if child.failed else Level.WARN
    return finding(
        level, "client.no_reconnect",
        f"After the server ended stream {number} ({how}), the app did not reconnect, and "
        f"the command {child.describe()}: {guidance.RECONNECT_ON_DROP.cited()}.",
        stream=number, command_status=child.returncode,
    )  # fmt: skip


def _how_it_ended(record: ClientRecord) -> str:
    if record.tcp_end == "lab-reset":
        return "a TCP reset"
    if record.tcp_end == "lab-drop":
        return "TCP dropped with no close frame"
    kind = classify(record.server_close_code, record.server_close_reason)
    return f"closed with {record.server_close_code} ({kind})"


def audio_before_open(records: Sequence[ClientRecord]) -> list[Finding]:
    """The first stream of the session began without its container header: the recorder's
    first chunk, which alone carries it, never reached any stream. For raw audio nothing on
    the wire shows audio dropped before the open."""
    opened = [r for r in in_order(records) if r.status == 101 and r.audio_frames]
    with_header = [r for r in opened if r.first_container and not r.headerless]
    if not opened or not opened[0].headerless or with_header:
        return []
    container = opened[0].headerless
    return [finding(
        Level.FAIL, "client.audio_before_open",
        f"The app's first stream began with a {container} chunk that has no header, and no "
        "stream of the session got the header: the recorder's first chunk, which alone "
        "carries it, was produced before the socket opened and dropped. "
        f"{guidance.CONTAINER_HEADER.cited()}.",
        container=container,
    )]  # fmt: skip
