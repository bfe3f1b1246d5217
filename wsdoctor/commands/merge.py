"""What `wsdoctor merge` does once its options are parsed: load, build the fleet, write.

Bad input (an unreadable file, invalid JSON, another tool's or another schema
version's report) is BadInput from fleet/load.py: one line naming the file, exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..exitcodes import ExitCode
from ..fleet.load import load_places
from ..fleet.model import FAILING, Fleet, build_fleet
from ..fleet.render_text import render_fleet_text


@dataclass(frozen=True)
class MergeOptions:
    reports: tuple[str, ...]
    json_path: str | None = None  # "-": standard output, instead of the terminal view
    html_path: str | None = None
    quiet: bool = False


def _json(fleet: Fleet) -> str:
    from ..fleet.render_json import render_fleet_json

    return render_fleet_json(fleet)


def _html(fleet: Fleet) -> str:
    from ..fleet.render_html import render_fleet_html  # jinja2 only when asked

    return render_fleet_html(fleet)


def _write(path: str, render: Callable[[Fleet], str], fleet: Fleet) -> bool:
    try:
        Path(path).write_text(render(fleet), "utf-8")
    except OSError as exc:
        print(f"wsdoctor: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def run_merge(options: MergeOptions) -> int:
    """Exit 0 when no place failed, 1 when any did (as `check` does), 3 if a write failed."""
    fleet = build_fleet(load_places(list(options.reports)))
    if options.json_path == "-":
        sys.stdout.write(_json(fleet))
    elif not options.quiet:
        sys.stdout.write(render_fleet_text(fleet))
    written = True
    if options.json_path not in (None, "-"):
        written = _write(options.json_path, _json, fleet) and written
    if options.html_path is not None:
        written = _write(options.html_path, _html, fleet) and written
    if not written:
        return ExitCode.ERROR
    failed = any(place.status in FAILING for place in fleet.places)
    return ExitCode.FAIL if failed else ExitCode.OK
