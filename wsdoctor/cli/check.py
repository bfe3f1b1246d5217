"""`wsdoctor check` and `wsdoctor list-checks`: their options; the work is in commands/check.py."""

from __future__ import annotations

from typing import Any

import click

from . import options


@click.command()
@options.check_options
def check(**opts: Any) -> int:
    """Diagnose the path to Deepgram (or --url)."""
    from ..commands.check import run_check

    registry = options.load_registry(opts["disable_plugin"])
    return run_check(options.check_options_from(registry, opts), registry)


@click.command("list-checks")
def list_checks() -> None:
    """List checks, dependencies and plugins."""
    registry = options.load_registry()
    rows = [("ID", "TITLE", "DEPENDS ON", "TAGS", "FROM")]
    for entry in registry:
        check = entry.check
        deps = ",".join(check.depends_on) or "-"
        rows.append((check.id, check.title, deps, ",".join(check.tags) or "-", entry.source))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
