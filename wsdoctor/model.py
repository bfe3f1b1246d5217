"""The vocabulary every part of wsdoctor speaks: statuses, findings, targets, results, reports.

Everything here is a frozen value with no I/O, so checks, the runner and the
renderers can pass results around without worrying about who mutates what.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from .causes import Remediation
from .deepgram.hosts import DEFAULT_HOST
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


class Level(enum.StrEnum):
    """How much a finding matters; a check's status is its worst finding's level."""

    INFO = "info"
    WARN = "warn"
    FAIL = "fail"


_LEVEL_ORDER = (Level.FAIL, Level.WARN, Level.INFO)
_STATUS_OF_LEVEL = {Level.FAIL: Status.FAIL, Level.WARN: Status.WARN, Level.INFO: Status.PASS}


@dataclass(frozen=True)
class Finding:
    """One thing a check established, with the cause id that carries its advice.

    As Django's check messages do, a check returns zero or more of these; `info`
    attaches advice without calling it a problem (Deepgram's documented NET-0001).
    """

    level: Level
    cause: str
    message: str
    evidence: Evidence = field(default_factory=dict)
    accepted: bool = False  # --accept turned a warn or fail into info


@dataclass(frozen=True)
class Phase:
    """One step of opening a connection, for the waterfall (contributed by any check)."""

    label: str
    ms: float


@dataclass(frozen=True)
class Span:
    """How long a stream lived, in seconds since its 101, for the timeline."""

    label: str
    seconds: float


@dataclass(frozen=True)
class Mark:
    """One event on a timeline: an audited connection's (seconds since its 101) or a watch
    run's (seconds since it started).

    `kind` is one of MARK_KINDS; `until` ends a run (audio) or a stretch (an idle gap).
    """

    at: float
    kind: str
    label: str = ""
    until: float | None = None
    value: float | None = None  # a measurement at that moment (rtt: milliseconds)


MARK_KINDS = (
    "audio", "keepalive", "control", "server", "client-close", "server-close", "drop", "idle",
    "rtt", "stall", "reconnect",
)  # fmt: skip


def status_of(findings: Iterable[Finding]) -> Status:
    levels = {f.level for f in findings}
    worst = next((level for level in _LEVEL_ORDER if level in levels), Level.INFO)
    return _STATUS_OF_LEVEL[worst]


DEFAULT_PORTS = {"ws": 80, "wss": 443}


def _host_char(char: str) -> bool:
    """Letters, digits, '-', '_' and '.'; non-ASCII letters are allowed (IDN)."""
    if char.isascii():
        return char.isalnum() or char in "-_."
    return char.isalnum()


def check_host_name(host: str) -> None:
    """Refuse names no resolver could answer, before any traffic (RFC 1035 limits)."""
    if ":" in host:  # an IPv6 literal; urlsplit already checked the brackets
        return
    bad = next((c for c in host if not _host_char(c)), None)
    if bad is not None:
        raise BadInput(f"host name {host!r} contains {bad!r}, which no host name can have")
    name = host.rstrip(".")
    if len(name) > 253:
        raise BadInput(f"host name is {len(name)} characters long; at most 253 can exist")
    for label in name.split("."):
        if not label:
            raise BadInput(f"host name {host!r} has an empty label (two dots in a row?)")
        if len(label.encode("idna" if not label.isascii() else "ascii", "replace")) > 63:
            raise BadInput(f"host name label {label[:20]!r}... is over 63 characters")


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
        if not url.strip():
            raise BadInput("empty URL: give a ws:// or wss:// URL, or leave --url out")
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
                f"(e.g. {suggestion}://{parts.netloc or DEFAULT_HOST}{parts.path})"
            )
        if scheme not in DEFAULT_PORTS:
            raise BadInput(f"malformed URL {url!r}: expected ws:// or wss://")
        if not parts.hostname:
            raise BadInput(f"malformed URL {url!r}: no host name")
        if parts.username is not None or parts.password is not None:
            raise BadInput(
                "the URL has a user name or password in it; Deepgram does not read credentials "
                "from the URL: give the key with --api-key or DEEPGRAM_API_KEY"
            )
        if port is not None and not 0 < port < 65536:
            raise BadInput(f"port {port} is out of range (1-65535)")
        check_host_name(parts.hostname)
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
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def http_base(self) -> str:
        """The REST origin that serves the same host (wss -> https, ws -> http)."""
        scheme = "https" if self.secure else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = DEFAULT_PORTS[self.scheme]
        return f"{scheme}://{host}" + ("" if self.port == default else f":{self.port}")


@dataclass(frozen=True)
class CheckResult:
    """What one check established. Holds only JSON-safe data.

    `status` is the worst finding's level for a check that ran; `skip` and
    `error` are set by the runner (or by a check that skips).
    """

    check_id: str
    status: Status
    summary: str
    findings: tuple[Finding, ...] = ()
    measurements: Measurements = field(default_factory=dict)
    evidence: Evidence = field(default_factory=dict)
    duration_ms: float = 0.0
    phases: tuple[Phase, ...] = ()
    spans: tuple[Span, ...] = ()
    not_applicable: bool = False  # a skip because wsdoctor cannot measure this on this path
    marks: tuple[Mark, ...] = ()  # an audited connection's timeline

    @property
    def primary(self) -> Finding | None:
        """The finding that speaks for the check: the first of the worst level."""
        for level in _LEVEL_ORDER:
            found = next((f for f in self.findings if f.level is level), None)
            if found is not None:
                return found
        return None

    @property
    def cause(self) -> str | None:
        primary = self.primary
        return primary.cause if primary else None

    def accepting(self, accepted: frozenset[str]) -> CheckResult:
        """The result with the named causes turned into info, as Django's silenced checks are."""
        if not accepted or not any(f.cause in accepted for f in self.findings):
            return self
        findings = tuple(
            replace(f, level=Level.INFO, accepted=True)
            if f.cause in accepted and f.level is not Level.INFO
            else f
            for f in self.findings
        )
        status = status_of(findings) if self.status in _STATUS_OF_LEVEL.values() else self.status
        return replace(self, findings=findings, status=status)


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
class RootCause:
    """A root cause as renderers show it: the cause, where it was seen, what to do."""

    cause: str
    entry: CheckEntry
    finding: Finding
    remediation: Remediation | None


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
    remediations: Mapping[str, Remediation] = field(default_factory=dict)
    accepted: tuple[str, ...] = ()
    vantage: str = ""  # the --vantage name, so `merge` can tell places apart

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
        return Status.PASS if Status.PASS in present else Status.SKIP  # nothing checked

    @property
    def roots(self) -> tuple[RootCause, ...]:
        """Each root cause with the first finding that names it, in root-cause order."""
        found: list[RootCause] = []
        for cause in self.root_causes:
            for entry in self.checks:
                finding = next((f for f in entry.result.findings if f.cause == cause), None)
                if finding is not None:
                    found.append(RootCause(cause, entry, finding, self.remediations.get(cause)))
                    break
        return tuple(found)

    @property
    def accepted_findings(self) -> tuple[tuple[CheckEntry, Finding], ...]:
        return tuple((e, f) for e in self.checks for f in e.result.findings if f.accepted)

    def entry(self, check_id: str) -> CheckEntry | None:
        return next((e for e in self.checks if e.id == check_id), None)
