"""`wsdoctor merge`: its options; the work is in commands/merge.py."""

from __future__ import annotations

import click


@click.command()
@click.argument("reports", nargs=-1, required=True, metavar="REPORT.json...")
@click.option("--json", "json_path", metavar="PATH|-", help="Write the fleet report as JSON.")
@click.option("--html", "html_path", metavar="PATH", help="Write the fleet report as HTML.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the fleet view.")
def merge(
    reports: tuple[str, ...], json_path: str | None, html_path: str | None, quiet: bool
) -> int:
    """Fold JSON reports from many vantage points into one fleet report."""
    from ..commands.merge import MergeOptions, run_merge
    from .validate import validate_output_file

    validate_output_file("--json", json_path)
    if html_path == "-":
        raise click.BadParameter(
            "cannot write to standard output; give a file name", param_hint="--html"
        )
    validate_output_file("--html", html_path)
    return run_merge(MergeOptions(reports, json_path, html_path, quiet))
