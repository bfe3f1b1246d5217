"""Audited connections as report entries: one per connection, one for the session.

An audit reuses the report pipeline of `wsdoctor check`: each connection becomes a
CheckResult (id `connection_N`) whose findings are the judge's, so terminal, JSON,
HTML and JUnit output, root causes and remediation all work unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..deepgram.messages import CLOSE_STREAM, KEEPALIVE
from ..model import CheckResult, Finding, Level, Mark, status_of
from ..observe.record import ClientRecord
from ..plugin import EntryInfo
from .judge import ChildOutcome, Policy, Scalar, judge_connection, judge_session

AUDIT_TAGS = ("audit",)
__all__ = ["ChildOutcome", "audit_results", "connection_result", "session_result"]


def connection_id(index: int) -> str:
    return f"connection_{index}"


def describe_connection(record: ClientRecord) -> str:
    if record.status != 101:  # the finding carries its dg-error; the lab's reason names more
        because = f" ({record.refused_because})" if record.refused_because else ""
        return f"upgrade refused with {record.status}{because}"
    close_stream = CLOSE_STREAM if record.close_stream_sent else f"no {CLOSE_STREAM}"
    first = record.first_close or "nobody"
    return (
        f"{record.duration_s:.1f} s, {record.audio_s:.1f} s of audio, "
        f"{record.keepalive_count} KeepAlive, {close_stream}, first close frame: {first}"
    )


CLIENT_MARKS = {"text": "control", "ping": "control", "empty-binary": "control",
                "binary-control": "control", "close": "client-close",
                "server-close": "server-close", "lab-drop": "drop", "lab-reset": "drop",
                "server": "server"}  # fmt: skip


def timeline(record: ClientRecord, policy: Policy) -> tuple[Mark, ...]:
    """The record's log as timeline marks, plus the longest idle gap if it came near."""
    marks: list[Mark] = []
    for entry in record.messages:
        kind, at = entry["kind"], float(entry["t"])
        if kind == "audio":
            label = f"{entry['frames']} frame(s), {entry['bytes']} bytes"
            marks.append(Mark(at, "audio", label, float(entry["until"])))
        elif kind == "text" and entry.get("type") == KEEPALIVE:
            marks.append(Mark(at, "keepalive", KEEPALIVE))
        elif kind in CLIENT_MARKS:
            label = str(entry.get("type") or entry.get("code") or kind)
            marks.append(Mark(at, CLIENT_MARKS[kind], label))
    if record.max_idle_gap_s >= policy.near_idle_s:
        start = record.max_idle_gap_at
        gap = f"{record.max_idle_gap_s:.1f} s idle"
        marks.append(Mark(start, "idle", gap, round(start + record.max_idle_gap_s, 3)))
    return tuple(marks)


def connection_result(index: int, record: ClientRecord, policy: Policy) -> CheckResult:
    findings = tuple(judge_connection(record, policy))
    return CheckResult(
        check_id=connection_id(index),
        status=status_of(findings),
        summary=describe_connection(record),
        findings=findings,
        measurements={
            "duration_s": record.duration_s,
            "audio_s": record.audio_s,
            "max_idle_gap_s": record.max_idle_gap_s,
        },
        evidence={
            "request_id": record.request_id,
            "query": record.query,
            "auth": record.auth,
            "status": record.status,
            "server_close_code": record.server_close_code,
            "client_close_code": record.client_close_code,
            "tcp_end": record.tcp_end,
            "opened_at_s": record.opened_at,
            "dg_request_id": record.upstream_request_id,  # only a real service's id
        },
        duration_ms=record.duration_s * 1000,
        marks=timeline(record, policy),
    )


def session_result(
    records: Sequence[ClientRecord],
    child: ChildOutcome | None,
    url: str,
    policy: Policy,
    dropped: int = 0,
) -> CheckResult:
    findings: list[Finding] = []
    if not records:
        findings.append(Finding(
            Level.FAIL, "client.never_connected",
            f"No connection reached the audit endpoint; the app should connect to {url}.",
            {"audit_url": url},
        ))  # fmt: skip
    findings += judge_session(records, child, policy)
    summary = f"{len(records) + dropped} connection(s)"
    if dropped:
        summary += f" ({dropped} beyond the first {len(records)} not judged)"
    if child is not None:
        summary += f"; the command {child.describe()}"
    evidence: dict[str, Scalar] = {"connections": len(records), "audit_url": url}
    if child is not None:
        evidence["command_status"] = child.returncode
    return CheckResult("session", status_of(findings), summary, tuple(findings), evidence=evidence)


def audit_results(
    records: Sequence[ClientRecord],
    policy: Policy,
    child: ChildOutcome | None,
    url: str,
    dropped: int = 0,
) -> tuple[list[CheckResult], dict[str, EntryInfo]]:
    """Results in the order connections opened, the session last, and their titles."""
    ordered = sorted(records, key=lambda r: r.opened_at)
    results = [connection_result(i, r, policy) for i, r in enumerate(ordered, 1)]
    titles = {
        connection_id(i): EntryInfo(f"Connection {i} ({r.request_id[:8]})", tags=AUDIT_TAGS)
        for i, r in enumerate(ordered, 1)
    }
    results.append(session_result(ordered, child, url, policy, dropped))
    titles["session"] = EntryInfo("The audited session", tags=AUDIT_TAGS)
    return results, titles
