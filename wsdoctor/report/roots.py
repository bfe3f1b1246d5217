"""Root causes: which failures explain the rest of a run (pure; used by build_report).

Kept with the report, not the runner: the runner only runs checks, and what a reader
should fix first is a property of the finished results and the cause catalogue.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from ..model import CheckResult, Level, Status


def root_causes(
    results: Iterable[CheckResult],
    depends_on: Mapping[str, tuple[str, ...]],
    explains: Mapping[str, tuple[str, ...]] | None = None,
    local: Collection[str] = (),
) -> list[str]:
    """The causes of failed checks whose own dependencies all passed: they explain the rest.

    `explains` trims consequences that have no dependency edge: when streams drop even
    while audio flows (stability.dropped), the idle and close checks that dropped too
    are the same fault seen again, not further root causes. `local` names checks that
    inspect this machine (installed code) rather than observe the path: what they infer
    comes after every fault that was actually observed, whatever the selection order.
    """
    results = sorted(results, key=lambda r: r.check_id in local)  # stable: order kept
    by_id = {r.check_id: r for r in results}
    roots: list[str] = []
    for result in by_id.values():
        if result.status is not Status.FAIL:
            continue
        deps = [by_id[d] for d in depends_on.get(result.check_id, ()) if d in by_id]
        if all(d.status in (Status.PASS, Status.WARN, Status.SKIP) for d in deps):
            roots += [f.cause for f in result.findings if f.level is Level.FAIL]
    roots = list(dict.fromkeys(roots))
    explained = {c for root in roots for c in (explains or {}).get(root, ())}
    return [root for root in roots if root not in explained]
