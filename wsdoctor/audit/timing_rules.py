"""Rules on when a connection's frames came: idle stretches, the audio's pace, a stalled
event loop, and waits with no deadline after CloseStream or Finalize. Pure functions of
a ClientRecord; each message says the rule it applies and where the rule comes from."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ..deepgram import guidance
from ..deepgram.closes import is_idle_timeout
from ..deepgram.messages import KEEPALIVE
from ..deepgram.profiles import V1, profile_for
from ..model import Finding, Level
from ..observe.record import ClientRecord
from .policy import Policy, finding
from .stream_rules import left_at, server_ended_it


def timed_out(record: ClientRecord) -> bool:
    """The server ended the stream with NET-0001 (nothing held it for its window)."""
    return record.first_close == "server" and is_idle_timeout(
        record.server_close_code, record.server_close_reason
    )


def keepalive_cadence(record: ClientRecord) -> float | None:
    """The app's own KeepAlive interval (the median: one late KeepAlive does not move it);
    None without three KeepAlive to tell a rhythm from, or on an API without KeepAlive."""
    if (profile_for(record.path) or V1).keepalive is None:
        return None  # Flux is held by pings: its rules are the Flux profile's
    gaps = record.keepalive_gaps_s
    return round(statistics.median(gaps), 3) if len(gaps) >= 2 else None


def idle(record: ClientRecord, policy: Policy) -> list[Finding]:
    gap, start = record.max_idle_gap_s, record.max_idle_gap_at
    pending = record.finalize_pending_at
    if pending is not None and pending >= start:
        return []  # the app was waiting for a Finalize reply: finalize_wait speaks
    held_none = [k for k in record.keepalive_at if start < k < start + gap]
    evidence = {"idle_gap_s": gap, "idle_gap_from_s": start,
                "keepalives": record.keepalive_count,
                "keepalive_every_s": keepalive_cadence(record)}  # fmt: skip
    window = f"(the audited window: {policy.idle_window_s:g} s)"
    if timed_out(record):
        stall = _stalled_before_timeout(record, policy)
        if stall:
            return [stall]
        what = _idle_what(record, gap, held_none)
        return [finding(
            Level.FAIL, "client.idle_gap",
            f"{what}, and the server closed the stream with NET-0001: "
            f"{guidance.IDLE_WINDOW.cited()} {window}. {_idle_advice(record, held_none)}",
            **evidence,
        )]  # fmt: skip
    if gap >= policy.near_idle_s:
        return [finding(
            Level.WARN, "client.idle_gap",
            f"{_idle_what(record, gap, held_none)} (from {start:.1f} s), close to the window "
            f"after which {guidance.IDLE_WINDOW.cited()} {window}. "
            f"{_idle_advice(record, held_none)}",
            **evidence,
        )]  # fmt: skip
    return []


def _idle_what(record: ClientRecord, gap: float, held_none: list[float]) -> str:
    if held_none:
        return f"For {gap:.1f} s the stream received nothing that holds it"
    return f"The app sent neither audio nor {KEEPALIVE} for {gap:.1f} s"


def _idle_advice(record: ClientRecord, held_none: list[float]) -> str:
    if held_none:
        return (
            f"The app sent {len(held_none)} {KEEPALIVE} in that stretch, before any audio, "
            f"which does not count: {guidance.KEEPALIVE_NEEDS_AUDIO.cited()}."
        )
    if not record.keepalive_count:
        return f"It sent no {KEEPALIVE}: {guidance.KEEPALIVE_PACE.cited()}."
    cadence = keepalive_cadence(record)
    every = f", about every {cadence:g} s" if cadence is not None else ""
    return (
        f"It sent {record.keepalive_count} {KEEPALIVE}{every}, none in that stretch: "
        f"{guidance.KEEPALIVE_PACE.cited()}."
    )


def _stalled_before_timeout(record: ClientRecord, policy: Policy) -> Finding | None:
    """KeepAlive came on a rhythm and then stopped until NET-0001: 'KeepAlive on, still
    NET-0001', which Deepgram's maintainers trace to a blocked event loop."""
    cadence = keepalive_cadence(record)
    gap = record.max_idle_gap_s
    if cadence is None or gap < _keepalive_stall(cadence, policy):
        return None
    return finding(
        Level.FAIL, "client.loop_blocked",
        f"The app sent {KEEPALIVE} about every {cadence:.2f} s, then nothing at all for "
        f"{gap:.1f} s, until the server closed the stream: {guidance.IDLE_WINDOW.cited()}. "
        f"Its {KEEPALIVE} timer stopped firing: a task on "
        "a blocked event loop (a blocking call in a coroutine, long CPU work) sends nothing "
        "until the loop is free, or the task sending KeepAlive ended.",
        keepalive_every_s=cadence, stall_s=gap, stall_from_s=record.max_idle_gap_at,
    )  # fmt: skip


def _keepalive_stall(cadence: float, policy: Policy) -> float:
    return max(policy.keepalive_stall_ratio * cadence, cadence + policy.stall_min_s)


@dataclass(frozen=True)
class Stall:
    at: float
    gap_s: float
    shown_by: str  # "keepalive" (a late KeepAlive) or "burst" (audio rushed out after)
    pace_s: float  # the app's own interval the gap is measured against
    burst: int


def stalls(record: ClientRecord, policy: Policy) -> list[Stall]:
    """Pauses in which the app sent nothing at all and then caught up: a late KeepAlive
    against its own rhythm, or audio rushed out against its own pace."""
    cadence = keepalive_cadence(record)
    found = []
    for p in record.pauses:
        gap, pace, burst = p["gap_s"], p["pace_s"], p["burst"]
        if p["ended_by"] == KEEPALIVE and cadence and gap >= _keepalive_stall(cadence, policy):
            found.append(Stall(p["at"], gap, "keepalive", cadence, burst))
        elif _rushed_audio(p, policy):
            found.append(Stall(p["at"], gap, "burst", pace, burst))
    return sorted(found, key=lambda s: s.at)


def _rushed_audio(pause: dict, policy: Policy) -> bool:
    pace = pause["pace_s"]
    if pause["ended_by"] != "audio" or pace is None or pace < policy.min_audio_pace_s:
        return False  # no rhythm to compare with, or an app that sends in batches anyway
    floor = max(policy.audio_stall_ratio * pace, policy.stall_min_s)
    return pause["burst"] >= policy.min_burst_frames and pause["gap_s"] >= floor


def loop_blocked(record: ClientRecord, policy: Policy) -> list[Finding]:
    found = stalls(record, policy)
    if not found:
        return []
    worst = max(found, key=lambda s: s.gap_s)
    shown = (
        f"its {KEEPALIVE}, otherwise about every {worst.pace_s:.2f} s, came {worst.gap_s:.2f} s "
        "after the frame before"
        if worst.shown_by == "keepalive"
        else f"after {worst.gap_s:.2f} s with no frame at all, {worst.burst} audio frames "
        f"came in a rush (its pace is about one every {worst.pace_s * 1000:.0f} ms)"
    )
    return [finding(
        Level.WARN, "client.loop_blocked",
        f"The app stalled {len(found)} time(s): at {worst.at:.1f} s {shown}. Frames that stop "
        "and then catch up come from a blocked event loop (a blocking call in a coroutine, "
        f"long CPU work): results arrive late, and a stall as long as the idle window ends "
        f"the stream: {guidance.IDLE_WINDOW.cited()}.",
        stalls=len(found), stall_s=worst.gap_s, stall_from_s=worst.at, pace_s=worst.pace_s,
    )]  # fmt: skip


def pacing(record: ClientRecord, policy: Policy) -> list[Finding]:
    if record.first_audio_at is None or record.last_audio_at is None or not record.audio_s:
        return []  # no audio, or a format whose seconds cannot be counted
    if stalls(record, policy):
        return []  # a stalled loop explains the pace; loop_blocked speaks
    wall = record.last_audio_at - record.first_audio_at - record.paused_s  # KeepAlive pauses out
    if wall < policy.min_paced_s or record.max_audio_gap_s >= policy.near_idle_s:
        return []  # too short to judge, or one long pause that idle_gap already names
    pace = record.audio_s / wall
    if pace < policy.slow_pace_ratio:
        return [finding(
            Level.WARN, "client.slow_audio",
            f"The app sent {record.audio_s:.1f} s of audio over {wall:.1f} s "
            f"({pace:.0%} of real time): transcripts lag behind the speaker.",
            pace=round(pace, 3),
        )]  # fmt: skip
    if policy.burst_gap_s <= record.max_audio_gap_s < policy.near_idle_s:  # longer: idle_gap
        return [finding(
            Level.WARN, "client.bursty_audio",
            f"Audio came in bursts: the longest pause between two audio frames was "
            f"{record.max_audio_gap_s:.1f} s.",
            max_audio_gap_s=record.max_audio_gap_s,
        )]  # fmt: skip
    return []


def after_close_stream(record: ClientRecord, policy: Policy) -> list[Finding]:
    """Still connected long after an unanswered CloseStream; KeepAlive after CloseStream."""
    at = record.close_stream_at
    if at is None:
        return []
    out: list[Finding] = []
    answered = record.server_close_code is not None or server_ended_it(record)
    waited = left_at(record) - at
    if not answered and waited >= policy.close_deadline:
        until = " when the audit stopped it" if record.ended_by_audit else ""
        out.append(finding(
            Level.FAIL, "client.no_close_deadline",
            f"The app sent CloseStream at {at:.1f} s, got no answer, and was still connected "
            f"{waited:.1f} s later{until}: its wait for the server's close has no deadline. "
            f"{guidance.CLOSE_STREAM_ANSWER.cited()}; Deepgram names no time for that answer, "
            "so a wait without a timeout hangs when it never comes.",
            close_stream_at=at, waited_s=round(waited, 3),
        ))  # fmt: skip
    if record.keepalive_after_close_stream:
        out.append(finding(
            Level.WARN, "client.keepalive_after_close_stream",
            f"The app sent {record.keepalive_after_close_stream} {KEEPALIVE} after "
            "CloseStream: the task sending them outlived the stream's end.",
            keepalives=record.keepalive_after_close_stream,
        ))  # fmt: skip
    return out


def finalize_wait(record: ClientRecord, policy: Policy) -> list[Finding]:
    """A Finalize that got no reply, after which the app sent no audio and no CloseStream
    until the server gave up, the audit stopped it, or the deadline passed."""
    at = record.finalize_pending_at
    if at is None or server_ended_it(record):
        return []
    idle_end = timed_out(record) and record.last_server_at is not None
    end = record.last_server_at if idle_end else left_at(record)
    waited = (end or 0.0) - at
    if not idle_end and waited < policy.close_deadline:
        return []
    until = (
        ", until the server closed the stream with NET-0001"
        if idle_end
        else " when the audit stopped it"
        if record.ended_by_audit
        else ""
    )
    return [finding(
        Level.FAIL, "client.finalize_wait",
        f"The app sent Finalize at {at:.1f} s, got no reply, and then sent no audio and no "
        f"CloseStream for {waited:.1f} s{until}: it waited for the reply with no deadline. "
        f"{guidance.FINALIZE_REPLY_NOT_GUARANTEED.cited()}.",
        finalize_at=at, waited_s=round(waited, 3),
    )]  # fmt: skip
