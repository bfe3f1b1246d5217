"""The options several commands share, and the helpers they validate with (click only).

Commands import this module, never the group: `cli/main.py` imports the commands and
adds them to the group, so there is no import circle. Heavy imports stay inside the
functions, so `wsdoctor --help` loads click and little else.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from ..report.formats import FORMATS

# Kept here rather than imported, so that `--help` does not load the engine.
REGIONS = ("au", "eu", "in", "us")

if TYPE_CHECKING:
    from collections.abc import Callable

    Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

    from ..commands.check import CheckOptions
    from ..registry import Registry


def positive(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    from ..errors import BadInput
    from .validate import finite_seconds

    try:
        return finite_seconds("", value)
    except BadInput as exc:
        raise click.BadParameter(str(exc).removeprefix(": ")) from None


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """One option per report format in the table (--json, --html, ...)."""
    for fmt in reversed(FORMATS):
        command = click.option(fmt.option, fmt.dest, metavar=fmt.metavar, help=fmt.help)(command)
    return command


def report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The report options `check`, `watch` and `audit` share: formats, where, exit, noise."""
    for option in reversed(REPORT_OPTIONS):
        command = option(command)
    return output_options(command)


REPORT_OPTIONS: list[Decorator] = [
    click.option(
        "--out-dir", default="reports", show_default=True, help="Folder for saved reports."
    ),
    click.option("--no-save", is_flag=True, help="Do not save reports by default."),
    click.option(
        "--fail-on",
        type=click.Choice(["fail", "warn"]),
        default="fail",
        show_default=True,
        help="Exit 1 on failures only, or on warnings too.",
    ),
    click.option("-v", "--verbose", is_flag=True, help="Show measurements and evidence."),
    click.option("-q", "--quiet", is_flag=True, help="Print only the summary line."),
]


