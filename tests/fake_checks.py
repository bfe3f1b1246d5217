"""Test-only checks, loadable through real entry points (tests register them by value)."""

from __future__ import annotations

import asyncio

from wsdoctor import Check, CheckContext, CheckResult


class Fake(Check):
    """A configurable check: sleeps, then passes, or returns/raises what it was given."""

    def __init__(
        self,
        check_id: str,
        depends_on: tuple[str, ...] = (),
        *,
        sleep: float = 0.0,
        outcome: object = None,
        tags: tuple[str, ...] = (),
        causes: tuple[str, ...] = (),
        deadline: float | None = None,
        log: list[tuple[str, str]] | None = None,
    ) -> None:
        self.id = check_id
        self.title = f"Fake {check_id}"
        self.depends_on = depends_on
        self.tags = tags
        self.causes = causes
        self.sleep = sleep
        self.outcome = outcome
        self.deadline = deadline
        self.log = log if log is not None else []

    def deadline_s(self, settings):  # type: ignore[no-untyped-def]
        return self.deadline if self.deadline is not None else settings.check_timeout_s

    async def run(self, ctx: CheckContext) -> CheckResult:
        self.log.append(("start", self.id))
        await asyncio.sleep(self.sleep)
        self.log.append(("end", self.id))
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        if callable(self.outcome):
            return self.outcome(self, ctx)
        return self.outcome or self.passed(f"{self.id} ok")


class Alpha(Check):
    id = "alpha"
    title = "Alpha"
    causes = {  # noqa: RUF012 - a plugin ships its own cause entries
        "alpha.broken": {
            "title": "Alpha is broken",
            "meaning": "A test cause shipped by a test plugin.",
            "steps": ["Fix alpha."],
            "section": "Network Instability",
            "links": [],
        }
    }

    async def run(self, ctx: CheckContext) -> CheckResult:
        return self.passed("alpha ok")


class Beta(Check):
    id = "beta"
    title = "Beta"
    depends_on = ("alpha",)

    async def run(self, ctx: CheckContext) -> CheckResult:
        return self.passed("beta ok")


alpha = Alpha()
alpha_again = Alpha()
orphan = Fake("orphan", ("nowhere",))
not_a_check = object()


class SyncRun(Check):
    id = "syncrun"
    title = "Run is not async"

    def run(self, ctx: CheckContext) -> CheckResult:  # type: ignore[override]
        return self.passed("never")


class ForeignCause(Check):
    id = "foreign"
    title = "Declares another check's cause"
    causes = ("dns.nxdomain",)

    async def run(self, ctx: CheckContext) -> CheckResult:
        return self.passed("never")


class CauseWithoutEntry(Check):
    id = "bare"
    title = "Declares a cause nobody describes"
    causes = ("bare.mystery",)

    async def run(self, ctx: CheckContext) -> CheckResult:
        return self.passed("never")


sync_run = SyncRun()
foreign_cause = ForeignCause()
cause_without_entry = CauseWithoutEntry()
