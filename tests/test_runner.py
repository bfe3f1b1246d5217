"""The runner: concurrency, dependency gating, deadlines and the exception table."""

from __future__ import annotations

import asyncio

from conftest import make_ctx
from fake_checks import Fake

from wsdoctor import CheckResult, Finding, Level, Status
from wsdoctor.net.errors import ConnectionLost, NotApplicable
from wsdoctor.report.roots import root_causes
from wsdoctor.runner import Runner


def run(checks, **settings):
    ctx = make_ctx(**settings)
    return {r.check_id: r for r in asyncio.run(Runner(checks, ctx).run())}


def test_independent_checks_overlap():
    # Each check waits until the other has started: this only finishes if they run concurrently.
    events: dict[str, asyncio.Event] = {}

    def waiter(me: str, other: str):
        async def outcome_run(ctx):
            events.setdefault(me, asyncio.Event()).set()
            await asyncio.wait_for(events.setdefault(other, asyncio.Event()).wait(), 5)
            return check.passed("met")

        check = Fake(me)
        check.run = outcome_run  # type: ignore[method-assign]
        return check

    results = run([waiter("a", "b"), waiter("b", "a")])
    assert {r.status for r in results.values()} == {Status.PASS}


def test_dependents_start_after_their_dependencies_finish():
    log: list[tuple[str, str]] = []
    checks = [Fake("dns", sleep=0.05, log=log), Fake("tcp", ("dns",), log=log)]
    run(checks)
    assert log.index(("end", "dns")) < log.index(("start", "tcp"))


def test_failed_dependency_blocks_dependents_transitively():
    failing = Fake("dns", outcome=lambda c, ctx: c.failed("dns.nxdomain", "no such host"))
    results = run([failing, Fake("tcp", ("dns",)), Fake("tls", ("tcp",)), Fake("sdk")])
    assert results["tcp"].status is Status.SKIP
    assert results["tcp"].summary == "blocked by dns"
    assert results["tls"].summary == "blocked by tcp"
    assert results["sdk"].status is Status.PASS


def test_not_applicable_skip_does_not_block():
    skipping = Fake("tls", outcome=lambda c, ctx: c.skipped("not used for ws://"))
    results = run([skipping, Fake("handshake", ("tls",))])
    assert results["handshake"].status is Status.PASS


def test_deadline_becomes_timeout_cause_when_declared():
    slow = Fake("tcp", sleep=5, deadline=0.05, causes=("tcp.timeout",))
    result = run([slow])["tcp"]
    assert result.status is Status.FAIL
    assert result.cause == "tcp.timeout"
    assert result.measurements["deadline_s"] == 0.05


def test_global_timeout_cuts_long_checks():
    result = run([Fake("idle", sleep=5, deadline=30)], timeout_s=0.1)["idle"]
    assert result.status is Status.FAIL
    assert "cut off by --timeout" in result.summary


def test_expected_network_exception_maps_to_declared_cause():
    refused = Fake("tcp", outcome=ConnectionRefusedError(111, "Connection refused"))
    refused.causes = ("tcp.refused",)
    result = run([refused])["tcp"]
    assert (result.status, result.cause) == (Status.FAIL, "tcp.refused")
    assert "Connection refused" in result.summary


def test_expected_exception_without_matching_cause_still_fails():
    result = run([Fake("rest", outcome=ConnectionResetError("reset"))])["rest"]
    assert (result.status, result.cause) == (Status.FAIL, "network.dropped")


def test_unexpected_exception_is_an_error_with_traceback():
    result = run([Fake("sdk", outcome=KeyError("bug"))])["sdk"]
    assert result.status is Status.ERROR
    assert "KeyError" in result.summary
    assert "Traceback" in result.evidence["traceback"]


def test_network_error_without_a_declared_cause_gets_a_generic_one():
    # A reset the check does not judge itself still names a cause with advice.
    result = run([Fake("tls", outcome=ConnectionLost("reset during the probe"))])["tls"]
    assert (result.status, result.cause) == (Status.FAIL, "network.dropped")
    assert "reset during the probe" in result.summary


def test_not_applicable_is_a_skip_that_does_not_block():
    limited = Fake("tls", outcome=NotApplicable("TLS is not inspected through a socks5 proxy"))
    results = run([limited, Fake("handshake", ("tls",))])
    assert results["tls"].status is Status.SKIP
    assert results["tls"].not_applicable
    assert results["handshake"].status is Status.PASS


def two_problems(check, ctx):
    return check.verdict(
        "two problems",
        [
            Finding(Level.FAIL, "close_frame.no_close_frame", "a"),
            Finding(Level.WARN, "close_frame.no_metadata", "b"),
        ],
    )


def test_status_is_the_worst_finding_and_each_fail_is_a_root_cause():
    result = run([Fake("close_frame", outcome=two_problems)])["close_frame"]
    assert result.status is Status.FAIL
    assert result.cause == "close_frame.no_close_frame"
    assert [f.level for f in result.findings] == [Level.FAIL, Level.WARN]
    assert root_causes([result], {}) == ["close_frame.no_close_frame"]


def test_accepted_causes_become_info_and_stop_blocking():
    intercepted = Fake("tls", outcome=lambda c, ctx: c.failed("tls.intercepted", "re-signed"))
    checks = [intercepted, Fake("handshake", ("tls",))]
    results = run(checks, accept=frozenset({"tls.intercepted"}))
    tls = results["tls"]
    assert tls.status is Status.PASS
    assert tls.findings[0].accepted and tls.findings[0].level is Level.INFO
    assert results["handshake"].status is Status.PASS
    unaccepted = run(checks)
    assert unaccepted["tls"].status is Status.FAIL
    assert unaccepted["handshake"].summary == "blocked by tls"


def test_results_keep_selection_order_and_durations():
    results = asyncio.run(Runner([Fake("b", sleep=0.02), Fake("a")], make_ctx()).run())
    assert [r.check_id for r in results] == ["b", "a"]
    assert results[0].duration_ms >= 20


def test_interrupted_run_keeps_finished_results():
    runner = Runner([Fake("fast"), Fake("slow", sleep=10)], make_ctx())

    async def interrupt():
        task = asyncio.create_task(runner.run())
        while "fast" not in runner.results:
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(interrupt())
    partial = {r.check_id: r for r in runner.ordered_results(interrupted=True)}
    assert partial["fast"].status is Status.PASS
    assert partial["slow"].status is Status.SKIP
    assert "interrupted" in partial["slow"].summary


def test_root_causes_are_failures_whose_dependencies_passed():
    dns_fail = Fake("dns", outcome=lambda c, ctx: c.failed("dns.nxdomain", "x"))
    proxy_fail = Fake("proxy", outcome=lambda c, ctx: c.failed("proxy.unreachable", "x"))
    checks = [dns_fail, proxy_fail, Fake("tcp", ("dns", "proxy")), Fake("sdk")]
    results = run(checks)
    depends = {c.id: c.depends_on for c in checks}
    assert root_causes(results.values(), depends) == ["dns.nxdomain", "proxy.unreachable"]


def test_failure_below_a_failure_is_not_a_root_cause():
    results = [
        CheckResult("tcp", Status.FAIL, "x", (Finding(Level.FAIL, "tcp.refused", "x"),)),
        CheckResult("tls", Status.FAIL, "y", (Finding(Level.FAIL, "tls.handshake_failed", "y"),)),
    ]
    assert root_causes(results, {"tls": ("tcp",)}) == ["tcp.refused"]
