"""The shape of a check plugin, and the small conveniences built-in checks share.

A third-party plugin only needs an object with `id`, `title`, `depends_on`,
`tags`, `causes` and `async run(ctx)`; subclassing `Check` is optional.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, TypedDict, runtime_checkable

from .model import CheckResult, Evidence, Measurements, Status

if TYPE_CHECKING:
    from .context import CheckContext, Settings


@runtime_checkable
class CheckPlugin(Protocol):
    id: str
    title: str
    depends_on: tuple[str, ...]
    tags: tuple[str, ...]

    async def run(self, ctx: CheckContext) -> CheckResult: ...


class Details(TypedDict, total=False):
    """What a verdict carries besides its summary: `**details` into passed()/failed()/..."""

    measurements: Measurements
    evidence: Evidence


class CheckFailed(Exception):
    """Raised anywhere below a check to end it as `fail` with a known cause."""

    def __init__(
        self,
        cause: str | None,
        summary: str,
        *,
        evidence: Evidence | None = None,
        measurements: Measurements | None = None,
    ) -> None:
        super().__init__(summary)
        self.cause = cause
        self.summary = summary
        self.evidence = dict(evidence or {})
        self.measurements = dict(measurements or {})


class Check:
    """Base class for checks: declares metadata as class attributes, builds results."""

    id: ClassVar[str]
    title: ClassVar[str]
    depends_on: ClassVar[tuple[str, ...]] = ()
    tags: ClassVar[tuple[str, ...]] = ()
    causes: ClassVar[tuple[str, ...]] = ()

    def deadline_s(self, settings: Settings) -> float:
        """How long this check may take; slow checks derive it from their settings."""
        return settings.check_timeout_s

    async def run(self, ctx: CheckContext) -> CheckResult:
        raise NotImplementedError

    def _result(
        self,
        status: Status,
        summary: str,
        cause: str | None = None,
        measurements: Measurements | None = None,
        evidence: Evidence | None = None,
    ) -> CheckResult:
        return CheckResult(
            check_id=self.id,
            status=status,
            summary=summary,
            cause=cause,
            measurements=dict(measurements or {}),
            evidence=dict(evidence or {}),
        )

    def passed(
        self,
        summary: str,
        *,
        cause: str | None = None,
        measurements: Measurements | None = None,
        evidence: Evidence | None = None,
    ) -> CheckResult:
        """`cause` on a pass attaches advice without calling it a problem (e.g. NET-0001)."""
        return self._result(Status.PASS, summary, cause, measurements, evidence)

    def warned(
        self,
        summary: str,
        cause: str | None = None,
        *,
        measurements: Measurements | None = None,
        evidence: Evidence | None = None,
    ) -> CheckResult:
        return self._result(Status.WARN, summary, cause, measurements, evidence)

    def failed(
        self,
        cause: str,
        summary: str,
        *,
        measurements: Measurements | None = None,
        evidence: Evidence | None = None,
    ) -> CheckResult:
        return self._result(Status.FAIL, summary, cause, measurements, evidence)

    def skipped(self, reason: str, *, evidence: Evidence | None = None) -> CheckResult:
        return self._result(Status.SKIP, reason, None, None, evidence)


def declared_causes(check: object) -> tuple[str, ...]:
    return tuple(getattr(check, "causes", ()))


def check_deadline(check: object, settings: Settings) -> float:
    deadline = getattr(check, "deadline_s", None)
    return float(deadline(settings)) if callable(deadline) else settings.check_timeout_s


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
