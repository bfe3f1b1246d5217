"""The fleet view: places by checks, root causes ranked by reach, and what sets failing
places apart from passing ones. Pure functions over Places; renderers only read a Fleet.

A place fails when its report's overall status is fail or error, and passes on pass
or warn (nothing failed there); a place where nothing was checked takes no side.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .load import Cell, Place

FAILING = ("fail", "error")
PASSING = ("pass", "warn")
STATUSES = ("pass", "warn", "fail", "error", "skip")


@dataclass(frozen=True)
class RankedCause:
    """A root cause and the places that show it as one, most widespread first."""

    cause: str
    title: str
    places: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.places)


@dataclass(frozen=True)
class FactSplit:
    """One fact's values at passing and at failing places, with how many places each."""

    name: str
    passing: dict[str, int]
    failing: dict[str, int]


@dataclass(frozen=True)
class TimingSplit:
    """One timing's median at passing and at failing places."""

    name: str
    passing_ms: float
    failing_ms: float
    passing_n: int
    failing_n: int


@dataclass(frozen=True)
class Fleet:
    places: tuple[Place, ...]
    checks: tuple[str, ...]
    causes: tuple[RankedCause, ...]
    facts: tuple[FactSplit, ...]
    timings: tuple[TimingSplit, ...]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for place in self.places:
            counts[place.status if place.status in counts else "error"] += 1
        return counts

    @property
    def status(self) -> str:
        counts = self.counts
        return next((s for s in ("error", "fail", "warn", "pass") if counts[s]), "skip")

    @property
    def comparable(self) -> bool:
        """Differences mean something only with places on both sides."""
        counts = self.counts
        return any(counts[s] for s in FAILING) and any(counts[s] for s in PASSING)

    def cell(self, place: Place, check_id: str) -> Cell | None:
        return place.cells.get(check_id)


def check_columns(places: Iterable[Place]) -> tuple[str, ...]:
    """Every check any place ran, in the order they first appear."""
    return tuple(dict.fromkeys(check for place in places for check in place.cells))


def rank_causes(places: Sequence[Place]) -> tuple[RankedCause, ...]:
    """Root causes by how many places report them; ties keep first-seen order."""
    where: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for place in places:
        for cause in dict.fromkeys(place.root_causes):
            where.setdefault(cause, []).append(place.name)
            titles.setdefault(cause, place.titles.get(cause, ""))
    order = sorted(where, key=lambda cause: -len(where[cause]))  # stable: first seen wins ties
    return tuple(RankedCause(c, titles[c] or c, tuple(where[c])) for c in order)


def split_facts(passing: Sequence[Place], failing: Sequence[Place]) -> tuple[FactSplit, ...]:
    """Facts whose values are not the same on both sides: the suspects, in fact order."""
    names = dict.fromkeys(n for place in (*passing, *failing) for n in place.facts)
    splits = []
    for name in names:
        good = Counter(p.facts[name] for p in passing if name in p.facts)
        bad = Counter(p.facts[name] for p in failing if name in p.facts)
        if good and bad and set(good) != set(bad):
            splits.append(FactSplit(name, dict(good.most_common()), dict(bad.most_common())))
    return tuple(splits)


def split_timings(passing: Sequence[Place], failing: Sequence[Place]) -> tuple[TimingSplit, ...]:
    """Median timings on each side, the largest relative gap first."""
    names = dict.fromkeys(n for place in (*passing, *failing) for n in place.timings)
    splits = []
    for name in names:
        good = [p.timings[name] for p in passing if name in p.timings]
        bad = [p.timings[name] for p in failing if name in p.timings]
        if good and bad:
            median_good, median_bad = statistics.median(good), statistics.median(bad)
            splits.append(TimingSplit(name, median_good, median_bad, len(good), len(bad)))
    return tuple(sorted(splits, key=lambda s: -abs(s.failing_ms - s.passing_ms)
                        / max(s.passing_ms, s.failing_ms, 1.0)))  # fmt: skip


def build_fleet(places: Sequence[Place]) -> Fleet:
    passing = [p for p in places if p.status in PASSING]
    failing = [p for p in places if p.status in FAILING]
    return Fleet(
        places=tuple(places),
        checks=check_columns(places),
        causes=rank_causes(places),
        facts=split_facts(passing, failing),
        timings=split_timings(passing, failing),
    )
