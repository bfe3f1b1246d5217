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
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..context import CheckContext, Settings
from ..exitcodes import ExitCode
from ..model import Report, Status, Target
from ..noise import NoiseTrap
from ..registry import Registry, Selection
from ..report.build import build_report
from ..report.formats import FORMATS, by_name
from ..runner import Runner
from ..signals import Terminated, terminate_as_interrupt

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


def exit_code(report: Report, fail_on: str) -> ExitCode:
    status = report.status
    if report.interrupted:
        return ExitCode.INTERRUPTED
    if status is Status.ERROR:
        return ExitCode.ERROR
    if status in (Status.FAIL, Status.SKIP) or (status is Status.WARN and fail_on == "warn"):
        return ExitCode.FAIL  # a run that checked nothing is not a pass
    return ExitCode.OK


@contextlib.asynccontextmanager
async def target_for(options: CheckOptions) -> AsyncIterator[tuple[str, Settings, str | None]]:
    """URL, settings and API key to check with: the user's, or an in-process lab's (`--lab`)."""
    if options.lab_faults is None:
        yield options.url, options.settings, options.api_key
        return
    from ..lab.inprocess import lab_target  # the lab pulls in aiohttp: load it only when asked

    lab = lab_target(options.lab_faults, options.settings, options.lab_idle_s)
    async with lab as (url, settings, key):
        yield url, settings, options.api_key or key


def timestamped_name(now: datetime) -> str:
    return "wsdoctor-" + now.strftime("%Y%m%dT%H%M%SZ")


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
            self.runner = Runner(checks, self.ctx, listener)
            await self.runner.run()

    def report(self, interrupted: bool = False) -> Report:
        ctx = self.ctx or CheckContext(Target.parse(self.options.url), self.options.settings)
        results = self.runner.ordered_results(interrupted) if self.runner else []
        return build_report(
            results,
            ctx,
            {entry.id: entry.check for entry in self.selection.checks},
            catalogue=self.catalogue,
            started_at=self.started_at,
            duration_ms=(time.monotonic() - self._t0) * 1000,
            pulled_in=self.selection.pulled_in,
            command=self.options.command,
            interrupted=interrupted,
            suppressed=self.noise.lines,
        )


class OutputChoice(Protocol):
    """The report options `check` and `audit` share (read-only, as frozen options are)."""

    @property
    def outputs(self) -> Mapping[str, str]: ...
    @property
    def out_dir(self) -> str: ...
    @property
    def save(self) -> bool: ...
    @property
    def quiet(self) -> bool: ...
    @property
    def verbose(self) -> bool: ...
    @property
    def color_env(self) -> Mapping[str, str]: ...


def requested_outputs(report: Report, options: OutputChoice) -> list[tuple[str, Path]]:
    """(format, path) pairs: what the options ask for, or the default formats in --out-dir."""
    chosen = [(name, Path(path)) for name, path in options.outputs.items() if path != "-"]
    if options.save and not options.outputs:
        stem = Path(options.out_dir) / timestamped_name(report.started_at)
        chosen = [(f.name, stem.with_suffix(f.suffix)) for f in FORMATS if f.saved_by_default]
    return chosen


def save_reports(report: Report, options: OutputChoice) -> tuple[list[str], list[str]]:
    """(written, failed): each file on its own, so one full disk loses no other report.

    A file that cannot be written is one line on stderr naming it; the verdict is
    still printed, and the run exits 3 (a report the user asked for is missing).
    """
    written: list[str] = []
    failed: list[str] = []
    for name, path in requested_outputs(report, options):
        content = by_name(name).render(report)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, "utf-8")
        except OSError as exc:
            why = exc.strerror or str(exc)
            print(f"wsdoctor: error: cannot write {path}: {why}", file=sys.stderr)
            failed.append(str(path))
            continue
        written.append(str(path))
    return written, failed


def use_color(stream: object, environ: Mapping[str, str]) -> bool:
    isatty = getattr(stream, "isatty", lambda: False)
    return bool(isatty()) and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def stdout_format(options: OutputChoice) -> str | None:
    """The format written to standard output (`--json -`), which moves the report to stderr."""
    return next((name for name, path in options.outputs.items() if path == "-"), None)


def run_check(options: CheckOptions, registry: Registry) -> int:
    from ..progress import LiveProgress

    session = CheckSession(options, registry)
    live = use_color(sys.stderr, options.color_env) and not options.quiet
    titles = {e.id: e.check.title for e in session.selection.checks}
    progress = LiveProgress(sys.stderr, titles) if live else None
    ended_by: KeyboardInterrupt | None = None
    try:
        with terminate_as_interrupt():
            asyncio.run(_with_progress(session, progress))
    except KeyboardInterrupt as signal:  # Ctrl-C, or SIGTERM (Terminated)
        ended_by = signal
    finally:
        if progress:
            progress.close()
    report = session.report(ended_by is not None)
    unsaved = emit_report(report, options) + export_metrics(report, options)
    if isinstance(ended_by, Terminated):
        return ExitCode.TERMINATED
    return ExitCode.ERROR if unsaved else exit_code(report, options.fail_on)


def export_metrics(report: Report, options: CheckOptions) -> list[str]:
    """The run as Prometheus metrics in a textfile; the path if it could not be written."""
    if not options.metrics_file:
        return []
    from ..metrics import Metrics

    metrics = Metrics(report.target.host)
    metrics.observe_report(report)
    try:
        metrics.write_textfile(options.metrics_file)
    except OSError as exc:
        why = exc.strerror or str(exc)
        print(f"wsdoctor: error: cannot write {options.metrics_file}: {why}", file=sys.stderr)
        return [options.metrics_file]
    return []


def emit_report(report: Report, options: OutputChoice) -> list[str]:
    """Save the files, write any `-` format to stdout, print the terminal report (to stderr
    when stdout carries a format). Returns the files that could not be written."""
    from ..report.terminal import footer, render_terminal

    to_stdout = stdout_format(options)
    out = sys.stderr if to_stdout else sys.stdout
    saved, unsaved = save_reports(report, options)
    if to_stdout:
        content = by_name(to_stdout).render(report)
        sys.stdout.write(content if isinstance(content, str) else content.decode())
    if options.quiet:
        out.write(footer(report) + "\n")
    else:
        color = use_color(out, options.color_env)
        out.write(render_terminal(report, color=color, verbose=options.verbose, saved=saved))
    out.flush()
    return unsaved


async def _with_progress(session: CheckSession, progress: LiveProgress | None) -> None:
    if progress is None:
        await session.run()
        return
    ticker = asyncio.create_task(progress.tick())
    try:
        await session.run(progress)
    finally:
        ticker.cancel()