def report_values(opts: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Those options validated, as the keyword arguments both option records take."""
    from . import validate

    outputs = validate.validate_outputs({f.name: opts[f.dest] for f in FORMATS})
    return {
        "outputs": outputs,
        "out_dir": validate.validate_out_dir(opts["out_dir"], not opts["no_save"] and not outputs),
        "save": not opts["no_save"],
        "fail_on": opts["fail_on"],
        "verbose": opts["verbose"],
        "quiet": opts["quiet"],
        "command": shlex.join(["wsdoctor", *sys.argv[1:]]),
        "color_env": {k: environ[k] for k in ("NO_COLOR", "TERM") if k in environ},
    }


def check_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `check` and `watch` share: the target, the path and the report."""
    for option in reversed(CHECK_OPTIONS):
        command = option(command)
    return command


CHECK_OPTIONS: list[Decorator] = [
    click.option("--url", help="ws:// or wss:// URL to check.  [default: Deepgram /v1/listen]"),
    click.option("--region", type=click.Choice(REGIONS), help="Deepgram region host."),
    click.option(
        "--flux", is_flag=True, help="Check Flux (/v2/listen) instead of /v1/listen (also --lab)."
    ),
    click.option("--api-key", envvar="DEEPGRAM_API_KEY", help="API key (else $DEEPGRAM_API_KEY)."),
    click.option("--only", metavar="ID,...", help="Run only these checks (and what they need)."),
    click.option("--skip", metavar="ID,...", help="Do not run these checks."),
    click.option("--quick", is_flag=True, help="Skip slow checks; shorter close_frame audio."),
    click.option(
        "--accept",
        metavar="CAUSE,...",
        help="Report these causes as info (e.g. approved TLS inspection: tls.intercepted).",
    ),
    click.option(
        "--disable-plugin",
        "disable_plugin",
        metavar="NAME",
        multiple=True,
        help="Do not load this check plugin (repeatable).",
    ),
    click.option("--proxy", metavar="URL|none", help="Proxy to use, or 'none' to go direct."),
    click.option(
        "--dns-server", metavar="IP[:PORT]", help="Resolver to ask instead of the system's."
    ),
    click.option("--ca-file", metavar="PEM", help="Extra CA bundle to trust."),
    click.option("--insecure", is_flag=True, help="Continue without TLS verification (reported)."),
    click.option(
        "--vantage",
        metavar="NAME",
        help="Name where this run looks from, for `wsdoctor merge`.  [default: the host name]",
    ),
    click.option(
        "--timeout",
        type=float,
        default=60.0,
        show_default=True,
        callback=positive,
        help="Overall deadline in seconds for the checks (watch: for each run of them).",
    ),
    click.option(
        "--idle-max",
        type=float,
        default=15.0,
        show_default=True,
        callback=positive,
        help="Longest an idle stream is watched, in seconds.",
    ),
    click.option(
        "--lab",
        "lab",
        is_flag=False,
        flag_value="",
        default=None,
        metavar="[FAULT,...]",
        help="Check an in-process Deepgram emulator instead, optionally with faults.",
    ),
    report_options,
    click.option(
        "--metrics-file",
        metavar="PATH",
        help="Write the results as Prometheus metrics (node_exporter textfile).",
    ),
]


REPORT_RESERVE_S = 0.3  # writing the reports after the deadline


def run_budget(timeout_s: float) -> float:
    """What --timeout leaves for the checks: less start-up already spent and the time
    reports take, so the whole process ends within --timeout."""
    main = sys.modules.get("wsdoctor.__main__")
    started = getattr(main, "STARTED_AT", None)
    spent = time.monotonic() - started if isinstance(started, float) else 0.0
    return max(min(timeout_s, 0.1), timeout_s - spent - REPORT_RESERVE_S)


def resolve_url(url: str | None, region: str | None, flux: bool = False) -> str:
    from ..deepgram.hosts import DEFAULT_URL, FLUX_URL, region_url
    from ..errors import BadInput
    from ..model import Target

    if url and region:
        raise BadInput("--url and --region cannot be combined; put the region host in the URL")
    if url and flux:
        raise BadInput("--url and --flux cannot be combined; a /v2/listen URL is Flux already")
    if region:
        url = region_url(region, flux)
    default = FLUX_URL if flux else DEFAULT_URL
    url = default if url is None else url  # an empty --url is a mistake, not the default
    Target.parse(url)  # fail early, with one line, on a bad URL
    return url


def load_registry(disabled: tuple[str, ...] = ()) -> Registry:
    """Tests replace this to run the CLI over test-only checks."""
    from ..registry import Registry

    return Registry.discover(os.environ, disabled)


def check_options_from(registry: Registry, opts: dict[str, Any]) -> CheckOptions:
    """Validate every option up front, so bad input fails before any network traffic."""
    from ..commands.check import CheckOptions
    from ..context import Settings
    from . import validate

    environ = dict(os.environ)  # the one place the environment is read
    settings = Settings(
        timeout_s=run_budget(opts["timeout"]),
        idle_max_s=opts["idle_max"],
        proxy=validate.validate_proxy(opts["proxy"]),
        dns_server=validate.parse_dns_server(opts["dns_server"]),
        ca_file=validate.validate_ca_file(opts["ca_file"]),
        insecure=opts["insecure"],
        accept=validate.parse_accept(opts["accept"], registry.catalogue),
        environ=environ,
        vantage=validate.parse_vantage(opts["vantage"]),
    )
    return CheckOptions(
        url=resolve_url(opts["url"], opts["region"], opts["flux"]),
        api_key=validate.parse_api_key(opts["api_key"]),
        only=validate.parse_id_list(opts["only"], "--only"),
        skip=validate.parse_id_list(opts["skip"], "--skip"),
        quick=opts["quick"],
        settings=settings,
        lab_faults=validate.parse_lab_faults(opts["lab"]),
        **report_values(opts, environ),
        metrics_file=validate.validate_output_file("--metrics-file", opts["metrics_file"]),
    )
