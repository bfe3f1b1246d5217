"""The table of report formats: a new format is one module and one row here.

The CLI builds its `--json/--html/--junit/--bundle` options from this table, and
saving walks it, so neither knows any format by name. Only strings live here,
so `wsdoctor --help` imports no renderer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ..model import Report


class OutputFormat(NamedTuple):  # not a dataclass: this module loads with `--help`
    name: str  # also the option: --<name>
    metavar: str
    help: str
    renderer: str  # "module:function" under wsdoctor.report
    suffix: str
    saved_by_default: bool = False
    stdout_ok: bool = False  # `--<name> -` writes to standard output

    @property
    def option(self) -> str:
        return f"--{self.name}"

    @property
    def dest(self) -> str:
        return f"{self.name}_path"

    def render(self, report: Report) -> str | bytes:
        module, function = self.renderer.split(":")
        render: Callable[[Report], str | bytes] = getattr(
            importlib.import_module(f"wsdoctor.report.{module}"), function
        )
        return render(report)


FORMATS: tuple[OutputFormat, ...] = (
    OutputFormat("json", "PATH|-", "Write the JSON report here.", "json:render_json", ".json",
                 saved_by_default=True, stdout_ok=True),
    OutputFormat("html", "PATH", "Write the HTML report here.", "html:render_html", ".html",
                 saved_by_default=True),
    OutputFormat("junit", "PATH", "Write JUnit XML here (for CI).", "junit:render_junit", ".xml"),
    OutputFormat("bundle", "PATH.zip", "Write a support bundle zip.", "bundle:render_bundle",
                 ".zip"),
)  # fmt: skip


def by_name(name: str) -> OutputFormat:
    return next(f for f in FORMATS if f.name == name)
