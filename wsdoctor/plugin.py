"""The shape of a check plugin, its verification at load time, and the base class built-ins use.

A third-party plugin only needs an object with `id`, `title`, `depends_on`,
`tags`, `causes` and `async run(ctx)`; subclassing `Check` is optional. `causes`
is either a tuple of cause ids wsdoctor already knows, or a mapping from the
plugin's own cause ids to their entries (title, meaning, steps, section, links).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypedDict, runtime_checkable

from .model import (
    CheckResult,
    Evidence,
    Finding,
    Level,
    Measurements,
    Phase,
    Span,
    Status,
    status_of,
)

if TYPE_CHECKING:
    from .context import CheckContext, Settings


class Described(Protocol):
    """What a report needs to know of whatever produced a result."""

    @property
    def title(self) -> str: ...
    @property
    def depends_on(self) -> tuple[str, ...]: ...
    @property
    def tags(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class EntryInfo:
    """Title and tags of a report entry that no check plugin produced (an audited
    connection, a watch run)."""

    title: str
    depends_on: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@runtime_checkable
class CheckPlugin(Described, Protocol):
    id: str

    async def run(self, ctx: CheckContext) -> CheckResult: ...


class Details(TypedDict, total=False):
    """What a verdict carries besides its findings: `**details` into the verdict builders."""

    measurements: Measurements
    evidence: Evidence
    phases: tuple[Phase, ...]
    spans: tuple[Span, ...]


def finding(level: Level, cause: str, message: str, evidence: Evidence | None = None) -> Finding:
    return Finding(level, cause, message, dict(evidence or {}))


class Check:
    """Base class for checks: metadata as class attributes, and the verdict builders.

    Every builder takes (cause, message) in that order; a check ends by returning
    a verdict, never by raising one. Network errors it does not judge itself may
    escape: the runner maps them to `<check>.<suffix>` causes.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    depends_on: ClassVar[tuple[str, ...]] = ()
    tags: ClassVar[tuple[str, ...]] = ()
    causes: ClassVar[tuple[str, ...] | Mapping[str, Mapping[str, Any]]] = ()
    provides: ClassVar[tuple[str, ...]] = ()  # facts this check shares with later ones

    def deadline_s(self, settings: Settings) -> float:
        """How long this check may take; slow checks derive it from their settings."""
        return settings.check_timeout_s

    async def run(self, ctx: CheckContext) -> CheckResult:
        raise NotImplementedError

    def verdict(
        self,
        summary: str,
        findings: Iterable[Finding] = (),
        *,
        measurements: Measurements | None = None,
        evidence: Evidence | None = None,
        phases: Iterable[Phase] = (),
        spans: Iterable[Span] = (),
    ) -> CheckResult:
        """The result of a check that ran: its status is its worst finding."""
        findings = tuple(findings)
        return CheckResult(
            check_id=self.id,
            status=status_of(findings),
            summary=summary,
            findings=findings,
            measurements=dict(measurements or {}),
            evidence=dict(evidence or {}),
            phases=tuple(phases),
            spans=tuple(spans),
        )

    def passed(self, summary: str, **details: Any) -> CheckResult:
        return self.verdict(summary, (), **details)

    def noted(self, cause: str, message: str, **details: Any) -> CheckResult:
        """A pass that carries advice (e.g. Deepgram's documented NET-0001)."""
        return self.verdict(message, [finding(Level.INFO, cause, message)], **details)

    def warned(self, cause: str, message: str, **details: Any) -> CheckResult:
        return self.verdict(message, [finding(Level.WARN, cause, message)], **details)

    def failed(self, cause: str, message: str, **details: Any) -> CheckResult:
        return self.verdict(message, [finding(Level.FAIL, cause, message)], **details)

    def skipped(self, reason: str, *, evidence: Evidence | None = None) -> CheckResult:
        """Not run, for a reason of this check's own (it does not block dependants)."""
        return CheckResult(self.id, Status.SKIP, reason, evidence=dict(evidence or {}))


def declared_causes(check: object) -> tuple[str, ...]:
    return tuple(getattr(check, "causes", ()))


def own_cause_entries(check: object) -> Mapping[str, Mapping[str, Any]]:
    causes = getattr(check, "causes", ())
    return causes if isinstance(causes, Mapping) else {}


def check_deadline(check: object, settings: Settings) -> float:
    deadline = getattr(check, "deadline_s", None)
    return float(deadline(settings)) if callable(deadline) else settings.check_timeout_s


def contract_problems(check: object, known_causes: Iterable[str]) -> list[str]:
    """What is wrong with a plugin object, as pluggy verifies a hook implementation at load."""
    problems = []
    for name, kind in (("id", str), ("title", str), ("depends_on", tuple), ("tags", tuple)):
        if not isinstance(getattr(check, name, None), kind):
            problems.append(f"`{name}` must be a {kind.__name__}")
    if not inspect.iscoroutinefunction(getattr(check, "run", None)):
        problems.append("`run` must be an async function: async def run(self, ctx)")
    deadline = getattr(check, "deadline_s", None)
    if deadline is not None and not callable(deadline):
        problems.append("`deadline_s` must be a method taking the settings")
    check_id = getattr(check, "id", "?")
    known = set(known_causes) | set(own_cause_entries(check))
    for cause in declared_causes(check):
        if not str(cause).startswith(f"{check_id}."):
            problems.append(f"cause {cause!r} must start with the check id: {check_id}.")
        elif cause not in known:
            problems.append(f"cause {cause!r} has no entry (title, meaning, steps, section)")
    for fact in getattr(check, "provides", ()):
        if not str(fact).startswith(f"{check_id}."):
            problems.append(f"fact {fact!r} must start with the check id: {check_id}.")
    return problems


class StreamCheck(Check):
    """A check that opens live streams: it runs only if the handshake could upgrade.

    Without an API key the handshake still passes (Deepgram's 401 proves the path),
    but no stream can open, so these checks skip instead of failing four times over.
    """

    depends_on: ClassVar[tuple[str, ...]] = ("handshake",)

    async def run(self, ctx: CheckContext) -> CheckResult:
        if ctx.fact("handshake.upgraded") is False:
            return self.skipped("needs a working API key: the handshake did not upgrade")
        return await self.stream(ctx)

    async def stream(self, ctx: CheckContext) -> CheckResult:
        raise NotImplementedError
