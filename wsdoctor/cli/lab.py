"""`wsdoctor lab serve` and `wsdoctor lab faults`: their options; the work is in lab/."""

from __future__ import annotations

from typing import Any

import click

from .options import positive


@click.group()
def lab() -> None:
    """The Deepgram emulator, to reproduce failures offline."""


@lab.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option("--tls", is_flag=True, help="Serve wss:// and https:// with a throwaway CA.")
@click.option("--cert-dir", help="Where to write ca.pem with --tls (default: a temp folder).")
@click.option(
    "--idle-timeout",
    type=float,
    callback=positive,
    help="Seconds without audio (v1: or KeepAlive; Flux: or pings) before 1011 NET-0001.  "
    "[default: each API's window, Flux's as reported]",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME[=VALUE]",
    help="Inject a fault (repeatable); see `wsdoctor lab faults`.",
)
@click.option("--record", "record_path", metavar="FILE", help="Append a JSON line per connection.")
@click.option("--key", help="The only API key to accept (default: any non-empty key).")
@click.option(
    "--header-timeout",
    type=float,
    default=10.0,
    show_default=True,
    callback=positive,
    help="Seconds a connection may take to send its request before it is closed.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Open connections at most; more get a 503 at once.",
)
def lab_serve(**opts: Any) -> int:
    """Run the lab until Ctrl-C."""
    from ..lab.faults import Faults
    from ..lab.serve import ServeOptions, serve
    from .validate import validate_output_file

    Faults.parse(opts["faults"])  # bad fault names are usage errors, before anything starts
    validate_output_file("--record", opts["record_path"])
    # an option left out keeps ServeOptions' default (the idle window: Deepgram's)
    return serve(ServeOptions(**{k: v for k, v in opts.items() if v is not None}))


@lab.command("faults")
def lab_faults() -> None:
    """List the faults the lab can inject (each applies to /v1/listen and Flux alike,
    unless its 'on Flux' line says how it differs)."""
    from ..lab.faults import FAULTS

    for spec in FAULTS.values():
        value = spec.value_hint
        tls = "  (implies --tls)" if spec.needs_tls else ""
        click.echo(f"  {spec.name + value:<34} {spec.help}{tls}")
        if spec.flux:
            click.echo(f"  {'':<34} on Flux: {spec.flux}")
