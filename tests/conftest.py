"""Shared fixtures: contexts, registries of fake checks, the JSON schema."""

from __future__ import annotations

import json
from importlib.metadata import EntryPoint
from importlib.resources import files

import pytest

from wsdoctor import CheckContext, Settings, Target
from wsdoctor.registry import AUTOLOAD_OFF_ENV, GROUP, Registered, Registry


@pytest.fixture(autouse=True)
def builtin_checks_only(monkeypatch):
    """Plugins installed beside wsdoctor (CI installs examples/wsdoctor-clock-skew) stay out
    of the suite's runs, so its expectations hold; tests of plugins turn autoload back on."""
    monkeypatch.setenv(AUTOLOAD_OFF_ENV, "1")


def make_ctx(url: str = "ws://127.0.0.1:9/v1/listen", api_key: str | None = None, **settings):
    settings.setdefault("environ", {})
    return CheckContext(Target.parse(url), Settings(**settings), api_key)


def registry_of(*checks) -> Registry:
    return Registry(Registered(c, "tests 0", f"fake:{c.id}") for c in checks)


def entry_point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=GROUP)


@pytest.fixture
def report_schema() -> dict:
    return json.loads(files("wsdoctor").joinpath("schema/report.schema.json").read_text())


@pytest.fixture
def serve_lab():
    """Start labs for this test (in background threads); each stops when the test ends.

    `lab = serve_lab("drop-on-close", idle=1.0, tls=False, key=None)` returns the
    RunningLab: its `url`, `port`, `http_url`, `ca_file` and `records`. Keywords beyond
    those go to `running_lab` (`header_timeout=0.5`, `max_connections=2`).
    """
    from wsdoctor.lab.thread import LabThread

    started: list[LabThread] = []

    def start(
        *faults: str, idle: float = 1.0, tls: bool = False, key: str | None = None, **serving
    ):
        thread = LabThread(*faults, idle=idle, tls=tls, key=key, **serving)
        started.append(thread)
        return thread.__enter__()

    yield start
    for thread in reversed(started):
        thread.__exit__(None, None, None)
