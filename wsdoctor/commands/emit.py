"""Writing a finished report, and the exit code it earns: shared by check, watch and audit.

Every command ends the same way: save the requested files (each on its own, so one
full disk loses no other report), print the terminal report (or a format to
stdout), export metrics, and pick the exit code. A file that cannot be written is
one line on stderr and exit 3, after everything else was still written.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from ..exitcodes import ExitCode
from ..model import Report, Status
from ..report.formats import FORMATS, by_name
from ..signals import Terminated, terminate_as_interrupt


class OutputChoice(Protocol):
    """The report options every command shares (read-only, as frozen options are)."""

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
    @property
    def fail_on(self) -> str: ...


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


def timestamped_name(now: datetime) -> str:
    return "wsdoctor-" + now.strftime("%Y%m%dT%H%M%SZ")


def exit_code(report: Report, fail_on: str) -> ExitCode:
    status = report.status
    if report.interrupted:
        return ExitCode.INTERRUPTED
    if status is Status.ERROR:
        return ExitCode.ERROR
    if status in (Status.FAIL, Status.SKIP) or (status is Status.WARN and fail_on == "warn"):
        return ExitCode.FAIL  # a run that checked nothing is not a pass
    return ExitCode.OK


def run_to_the_end(run: Coroutine[Any, Any, None]) -> KeyboardInterrupt | None:
    """Run a command's coroutine; a Ctrl-C or SIGTERM ends it and is returned, not raised,
    so the command still reports what finished."""
    try:
        with terminate_as_interrupt():
            asyncio.run(run)
    except KeyboardInterrupt as signal:  # Ctrl-C, or SIGTERM (Terminated)
        return signal
    return None


def finish(
    report: Report,
    options: OutputChoice,
    ended_by: KeyboardInterrupt | None,
    metrics: Any = None,
    metrics_file: str | None = None,
) -> int:
    """Write everything, then the exit code: a signal's own, 3 if a file is missing, else
    what the report earns. Metrics are written last and never cost the report."""
    unsaved = emit_report(report, options)
    if metrics_file:
        unsaved += export_metrics(report, metrics_file, metrics)
    if isinstance(ended_by, Terminated):
        return ExitCode.TERMINATED
    return ExitCode.ERROR if unsaved else exit_code(report, options.fail_on)


def export_metrics(report: Report, path: str, metrics: Any = None) -> list[str]:
    """The run as Prometheus metrics in a textfile (into `metrics` when the run kept its own,
    as watch does); the path if it could not be written."""
    if metrics is None:
        from ..metrics import Metrics

        metrics = Metrics(report.target.host)
    metrics.observe_report(report)
    try:
        metrics.write_textfile(path)
    except OSError as exc:
        why = exc.strerror or str(exc)
        print(f"wsdoctor: error: cannot write {path}: {why}", file=sys.stderr)
        return [path]
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
