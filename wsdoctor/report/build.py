"""Turning raw check results into a Report: remediation attached, root causes found, secrets gone.

Every string is cleaned here (redacted, control characters neutralised), so every
renderer - and every future one - gets a report that is safe to attach to a public
ticket and to print on a terminal.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime
from importlib import metadata
from pathlib import Path

from .. import __version__
from .. import platforms as known_platforms
from ..causes import Catalogue, Remediation, unlisted
from ..model import CheckEntry, CheckResult, Report
from ..plugin import Described
from ..redact import PROXY_VARIABLES, clean_result
from .platform_notes import platform_notes
from .roots import root_causes
from .scope import ReportScope

ENV_PACKAGES = ("wsdoctor", "websockets", "aiohttp", "httpx", "dnspython", "deepgram-sdk")


def resolver_config(path: str = "/etc/resolv.conf") -> list[str]:
    """The nameserver and search lines of the system resolver, for support tickets."""
    try:
        lines = Path(path).read_text("utf-8", "replace").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip().startswith(("nameserver", "search"))]


def environment_snapshot(environ: Mapping[str, str]) -> dict[str, object]:
    packages: dict[str, str | None] = {}
    for name in ENV_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    proxy_env = {
        name: environ[name]
        for upper in PROXY_VARIABLES
        for name in (upper, upper.lower())
        if environ.get(name)
    }
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "packages": packages,
        "proxy_env": proxy_env,
        "resolver": resolver_config(),
        "platforms": known_platforms.describe(known_platforms.detect(environ), environ),
    }


def _entry(
    result: CheckResult, check: Described | None, pulled_in: bool, catalogue: Catalogue
) -> CheckEntry:
    return CheckEntry(
        result=result,
        title=check.title if check else result.check_id,
        depends_on=tuple(check.depends_on) if check else (),
        tags=tuple(check.tags) if check else (),
        remediation=advice(result.cause, check.title if check else result.check_id, catalogue),
        pulled_in=pulled_in,
    )


def _local(entries: Iterable[CheckEntry]) -> set[str]:
    """Checks that look at this machine, not the path (tag `local`): see root_causes."""
    return {entry.id for entry in entries if "local" in entry.tags}


def advice(cause: str | None, title: str, catalogue: Catalogue) -> Remediation | None:
    """The catalogue's entry for a cause, else generic advice that still has a title."""
    if not cause:
        return None
    return catalogue.get(cause) or unlisted(cause, title)


def build_report(
    results: Iterable[CheckResult],
    scope: ReportScope,
    checks: Mapping[str, Described],
    *,
    catalogue: Catalogue | None = None,
    started_at: datetime,
    duration_ms: float,
    pulled_in: Iterable[str] = (),
    command: str = "",
    interrupted: bool = False,
    suppressed: Iterable[str] = (),
) -> Report:
    """`checks` maps check id -> what produced it (a check plugin, or an audited connection),
    for titles and dependencies."""
    redactor = scope.redactor
    catalogue = catalogue or Catalogue()
    results = [clean_result(r, redactor) for r in results]  # idempotent; covers direct use
    where = known_platforms.detect(scope.environ)
    results = [platform_notes(r, where) for r in results]
    pulled = set(pulled_in)
    entries = tuple(
        _entry(r, checks.get(r.check_id), r.check_id in pulled, catalogue) for r in results
    )
    titles = {e.id: e.title for e in entries}
    seen = {f.cause: titles[r.check_id] for r in results for f in r.findings}
    remediations = {c: rem for c, t in seen.items() if (rem := advice(c, t, catalogue))}
    depends = {e.id: e.depends_on for e in entries}
    environment = environment_snapshot(scope.environ)
    environment["suppressed_errors"] = list(suppressed)
    if scope.server_idle_s is not None:
        environment["server_idle_s"] = scope.server_idle_s  # for the timeline's marker
    return Report(
        tool_version=__version__,
        target=scope.target,
        display_url=redactor.text(scope.target.url),
        started_at=started_at,
        duration_ms=round(duration_ms, 1),
        environment=redactor.mapping(environment),
        checks=entries,
        root_causes=tuple(
            root_causes(results, depends, catalogue.explanations(), local=_local(entries))
        ),
        command=redactor.text(command),
        interrupted=interrupted,
        remediations=remediations,
        accepted=tuple(sorted(scope.accept)),
        vantage=redactor.text(scope.vantage),
    )
