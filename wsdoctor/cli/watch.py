"""`wsdoctor watch`: its options; the work is in commands/watch.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from . import options

if TYPE_CHECKING:
    from ..commands.watch import WatchOptions
    from ..registry import Registry


@click.command()
@options.check_options
@click.option(
    "--streams",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Real-time streams kept open at once.",
)
@click.option(
    "--duration",
    type=float,
    callback=options.positive,
    help="Stop after this many seconds (default: run until Ctrl-C).",
)
@click.option(
    "--interval",
    type=float,
    default=300.0,
    show_default=True,
    callback=options.positive,
    help="Seconds between runs of the quick checks (they also run after each drop).",
)
@click.option(
    "--stall",
    "stall_s",
    type=float,
    default=10.0,
    show_default=True,
    callback=options.positive,
    help="Audio flowing with no Results for this long is a silent stall.",
)
@click.option("--metrics-port", type=click.IntRange(1, 65535), help="Serve Prometheus /metrics.")
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="Address for /metrics (0.0.0.0 to let a scraper on another host in).",
)
@click.option("--time-scale", type=float, default=1.0, callback=options.positive, hidden=True)
def watch(**opts: Any) -> int:
    """Keep streams open for a long run and catch the drops a short check misses."""
    from ..commands.watch import run_watch

    registry = options.load_registry(opts["disable_plugin"])
    return run_watch(_watch_options(registry, opts), registry)


def _watch_options(registry: Registry, opts: dict[str, Any]) -> WatchOptions:
    import dataclasses

    from ..commands.watch import WatchOptions
    from ..watch.session import WatchPlan
    from ..watch.stream import Cadence
    from . import validate

    check = options.check_options_from(registry, opts)
    scale = opts["time_scale"]
    cadence = Cadence(**{f.name: getattr(Cadence(), f.name) * scale
                         for f in dataclasses.fields(Cadence)})  # fmt: skip
    cadence = dataclasses.replace(cadence, stall_s=opts["stall_s"])
    plan = WatchPlan(opts["streams"], opts["duration"], opts["interval"], cadence)
    host = validate.parse_listen(f"{opts['metrics_host']}:0")[0]
    return WatchOptions(check, plan, opts["metrics_port"], host)
