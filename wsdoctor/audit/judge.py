"""From what a client did (its ClientRecords) to findings with `client.*` causes.

Pure functions over records, so every rule has a plain unit test and the same
rules judge a stream the lab served and one relayed to the real service. A rule
speaks only of what the client controls: a stream the server ended by an injected
fault is not the client's failure to send CloseStream.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from ..deepgram.closes import ServerClose, classify, is_idle_timeout
from ..deepgram.profiles import V1
from ..model import Finding, Level
from ..observe.record import ClientRecord

Scalar = str | int | float | bool | None

STORM_ATTEMPTS = 5  # refused upgrades within STORM_WINDOW_S that make a reconnect storm
STORM_WINDOW_S = 10.0
MIN_BACKOFF_S = 1.0  # the least wait after a 429 that counts as backing off


@dataclass(frozen=True)
class Policy:
    idle_window_s: float = V1.idle_window_s  # the server's NET-0001 window (lab's or Deepgram's)
    near_idle_ratio: float = 0.8  # 8 s of Deepgram's 10: NET-0001 is near
    slow_pace_ratio: float = 0.5  # audio seconds per wall second below this: transcripts lag
    min_paced_s: float = 2.0  # pacing is judged on at least this much streaming time
    burst_gap_s: float = 2.0  # a pause between audio frames this long makes bursts

    @property
    def near_idle_s(self) -> float:
        return self.idle_window_s * self.near_idle_ratio


def finding(level: Level, cause: str, message: str, **evidence: Scalar) -> Finding:
    return Finding(level, cause, message, evidence)


def judge_connection(record: ClientRecord, policy: Policy) -> list[Finding]:
    if record.status != 101:
        return []  # a refused upgrade: judged across connections (reconnects)
    rules = (  # idle first: when NET-0001 ended the stream, it speaks for the connection
        _idle,
        _ending,
        _frames,
        _audio_format,
        _pacing,
        _credentials,
    )
    return [f for rule in rules for f in rule(record, policy)]


def server_ended_it(record: ClientRecord) -> bool:
    """The server closed or dropped the stream for a reason of its own (not NET-0001)."""
    if record.tcp_end in ("lab-drop", "lab-reset"):
        return True
    if record.first_close != "server":
        return False
    ending = classify(record.server_close_code, record.server_close_reason)
    return ending not in (None, ServerClose.NORMAL, ServerClose.NET0001)


def _ending(record: ClientRecord, policy: Policy) -> list[Finding]:
    if server_ended_it(record) or record.ended_by_audit:
        return []  # the server's fault injection, or wsdoctor stopping the app, ended it
    out: list[Finding] = []
    ended = record.tcp_end is not None
    if ended and not record.close_stream_sent and record.audio_frames:
        out.append(finding(
            Level.FAIL, "client.no_close_stream",
            "The stream ended without CloseStream: the last audio's transcripts and the "
            "Metadata were never asked for.",
            tcp_end=record.tcp_end, server_close_code=record.server_close_code,
        ))  # fmt: skip
    if record.closed_before_final:
        out.append(finding(
            Level.FAIL, "client.closed_before_final",
            "The app sent CloseStream but closed the connection before the final Results, "
            "the Metadata and the server's close frame arrived.",
            close_stream_at=record.close_stream_at, duration_s=record.duration_s,
        ))  # fmt: skip
    if record.tcp_end == "client-eof" and record.first_close is None:
        out.append(finding(
            Level.FAIL, "client.no_close_frame",
            "The app's TCP connection ended with no close frame from the app "
            "(a killed or exiting process, or a socket closed without closing the WebSocket).",
            duration_s=record.duration_s,
        ))  # fmt: skip
    return out


def _idle(record: ClientRecord, policy: Policy) -> list[Finding]:
    gap = record.max_idle_gap_s
    cadence = _cadence(record)
    evidence = {"idle_gap_s": gap, "idle_gap_from_s": record.max_idle_gap_at,
                "keepalives": record.keepalive_count, "keepalive_every_s": cadence}  # fmt: skip
    timed_out = record.first_close == "server" and is_idle_timeout(
        record.server_close_code, record.server_close_reason
    )
    if timed_out:
        return [finding(
            Level.FAIL, "client.idle_gap",
            f"The app sent neither audio nor KeepAlive for {gap:.1f} s and the server closed "
            f"the stream with NET-0001 (its window is {policy.idle_window_s:g} s). "
            f"{_cadence_text(record, cadence)}",
            **evidence,
        )]  # fmt: skip
    if gap >= policy.near_idle_s:
        return [finding(
            Level.WARN, "client.idle_gap",
            f"The app went {gap:.1f} s without audio or KeepAlive "
            f"(from {record.max_idle_gap_at:.1f} s); "
            f"at {policy.idle_window_s:g} s the server closes with NET-0001. "
            f"{_cadence_text(record, cadence)}",
            **evidence,
        )]  # fmt: skip
    return []


def _cadence(record: ClientRecord) -> float | None:
    gaps = record.keepalive_gaps_s
    return round(sum(gaps) / len(gaps), 2) if gaps else None


def _cadence_text(record: ClientRecord, cadence: float | None) -> str:
    if not record.keepalive_count:
        return "It sent no KeepAlive."
    first_audio = record.first_audio_at
    if record.keepalive_at and (first_audio is None or record.keepalive_at[0] < first_audio):
        return (
            f"It sent {record.keepalive_count} KeepAlive, some before any audio: KeepAlive "
            "holds a stream only once audio has arrived."
        )
    if cadence is None:
        return "It sent one KeepAlive."
    return f"It sent {record.keepalive_count} KeepAlive, about every {cadence:g} s."


def _frames(record: ClientRecord, policy: Policy) -> list[Finding]:
    out: list[Finding] = []
    if record.binary_controls:
        out.append(finding(
            Level.FAIL, "client.control_as_binary",
            f"{record.binary_controls} was sent as a binary frame; Deepgram takes binary "
            "frames for audio, so the message had no effect.",
            control=record.binary_controls,
        ))  # fmt: skip
    if record.empty_binary:
        out.append(finding(
            Level.WARN, "client.empty_binary_frame",
            "The app ended the stream with an empty binary frame, the old way; send "
            "CloseStream as a text frame.",
        ))  # fmt: skip
    if record.audio_after_close_stream:
        out.append(finding(
            Level.WARN, "client.audio_after_close_stream",
            f"{record.audio_after_close_stream} audio frame(s) came after CloseStream; "
            "they are not transcribed.",
            frames=record.audio_after_close_stream,
        ))  # fmt: skip
    if record.unknown_texts:
        out.append(finding(
            Level.WARN, "client.unknown_text",
            f"{record.unknown_texts} text frame(s) were not a control message Deepgram knows "
            "(base64 audio in text frames, or a misspelt type).",
            frames=record.unknown_texts,
        ))  # fmt: skip
    return out


def _audio_format(record: ClientRecord, policy: Policy) -> list[Finding]:
    if not record.audio_mismatch:
        return []
    return [finding(
        Level.FAIL, "client.audio_mismatch",
        f"The audio does not match the URL: {record.audio_mismatch}.",
        query=record.query,
    )]  # fmt: skip


def _pacing(record: ClientRecord, policy: Policy) -> list[Finding]:
    if record.first_audio_at is None or record.last_audio_at is None or not record.audio_s:
        return []  # no audio, or a format whose seconds cannot be counted
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


def _credentials(record: ClientRecord, policy: Policy) -> list[Finding]:
    out: list[Finding] = []
    if record.key_in_query:
        out.append(finding(
            Level.WARN, "client.key_in_query",
            "The credential was sent in the URL's query string, which proxies and servers "
            "write to their logs; send it in the Authorization header.",
        ))  # fmt: skip
    if record.jwt_as_token:
        out.append(finding(
            Level.FAIL, "client.jwt_as_token",
            "A temporary token (a JWT) was sent with the Token scheme; it needs Bearer.",
        ))  # fmt: skip
    return out


def judge_reconnects(records: Sequence[ClientRecord]) -> list[Finding]:
    """Across connections, in the order they opened: storms after 4xx, no backoff after 429."""
    ordered = sorted(records, key=lambda r: r.opened_at)
    out: list[Finding] = []
    refused = [r for r in ordered if 400 <= r.status < 500 and r.status != 429]
    storm = _densest(refused)
    if storm >= STORM_ATTEMPTS:
        out.append(finding(
            Level.FAIL, "client.reconnect_storm",
            f"After a refused upgrade the app retried {storm} times within "
            f"{STORM_WINDOW_S:g} s; a 4xx will not change on retry.",
            attempts=storm,
        ))  # fmt: skip
    hasty = _hasty_after_429(ordered)
    if hasty is not None:
        out.append(finding(
            Level.FAIL, "client.no_backoff",
            f"After a 429 the app tried again {hasty:.2f} s later; back off "
            "(exponentially, with jitter) before reconnecting.",
            retry_after_s=round(hasty, 3),
        ))  # fmt: skip
    return out


def _densest(records: Sequence[ClientRecord]) -> int:
    """Most records opened within any STORM_WINDOW_S (records in opening order)."""
    best, start = 0, 0
    for end, last in enumerate(records):
        while last.opened_at - records[start].opened_at > STORM_WINDOW_S:
            start += 1
        best = max(best, end - start + 1)
    return best


def _hasty_after_429(ordered: Sequence[ClientRecord]) -> float | None:
    for before, after in itertools.pairwise(ordered):
        wait = after.opened_at - before.opened_at
        if before.status == 429 and wait < MIN_BACKOFF_S:
            return wait
    return None


def reconnect_after_drop(records: Sequence[ClientRecord]) -> list[Finding]:
    """Info: after the server dropped a stream, whether and how soon the app came back."""
    ordered = sorted(records, key=lambda r: r.opened_at)
    opened = [r.opened_at for r in ordered]
    out: list[Finding] = []
    for i, record in enumerate(ordered):
        if record.status != 101 or not server_ended_it(record):
            continue
        ended_at = record.opened_at + record.duration_s
        j = bisect.bisect_left(opened, ended_at - 0.001, lo=i + 1)
        if j < len(ordered):
            delay = ordered[j].opened_at - ended_at
            text = (
                f"After the server ended stream {i + 1}, the app reconnected {delay:.2f} s later."
            )
        else:
            delay, text = None, f"After the server ended stream {i + 1}, the app did not reconnect."
        out.append(finding(Level.INFO, "client.reconnect", text, reconnect_after_s=delay))
    return out
