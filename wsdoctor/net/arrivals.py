"""When messages of one kind arrived on a stream: first, last, how many, the longest gap.

Enough to tell "transcripts stopped while audio still flowed" from a healthy stream,
at a constant size whatever the stream's length: a stream that stays open and pongs
but stops transcribing sends no error at all, so only the arrival times show it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Arrivals:
    count: int = 0
    first_at: float | None = None  # seconds since the 101
    last_at: float | None = None
    longest_gap_s: float = 0.0
    longest_gap_from: float | None = None

    def add(self, at: float) -> None:
        if self.last_at is not None and at - self.last_at > self.longest_gap_s:
            self.longest_gap_s, self.longest_gap_from = round(at - self.last_at, 3), self.last_at
        if self.first_at is None:
            self.first_at = at
        self.last_at = at
        self.count += 1

    def silent_since(self, start: float, end: float) -> tuple[float, float]:
        """The longest stretch in [start, end] with none arriving: (seconds, from)."""
        if self.first_at is None or self.last_at is None:
            return round(end - start, 3), start
        candidates = [(self.first_at - start, start), (end - self.last_at, self.last_at)]
        if self.longest_gap_from is not None:
            candidates.append((self.longest_gap_s, self.longest_gap_from))
        seconds, since = max(candidates)
        return round(max(0.0, seconds), 3), round(since, 3)
