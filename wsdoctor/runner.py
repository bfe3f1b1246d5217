"""Running checks: concurrency, dependency gating, deadlines, and outcome classification.

Each check starts the moment its dependencies finish, so a run takes as long
as its critical path. Every way a check can end - verdict, deadline, network
error, bug, cancellation - becomes a CheckResult here and nowhere else.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from .context import CheckContext
from .model import CheckResult, Finding, Level, Status
from .net.errors import NotApplicable, describe, translate
from .net.tracking import abort_all, tracked_streams
from .plugin import CheckPlugin, check_deadline, declared_causes
from .redact import clean_result

if TYPE_CHECKING:
    from .registry import PluginOrigin

# Listeners learn of progress as ("start" | "finish", check_id, result-or-None).
Listener = Callable[[str, str, CheckResult | None], None]
GENERIC_PREFIX = "network"


class Runner:
    """One run over a selection of checks; keeps partial results if interrupted."""

    def __init__(
        self,
        checks: Iterable[CheckPlugin],
        ctx: CheckContext,
        listener: Listener | None = None,
        *,
        origins: Mapping[str, PluginOrigin] | None = None,
    ) -> None:
        """`origins`: the third-party checks among `checks` (Selection.origins()), so a
        crash names the plugin that crashed rather than calling it a wsdoctor error."""
        self.checks = list(checks)
        self.ctx = ctx
        self.listener = listener or (lambda *_: None)
        self.origins = dict(origins or {})
        self.results: dict[str, CheckResult] = {}
        self._blocked: set[str] = set()
        self._done: dict[str, asyncio.Event] = {}
        self._deadline = 0.0

    async def run(self) -> list[CheckResult]:
        timeout = self.ctx.settings.timeout_s
        self._deadline = time.monotonic() + timeout
        self._done = {c.id: asyncio.Event() for c in self.checks}
        with tracked_streams() as streams:  # at the deadline, cut every stream at once
            cut = asyncio.get_running_loop().call_later(timeout, abort_all, streams)
            tasks = [
                asyncio.create_task(self._run_one(c), name=f"check:{c.id}") for c in self.checks
            ]
            try:
                await asyncio.gather(*tasks)
            finally:
                cut.cancel()
                for task in tasks:
                    task.cancel()
        return self.ordered_results()

    def ordered_results(self, interrupted: bool = False) -> list[CheckResult]:
        """Results in selection order; checks that never finished are reported as skipped."""
        reason = "interrupted before it finished" if interrupted else "did not run"
        return [
            self.results.get(c.id) or CheckResult(c.id, Status.SKIP, reason) for c in self.checks
        ]

    async def _run_one(self, check: CheckPlugin) -> None:
        deps = [d for d in check.depends_on if d in self._done]
        for dep in deps:
            await self._done[dep].wait()
        blocker = next((d for d in deps if self._blocks(d)), None)
        if blocker is not None:
            self._blocked.add(check.id)
            self._finish(CheckResult(check.id, Status.SKIP, f"blocked by {blocker}"))
            return
        self.listener("start", check.id, None)
        started = time.monotonic()
        result = await self._call(check)
        elapsed_ms = (time.monotonic() - started) * 1000
        self._finish(replace(result, check_id=check.id, duration_ms=round(elapsed_ms, 1)))

    def _blocks(self, dep: str) -> bool:
        """A dependency blocks if it failed, errored, or was itself blocked.

        A dependency skipped for its own reasons (not applicable, or --skip) does
        not: `tls` skips for ws:// targets and `handshake` must still run.
        """
        result = self.results[dep]
        return result.status in (Status.FAIL, Status.ERROR) or dep in self._blocked

    def _finish(self, result: CheckResult) -> None:
        result = clean_result(result.accepting(self.ctx.settings.accept), self.ctx.redactor)
        self.results[result.check_id] = result
        self.ctx.results[result.check_id] = result
        self._done[result.check_id].set()
        self.listener("finish", result.check_id, result)

    async def _call(self, check: CheckPlugin) -> CheckResult:
        left = self._deadline - time.monotonic()
        own = check_deadline(check, self.ctx.settings)
        budget = min(own, left)
        if budget <= 0:
            return CheckResult(check.id, Status.SKIP, "not started: --timeout reached")
        try:
            async with asyncio.timeout(budget):
                result = await check.run(self.ctx)
        except TimeoutError:
            return _deadline_result(check, budget, cut_by_global=budget < own)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return outcome_of_exception(check, exc, self.origins.get(check.id))
        if not isinstance(result, CheckResult):
            return CheckResult(
                check.id, Status.ERROR, f"check returned {type(result).__name__}, not CheckResult"
            )
        return with_failure_finding(check, result)


def with_failure_finding(check: CheckPlugin, result: CheckResult) -> CheckResult:
    """A failed result that names no failing cause gets `<check>.failed`, so the failure is
    still a root cause (with generic advice) rather than lost or shown without a title."""
    if result.status is not Status.FAIL or any(f.level is Level.FAIL for f in result.findings):
        return result
    finding = Finding(Level.FAIL, f"{check.id}.failed", result.summary or "failed")
    return replace(result, findings=(*result.findings, finding))


def cause_for(check: CheckPlugin, suffixes: Iterable[str]) -> str:
    """`<check>.<suffix>` for the first suffix the check declares, else `network.<suffix>`."""
    suffixes = list(suffixes)
    declared = set(declared_causes(check))
    for suffix in suffixes:
        if f"{check.id}.{suffix}" in declared:
            return f"{check.id}.{suffix}"
    return f"{GENERIC_PREFIX}.{suffixes[0]}"


def failure(
    check: CheckPlugin,
    cause: str,
    summary: str,
    *,
    measurements: Mapping[str, float] | None = None,
    evidence: Mapping[str, str] | None = None,
) -> CheckResult:
    return CheckResult(
        check.id,
        Status.FAIL,
        summary,
        (Finding(Level.FAIL, cause, summary),),
        measurements=dict(measurements or {}),
        evidence=dict(evidence or {}),
    )


def _deadline_result(check: CheckPlugin, budget: float, cut_by_global: bool) -> CheckResult:
    why = "cut off by --timeout" if cut_by_global else "did not finish within its deadline"
    cause = cause_for(check, ["timeout"])
    measurements = {"deadline_s": round(budget, 3)}
    return failure(check, cause, f"{why} ({budget:.1f} s)", measurements=measurements)


def outcome_of_exception(
    check: CheckPlugin, exc: BaseException, origin: PluginOrigin | None = None
) -> CheckResult:
    """Network errors fail with a cause, tool limits skip, anything else is an error: of the
    plugin `origin` names, else of wsdoctor itself."""
    error = translate(exc)
    if isinstance(error, NotApplicable):
        return CheckResult(check.id, Status.SKIP, f"not applicable: {error}", not_applicable=True)
    detail = describe(exc)
    if error is not None:
        summary = str(error) or detail
        cause = cause_for(check, error.suffixes())
        return failure(check, cause, summary, evidence={"exception": detail})
    tb = "".join(traceback.format_exception(exc))
    summary = origin.crash_message(check.id, detail) if origin else f"wsdoctor error: {detail}"
    return CheckResult(
        check.id, Status.ERROR, summary, evidence={"exception": detail, "traceback": tb}
    )
