"""The fleet view on a terminal: places by checks, ranked root causes, differences.

Every string here came from a report file someone else wrote, so each is passed
through `neutralise` before it reaches the terminal.
"""

from __future__ import annotations

from ..display import neutralise
from .load import Place
from .model import Fleet, RankedCause

CELL = {"pass": "ok", "warn": "warn", "fail": "FAIL", "error": "ERR", "skip": "-"}
MAX_NAME = 32
MAX_LISTED = 5  # places named per root cause; the rest are counted


def _clip(text: str, width: int) -> str:
    text = neutralise(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _grid(fleet: Fleet) -> list[str]:
    name_width = min(max((len(p.name) for p in fleet.places), default=5), MAX_NAME)
    heads = [_clip(c, 16) for c in fleet.checks]
    widths = [max(len(h), 4) for h in heads]
    rows = ["  ".join([" " * name_width, *(h.ljust(w) for h, w in zip(heads, widths, strict=True)),
                       "status"])]  # fmt: skip
    for place in fleet.places:
        cells = [
            _cell(place, check).ljust(w) for check, w in zip(fleet.checks, widths, strict=True)
        ]
        name = _clip(place.name, MAX_NAME).ljust(name_width)
        rows.append("  ".join([name, *cells, CELL.get(place.status, "?")]))
    return [row.rstrip() for row in rows]


def _cell(place: Place, check: str) -> str:
    cell = place.cells.get(check)
    return CELL.get(cell.status, "?") if cell else " "


def _cause(rank: int, cause: RankedCause, total: int) -> list[str]:
    shown = ", ".join(neutralise(n) for n in cause.places[:MAX_LISTED])
    more = cause.count - MAX_LISTED
    shown += f" and {more} more" if more > 0 else ""
    return [
        f" {rank}. {neutralise(cause.title)} ({neutralise(cause.cause)}): "
        f"{cause.count} of {total} places",
        f"      at {shown}",
    ]


def _differences(fleet: Fleet) -> list[str]:
    if not fleet.comparable:
        return ["  (no comparison: it needs at least one passing and one failing place)"]
    lines = []
    for fact in fleet.facts:
        lines.append(f"  {neutralise(fact.name)}")
        lines.append(f"    passing: {_values(fact.passing)}")
        lines.append(f"    failing: {_values(fact.failing)}")
    for timing in fleet.timings:
        lines.append(
            f"  {neutralise(timing.name)}: median {timing.passing_ms:.1f} passing "
            f"({timing.passing_n}), {timing.failing_ms:.1f} failing ({timing.failing_n})"
        )
    return lines or ["  (passing and failing places report the same facts)"]


def _values(counts: dict[str, int]) -> str:
    return "; ".join(f"{_clip(value, 80)} ({n})" for value, n in counts.items())


def render_fleet_text(fleet: Fleet) -> str:
    counts = fleet.counts
    total = len(fleet.places)
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines = [f"wsdoctor fleet · {total} vantage point{'s' if total != 1 else ''}: {summary}", ""]
    lines += ["Vantage points by check", *_grid(fleet), ""]
    if fleet.causes:
        lines.append("Root causes, by how many places show them")
        for rank, cause in enumerate(fleet.causes, 1):
            lines += _cause(rank, cause, total)
        lines.append("")
    lines += ["What differs between passing and failing places", *_differences(fleet)]
    return "\n".join(lines) + "\n"
