"""The vocabulary every part of wsdoctor speaks: statuses, targets, results, reports.

Everything here is a frozen value with no I/O, so checks, the runner and the
renderers can pass results around without worrying about who mutates what.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from .causes import Remediation
from .errors import BadInput

Evidence = Mapping[str, str | int | float | bool | None]
Measurements = Mapping[str, float]


class Status(enum.StrEnum):
    """Outcome of one check; `fail` blames the path, `error` blames wsdoctor (as pytest does)."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


# Worst first: the overall verdict of a report is the worst status it contains.
SEVERITY: tuple[Status, ...] = (Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP)


DEFAULT_PORTS = {"ws": 80, "wss": 443}


@dataclass(frozen=True)
class Target:
    """Where the checks point; `url` may hold secrets, so show `display_url` instead."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    query: str = ""

    @classmethod
    def parse(cls, url: str) -> Target:
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise BadInput(f"malformed URL {url!r}: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            suggestion = "wss" if scheme == "https" else "ws"
            raise BadInput(
                f"{scheme}:// is not a WebSocket URL; use {suggestion}:// "
                f"(e.g. {suggestion}://{parts.netloc or 'api.deepgram.com'}{parts.path})"
            )
        if scheme not in DEFAULT_PORTS:
            raise BadInput(f"malformed URL {url!r}: expected ws:// or wss://")
        if not parts.hostname:
            raise BadInput(f"malformed URL {url!r}: no host name")
        if port is not None and not 0 < port < 65536:
            raise BadInput(f"port {port} is out of range (1-65535)")
        return cls(
            url=url.strip(),
            scheme=scheme,
            host=parts.hostname,
            port=port or DEFAULT_PORTS[scheme],
            path=parts.path or "/",
            query=parts.query,
        )

    @property
    def secure(self) -> bool:
        return self.scheme == "wss"

    @property
    def http_base(self) -> str:
        """The REST origin that serves the same host (wss -> https, ws -> http)."""
        scheme = "https" if self.secure else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = DEFAULT_PORTS[self.scheme]
        return f"{scheme}://{host}" + ("" if self.port == default else f":{self.port}")


@dataclass(frozen=True)
class CheckResult:
    """What one check established. Holds only JSON-safe data."""

    check_id: str
    status: Status
    summary: str
    cause: str | None = None
    measurements: Measurements = field(default_factory=dict)
    evidence: Evidence = field(default_factory=dict)
    duration_ms: float = 0.0


@dataclass(frozen=True)
class CheckEntry:
    """A result placed in its report: the check's metadata and the advice for its cause."""

    result: CheckResult
    title: str
    depends_on: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    remediation: Remediation | None = None
    pulled_in: bool = False

    @property
    def id(self) -> str:
        return self.result.check_id

    @property
    def status(self) -> Status:
        return self.result.status


@dataclass(frozen=True)
class Report:
    """A finished (or interrupted) run, already redacted and ready for any renderer."""

    tool_version: str
    target: Target
    display_url: str
    started_at: datetime
    duration_ms: float
    environment: Mapping[str, object]
    checks: tuple[CheckEntry, ...]
    root_causes: tuple[str, ...] = ()
    command: str = ""
    interrupted: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in Status}
        for entry in self.checks:
            counts[entry.status.value] += 1
        return counts

    @property
    def status(self) -> Status:
        present = {entry.status for entry in self.checks}
        for status in SEVERITY[:3]:
            if status in present:
                return status
        return Status.PASS

    @property
    def root_entries(self) -> tuple[CheckEntry, ...]:
        """The failing checks that explain the others, in report order."""
        roots = set(self.root_causes)
        return tuple(e for e in self.checks if (e.result.cause or e.id) in roots)

    def entry(self, check_id: str) -> CheckEntry | None:
        return next((e for e in self.checks if e.id == check_id), None)
