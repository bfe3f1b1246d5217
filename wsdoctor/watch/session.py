"""One `wsdoctor watch`: N streams kept open, the quick checks re-run on an interval and
right after each drop, metrics updated as things happen, and a report at the end."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..context import CheckContext
from ..model import CheckResult, Mark, Report, Status, status_of
from ..plugin import Described, EntryInfo
from ..registry import Selection
from ..report.build import build_report
from ..runner import Runner
from .log import Drop, WatchLog
from .patterns import findings
from .stream import Cadence, StreamWorker

if TYPE_CHECKING:
    from ..metrics import Metrics

DROP_CHECK_DELAY_S = 1.0  # let a burst of drops settle before checking the path


@dataclass(frozen=True)
class WatchPlan:
    streams: int = 2
    duration_s: float | None = None  # None: until Ctrl-C
    interval_s: float = 300.0
    cadence: Cadence = field(default_factory=Cadence)


class WatchSession:
    def __init__(self, plan: WatchPlan, ctx: CheckContext, selection: Selection,
                 metrics: Metrics | None = None) -> None:  # fmt: skip
        self.plan, self.ctx, self.selection = plan, ctx, selection
        self.metrics = metrics
        self.log = WatchLog()
        self.t0 = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.last_checks: list[CheckResult] = []
        self.checks_run = 0
        self.after_drop: list[tuple[float, str]] = []  # (when, what the path checks said)
        self._drop_pending = asyncio.Event()
        self.workers: list[StreamWorker] = []

    def clock(self) -> float:
        return time.monotonic() - self.t0

    async def run(self) -> None:
        until = self.plan.duration_s if self.plan.duration_s is not None else float("inf")
        self.workers = [
            StreamWorker(
                i + 1,
                self.ctx.route,
                self.ctx.api_key,
                self.log,
                self.plan.cadence,
                self.clock,
                self._on_drop,
                self._on_rtt,
            )
            for i in range(self.plan.streams)
        ]
        checker = asyncio.create_task(self._check_loop(until))
        try:
            await asyncio.gather(*(w.run(until) for w in self.workers))
        finally:
            checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checker

    @property
    def streams_up(self) -> int:
        return sum(w.up for w in self.workers)

    def _on_drop(self, drop: Drop) -> None:
        if self.metrics is not None:
            self.metrics.observe_drop(drop.ending)
            self.metrics.set_streams_up(self.streams_up)
        self._drop_pending.set()

    def _on_rtt(self, ms: float) -> None:
        if self.metrics is not None:
            self.metrics.observe_rtt(ms)
            self.metrics.set_streams_up(self.streams_up)

    async def _check_loop(self, until: float) -> None:
        """Quick checks at the start, every interval, and soon after any drop."""
        while self.clock() < until:
            await self.run_checks()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drop_pending.wait(), self.plan.interval_s)
            if self._drop_pending.is_set():
                await asyncio.sleep(DROP_CHECK_DELAY_S)
                self._drop_pending.clear()
                await self.run_checks(after_drop=True)

    async def run_checks(self, after_drop: bool = False) -> None:
        ctx = CheckContext(self.ctx.target, self.ctx.settings, self.ctx.api_key.reveal(),
                           provided=self.selection.provided_facts)  # fmt: skip
        checks = [e.check for e in self.selection.checks]
        runner = Runner(checks, ctx, origins=self.selection.origins())
        await runner.run()
        self.last_checks = runner.ordered_results(False)
        self.checks_run += 1
        report = self.report_of(self.last_checks)
        if after_drop:
            roots = ", ".join(report.root_causes) or "all checks passed"
            self.after_drop.append((round(self.clock(), 3), roots))
        if self.metrics is not None:
            self.metrics.observe_report(report)

    def report_of(self, results: list[CheckResult], command: str = "",
                  interrupted: bool = False) -> Report:  # fmt: skip
        checks = {e.id: e.check for e in self.selection.checks}
        titles: dict[str, Described] = {
            **checks,
            "watch": EntryInfo("Long-run stream watch", tags=("watch",)),
        }
        return build_report(results, self.ctx.report_scope(), titles, started_at=self.started_at,
                            duration_ms=self.clock() * 1000, command=command,
                            interrupted=interrupted)  # fmt: skip

    def watch_result(self) -> CheckResult:
        log, cadence = self.log, self.plan.cadence
        if self.metrics is not None:
            self.metrics.set_streams_up(self.streams_up)
        reason = next((w.not_applicable for w in self.workers if w.not_applicable), None)
        if reason is not None:
            return CheckResult("watch", Status.SKIP, f"not applicable: {reason}",
                               not_applicable=True)  # fmt: skip
        found = tuple(findings(list(log.drops), list(log.stalls), cadence.stall_s))
        rtt = log.rtt_summary()
        hours = log.stream_seconds / 3600
        summary = (
            f"{self.plan.streams} stream(s) for {self.clock():.0f} s: {log.drop_count} drop(s), "
            f"{log.stall_count} silent stall(s), {log.connects} connection(s)"
        )
        if rtt:
            summary += f", RTT median {rtt['rtt_median_ms']:.0f} ms"
        evidence = {"checks_after_drops": "; ".join(f"{t:.0f} s: {s}" for t, s in
                                                      self.after_drop[-10:]) or None}  # fmt: skip
        return CheckResult(
            "watch", status_of(found), summary, found,
            measurements={**rtt, "drops": log.drop_count, "stalls": log.stall_count,
                          "stream_hours": round(hours, 4), "checks_run": self.checks_run},
            evidence=evidence, duration_ms=self.clock() * 1000, marks=self.marks(),
        )  # fmt: skip

    def marks(self) -> tuple[Mark, ...]:
        log = self.log
        rtt = [Mark(p.at_s, "rtt", f"{p.mid_ms:.1f} ms (of {p.count})", value=p.mid_ms)
               for p in log.rtt]  # fmt: skip
        drops = [Mark(d.at_s, "drop", f"stream {d.stream}: {d.detail} after {d.life_s:.0f} s")
                 for d in log.drops]  # fmt: skip
        stalls = [Mark(s.at_s - s.seconds, "stall", f"stream {s.stream}: {s.seconds:.1f} s",
                       until=s.at_s) for s in log.stalls]  # fmt: skip
        return tuple(rtt + drops + stalls)

    def final_report(self, command: str, interrupted: bool) -> Report:
        return self.report_of([*self.last_checks, self.watch_result()], command, interrupted)

    def status_line(self) -> str:
        elapsed = int(self.clock())
        clock = f"{elapsed // 3600:02d}:{elapsed % 3600 // 60:02d}:{elapsed % 60:02d}"
        return (f"watch {clock} · {self.streams_up}/{self.plan.streams} streams up · "
                f"{self.log.drop_count} drop(s) · {self.log.stall_count} stall(s)")  # fmt: skip
