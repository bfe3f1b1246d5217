"""What `wsdoctor watch` does once its options are parsed: watch, export, report."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..context import CheckContext
from ..errors import BadInput
from ..exitcodes import ExitCode
from ..model import Target
from ..registry import Registry
from ..watch.session import WatchPlan, WatchSession
from .check import CheckOptions, target_for
from .emit import finish, run_to_the_end, use_color

if TYPE_CHECKING:
    from ..metrics import Metrics
    from ..registry import Selection

PROGRESS_EVERY_S = 1.0
METRICS_EVERY_S = 5.0  # the textfile is rewritten this often during a watch


@dataclass(frozen=True)
class WatchOptions:
    check: CheckOptions
    plan: WatchPlan = dataclasses.field(default_factory=WatchPlan)
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"


def run_watch(options: WatchOptions, registry: Registry) -> int:
    check = options.check
    selection = registry.select(check.only, check.skip, quick=True)
    holder: dict[str, WatchSession] = {}
    ended_by = run_to_the_end(_watch(options, selection, holder))
    session = holder.get("session")
    if session is None:  # interrupted before anything started
        return ExitCode.INTERRUPTED
    report = session.final_report(check.command, ended_by is not None)
    return finish(report, check, ended_by, session.metrics, check.metrics_file)


async def _watch(
    options: WatchOptions, selection: Selection, holder: dict[str, WatchSession]
) -> None:
    check = options.check
    async with target_for(check) as (url, settings, api_key):
        settings = dataclasses.replace(settings, quick=True)
        ctx = CheckContext(Target.parse(url), settings, api_key)
        metrics = _metrics(options, ctx.target.host)
        session = WatchSession(options.plan, ctx, selection, metrics)
        holder["session"] = session
        ticker = asyncio.create_task(_tick(session, options))
        try:
            await session.run()
        finally:
            ticker.cancel()
            _clear_line(check)


def _metrics(options: WatchOptions, host: str) -> Metrics | None:
    if options.metrics_port is None and not options.check.metrics_file:
        return None
    from ..metrics import Metrics

    metrics = Metrics(host)
    if options.metrics_port is not None:
        where = f"{options.metrics_host}:{options.metrics_port}"
        try:
            metrics.serve(options.metrics_port, options.metrics_host)
        except OSError as exc:
            why = exc.strerror or exc
            raise BadInput(f"--metrics-port: cannot listen on {where}: {why}") from None
    return metrics


async def _tick(session: WatchSession, options: WatchOptions) -> None:
    """The live status line on a terminal, and the textfile refreshed as the run goes."""
    live = use_color(sys.stderr, options.check.color_env) and not options.check.quiet
    since_file = 0.0
    while True:
        await asyncio.sleep(PROGRESS_EVERY_S)
        if live:
            sys.stderr.write("\r\x1b[2K" + session.status_line())
            sys.stderr.flush()
        since_file += PROGRESS_EVERY_S
        path = options.check.metrics_file
        if path and session.metrics is not None and since_file >= METRICS_EVERY_S:
            since_file = 0.0
            with contextlib.suppress(OSError):  # reported once, at the end
                session.metrics.write_textfile(path)


def _clear_line(check: CheckOptions) -> None:
    if use_color(sys.stderr, check.color_env) and not check.quiet:
        sys.stderr.write("\r\x1b[2K")
        sys.stderr.flush()
