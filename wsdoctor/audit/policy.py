"""The audit's thresholds, and the one way its rules build a finding.

Deepgram documents some numbers (the idle window, the KeepAlive pace); the rest
are wsdoctor's, chosen to flag only what clearly deviates, and each field says
which it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..deepgram.profiles import V1
from ..model import Finding, Level

Scalar = str | int | float | bool | None

STORM_ATTEMPTS = 5  # refused upgrades within STORM_WINDOW_S that make a reconnect storm
STORM_WINDOW_S = 10.0
MIN_BACKOFF_S = 1.0  # the least wait after a 429 that counts as backing off
BACKOFF_GROWTH = 1.5  # after several 429s, the last wait should be this much longer than the first


@dataclass(frozen=True)
class Policy:
    idle_window_s: float = V1.idle_window_s  # the server's NET-0001 window (lab's or Deepgram's)
    near_idle_ratio: float = 0.8  # 8 s of Deepgram's 10: NET-0001 is near
    slow_pace_ratio: float = 0.5  # audio seconds per wall second below this: transcripts lag
    min_paced_s: float = 2.0  # pacing is judged on at least this much streaming time
    burst_gap_s: float = 2.0  # a pause between audio frames this long makes bursts
    # Deepgram names no time for the answer to CloseStream (or Finalize): wsdoctor allows one
    # idle window, the longest either side of a stream is expected to stay quiet.
    close_deadline_s: float | None = None  # None: the idle window
    stall_min_s: float = 0.3  # a pause shorter than this is never a stall
    keepalive_stall_ratio: float = 2.0  # a KeepAlive this many of its intervals late: a stall
    audio_stall_ratio: float = 10.0  # silence this many audio intervals long, then a burst
    min_burst_frames: int = 3  # frames rushed out after a pause that make a catch-up burst
    min_audio_pace_s: float = 0.005  # faster than this the app sends in batches, not a rhythm
    lost_audio_min_s: float = 0.5  # a reconnect gap in the audio worth mentioning

    @property
    def near_idle_s(self) -> float:
        return self.idle_window_s * self.near_idle_ratio

    @property
    def close_deadline(self) -> float:
        """How long after CloseStream (or Finalize) with no answer counts as waiting forever."""
        return self.close_deadline_s or self.idle_window_s

    @property
    def close_patience(self) -> float:
        """Leaving sooner than this after CloseStream, unanswered, is not waiting at all."""
        return min(1.0, self.close_deadline / 2)


def finding(level: Level, cause: str, message: str, **evidence: Scalar) -> Finding:
    return Finding(level, cause, message, evidence)
