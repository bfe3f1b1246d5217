"""A failure that names no known cause still becomes a root cause with a title and advice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from conftest import make_ctx
from fake_checks import Fake

from wsdoctor import CheckResult, Status
from wsdoctor.report.build import build_report
from wsdoctor.report.terminal import render_terminal
from wsdoctor.runner import Runner


def report_of(*checks: Fake):
    ctx = make_ctx()
    results = asyncio.run(Runner(checks, ctx).run())
    started = datetime(2026, 1, 1, tzinfo=UTC)
    return build_report(
        results, ctx.report_scope(), {c.id: c for c in checks}, started_at=started, duration_ms=1
    )


def test_a_fail_without_findings_becomes_a_titled_root_cause():
    bare = CheckResult("probe", Status.FAIL, "the probe saw nothing")
    report = report_of(Fake("probe", outcome=lambda check, ctx: bare))
    assert report.root_causes == ("probe.failed",)
    (root,) = report.roots
    assert root.remediation is not None and root.remediation.title == "Fake probe failed"
    assert root.remediation.steps
    text = render_terminal(report)
    assert "Fake probe failed  (probe.failed)" in text and "What to do" in text


def test_an_undeclared_cause_gets_generic_advice_and_known_causes_keep_theirs():
    def odd(check, ctx):
        return check.failed("probe.mystery", "something odd")

    report = report_of(
        Fake("probe", outcome=odd), Fake("dns", outcome=lambda c, ctx: c.passed("ok"))
    )
    assert report.root_causes == ("probe.mystery",)
    assert report.remediations["probe.mystery"].title == "Fake probe failed"
    assert "probe.mystery" in report.remediations["probe.mystery"].meaning


def test_a_known_cause_keeps_its_own_advice():
    report = report_of(Fake("dns", outcome=lambda c, ctx: c.failed("dns.nxdomain", "no such")))
    assert report.remediations["dns.nxdomain"].title != "Fake dns failed"
