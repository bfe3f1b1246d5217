"""The stretches in which an app sent nothing at all, kept as evidence of a blocked loop.

An app whose event loop (or sending thread) is blocked sends nothing, audio and
KeepAlive alike, and then catches up: the KeepAlive timer fires late, and the
audio its capture thread queued meanwhile goes out in a burst. So each pause
is kept with what ended it, the app's own audio pace before it, and how many
audio frames rushed in with its end (the first frame after it included).
Judging whether a pause was a stall is the audit's; this only keeps the longest
few, so a record stays small however long the stream runs.
"""

from __future__ import annotations

from typing import Any

PAUSE_FLOOR_S = 0.3  # shorter silences between frames are not kept
PAUSES_KEPT = 20
PACE_WEIGHT = 0.1  # how fast the running audio pace follows new gaps
BURST_SHARE = 0.25  # a frame this fraction of the pace after the previous one is rushed

Pause = dict[str, Any]


class PauseTracker:
    """Fed every data frame the app sends (audio or text); fills `pauses` in place."""

    def __init__(self, pauses: list[Pause]) -> None:
        self.pauses = pauses
        self.last_at: float | None = None
        self.last_audio_at: float | None = None
        self.pace_s: float | None = None  # running typical gap between audio frames
        self.open: Pause | None = None  # the pause whose burst is still being counted

    def frame(self, now: float, kind: str) -> None:
        """`kind`: 'audio', or the text frame's type ('KeepAlive', ...)."""
        gap = None if self.last_at is None else now - self.last_at
        self._count_burst(now, kind)
        if gap is not None and gap >= PAUSE_FLOOR_S:
            self._keep({"at": round(self.last_at or 0.0, 3), "gap_s": round(gap, 3),
                        "ended_by": kind, "pace_s": self._pace(),
                        "burst": int(kind == "audio")})  # fmt: skip
        if kind == "audio":
            self._note_audio(now)
        self.last_at = now

    def _pace(self) -> float | None:
        return round(self.pace_s, 4) if self.pace_s is not None else None

    def _note_audio(self, now: float) -> None:
        if self.last_audio_at is not None:
            gap = now - self.last_audio_at
            if gap < PAUSE_FLOOR_S:  # the pace is the app's streaming rhythm, pauses aside
                old = self.pace_s
                self.pace_s = gap if old is None else old + PACE_WEIGHT * (gap - old)
        self.last_audio_at = now

    def _count_burst(self, now: float, kind: str) -> None:
        """Audio frames right after a pause, closer together than the app's pace allows."""
        pause = self.open
        if pause is None or kind != "audio":
            return
        pace = pause["pace_s"]
        since = now - (self.last_at or now)
        if pace is not None and since <= pace * BURST_SHARE:
            pause["burst"] += 1
        else:
            self.open = None

    def _keep(self, pause: Pause) -> None:
        self.open = pause
        if len(self.pauses) < PAUSES_KEPT:
            self.pauses.append(pause)
            return
        shortest = min(range(len(self.pauses)), key=lambda i: self.pauses[i]["gap_s"])
        if self.pauses[shortest]["gap_s"] < pause["gap_s"]:
            self.pauses[shortest] = pause
        else:
            self.open = None
