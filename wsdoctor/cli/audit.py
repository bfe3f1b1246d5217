"""`wsdoctor audit`: its options; the work is in commands/audit.py."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from .options import positive, report_options, report_values

if TYPE_CHECKING:
    from ..commands.audit import AuditOptions


@click.command(context_settings={"allow_interspersed_args": False})
@click.option(
    "--lab",
    "lab",
    default=None,
    metavar="FAULT,...",
    help="Faults for the lab the app talks to (default: a faithful lab).",
)
@click.option(
    "--upstream",
    metavar="URL",
    help="Relay to this service instead of the lab (e.g. wss://api.deepgram.com).",
)
@click.option("--ca-file", metavar="PEM", help="Extra CA bundle to trust for --upstream.")
@click.option(
    "--listen",
    default="127.0.0.1:0",
    show_default=True,
    metavar="HOST:PORT",
    help="Where the audit endpoint listens (port 0: a free one).",
)
@click.option(
    "--duration",
    type=float,
    callback=positive,
    help="Stop after this many seconds (default: when CMD ends, or Ctrl-C).",
)
@click.option(
    "--idle-window",
    type=float,
    callback=positive,
    help="Seconds without audio before the lab closes with NET-0001.  [default: Deepgram's]",
)
@report_options
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, metavar="[-- CMD ARGS...]")
def audit(**opts: Any) -> int:
    """Watch your app's Deepgram connections and say what it does wrong.

    The app talks to a local Deepgram emulator, or with --upstream through a
    recording relay to the real service. With CMD, wsdoctor runs it with
    WSDOCTOR_AUDIT_URL set (Python apps are redirected automatically) and reports
    when it ends; without CMD it serves until Ctrl-C or --duration.
    """
    from ..commands.audit import run_audit

    return run_audit(_audit_options(opts))


def _audit_options(opts: dict[str, Any]) -> AuditOptions:
    from ..audit.session import AuditPlan
    from ..commands.audit import AuditOptions
    from ..deepgram.profiles import V1
    from . import validate

    environ = dict(os.environ)
    host, port = validate.parse_listen(opts["listen"])
    upstream = validate.parse_upstream(opts["upstream"], opts["lab"])
    plan = AuditPlan(
        faults=validate.parse_lab_faults(opts["lab"]) or (),
        upstream=upstream,
        ca_file=validate.validate_ca_file(opts["ca_file"]),
        host=host,
        port=port,
        duration_s=opts["duration"],
        idle_window_s=opts["idle_window"] or V1.idle_window_s,
        argv=validate.validate_command(tuple(opts["argv"])),
    )
    return AuditOptions(plan=plan, environ=environ, **report_values(opts, environ))
