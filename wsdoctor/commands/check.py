"""What `wsdoctor check` does once its options are parsed: run, report, save, pick an exit code.

Kept apart from cli/ so the click layer stays a thin parser, and so tests and
the benchmarks can drive a whole run from Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..context import CheckContext, Settings
from ..model import Report, Target
from ..noise import NoiseTrap
from ..registry import Registry, Selection
from ..report.build import build_report
from ..runner import Runner
from .emit import finish, run_to_the_end, use_color

if TYPE_CHECKING:
    from ..progress import LiveProgress


@dataclass(frozen=True)
class CheckOptions:
    url: str
    api_key: str | None = None
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    quick: bool = False
    settings: Settings = field(default_factory=Settings)
    lab_faults: tuple[str, ...] | None = None  # None: no lab; () : a faithful lab
    lab_idle_s: float = 2.0  # the in-process lab's idle window (tests scale it down)
    outputs: Mapping[str, str] = field(default_factory=dict)  # format name -> path ("-": stdout)
    out_dir: str = "reports"
    save: bool = True
    fail_on: str = "fail"
    verbose: bool = False
    quiet: bool = False
    command: str = ""
    color_env: Mapping[str, str] = field(default_factory=dict)  # NO_COLOR / TERM, read by the CLI
    metrics_file: str | None = None  # node_exporter textfile, written after the run


@contextlib.asynccontextmanager
async def target_for(options: CheckOptions) -> AsyncIterator[tuple[str, Settings, str | None]]:
    """URL, settings and API key to check with: the user's, or an in-process lab's (`--lab`)."""
    if options.lab_faults is None:
        yield options.url, options.settings, options.api_key
        return
    from ..lab.inprocess import lab_target  # the lab pulls in aiohttp: load it only when asked

    lab = lab_target(options.lab_faults, options.settings, options.lab_idle_s, options.url)
    async with lab as (url, settings, key):
        yield url, settings, options.api_key or key


class CheckSession:
    """One `wsdoctor check`: owns the runner so an interrupt can still report what finished."""

    def __init__(self, options: CheckOptions, registry: Registry) -> None:
        self.options = options
        self.catalogue = registry.catalogue
        self.noise = NoiseTrap()
        self.selection: Selection = registry.select(options.only, options.skip, options.quick)
        self.runner: Runner | None = None
        self.ctx: CheckContext | None = None
        self.started_at = datetime.now(UTC)
        self._t0 = time.monotonic()

    async def run(self, listener: Callable[..., None] | None = None) -> None:
        self.noise.watch_loop()
        with self.noise.installed():
            await self._run(listener)

    async def _run(self, listener: Callable[..., None] | None) -> None:
        async with target_for(self.options) as (url, settings, api_key):
            settings = dataclasses.replace(settings, quick=self.options.quick)
            facts = self.selection.provided_facts
            self.ctx = CheckContext(Target.parse(url), settings, api_key, provided=facts)
            checks = [entry.check for entry in self.selection.checks]
            origins = self.selection.origins()
            self.runner = Runner(checks, self.ctx, listener, origins=origins)
            await self.runner.run()

    def report(self, interrupted: bool = False) -> Report:
        ctx = self.ctx or CheckContext(Target.parse(self.options.url), self.options.settings)
        results = self.runner.ordered_results(interrupted) if self.runner else []
        return build_report(
            results,
            ctx.report_scope(),
            {entry.id: entry.check for entry in self.selection.checks},
            catalogue=self.catalogue,
            started_at=self.started_at,
            duration_ms=(time.monotonic() - self._t0) * 1000,
            pulled_in=self.selection.pulled_in,
            command=self.options.command,
            interrupted=interrupted,
            suppressed=self.noise.lines,
        )


def run_check(options: CheckOptions, registry: Registry) -> int:
    from ..progress import LiveProgress

    session = CheckSession(options, registry)
    live = use_color(sys.stderr, options.color_env) and not options.quiet
    titles = {e.id: e.check.title for e in session.selection.checks}
    progress = LiveProgress(sys.stderr, titles) if live else None
    try:
        ended_by = run_to_the_end(_with_progress(session, progress))
    finally:
        if progress:
            progress.close()
    report = session.report(ended_by is not None)
    return finish(report, options, ended_by, metrics_file=options.metrics_file)


async def _with_progress(session: CheckSession, progress: LiveProgress | None) -> None:
    if progress is None:
        await session.run()
        return
    ticker = asyncio.create_task(progress.tick())
    try:
        await session.run(progress)
    finally:
        ticker.cancel()
