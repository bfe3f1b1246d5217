"""Running the real checks against an in-process lab, scaled down for the test suite."""

from __future__ import annotations

import asyncio

from wsdoctor.commands.check import CheckOptions, CheckSession
from wsdoctor.context import Settings
from wsdoctor.model import Report
from wsdoctor.registry import AUTOLOAD_OFF_ENV, Registry

REGISTRY = Registry.discover({AUTOLOAD_OFF_ENV: "1"})  # installed plugins stay out
FAST = Settings(check_timeout_s=3.0, stability_s=1.5, idle_max_s=4.0, environ={})
V1_PATH = "ws://127.0.0.1:9/v1/listen"  # the lab serves the path and query given here
FLUX_PATH = "ws://127.0.0.1:9/v2/listen?model=flux-general-en"


def run_against_lab(
    *faults: str,
    only: tuple[str, ...] = (),
    idle: float = 1.0,
    api_key: str | None = None,
    settings: Settings = FAST,
    url: str = V1_PATH,
) -> Report:
    options = CheckOptions(
        url=url,  # its host is replaced by the lab's
        api_key=api_key,
        only=only,
        settings=settings,
        lab_faults=faults,
        lab_idle_s=idle,
        save=False,
    )
    session = CheckSession(options, REGISTRY)
    asyncio.run(session.run())
    return session.report()


def statuses(report: Report) -> dict[str, str]:
    return {entry.id: entry.status.value for entry in report.checks}


def run_against(
    url: str,
    *,
    only: tuple[str, ...] = (),
    api_key: str | None = "lab-test-key-0123456789",
    settings: Settings = FAST,
) -> Report:
    """The real checks against any URL (a lab behind an intermediary, say)."""
    options = CheckOptions(url=url, api_key=api_key, only=only, settings=settings, save=False)
    session = CheckSession(options, REGISTRY)
    asyncio.run(session.run())
    return session.report()
