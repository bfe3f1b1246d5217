"""One fault, one root cause: an idle timer shorter than the KeepAlive pace, and installed-code
facts that never crowd out what was observed on the path."""

from __future__ import annotations

import dataclasses

import pytest
from checkkit import FAST, run_against, statuses
from intermediaries import nginx, tinyproxy

from wsdoctor.checks import idle_timeout, keepalive, sdk
from wsdoctor.model import CheckResult, Finding, Level, Status
from wsdoctor.report.roots import root_causes

QUERY = "/v1/listen?encoding=linear16&sample_rate=16000&channels=1"
LAB_IDLE_S = 6.0  # KeepAlive then goes every 2 s (keepalive.plan), nginx times out in 1 s
SETTINGS = dataclasses.replace(FAST, server_idle_s=LAB_IDLE_S, idle_max_s=8.0, proxy="none")


def failed(check_id: str, cause: str) -> CheckResult:
    return CheckResult(check_id, Status.FAIL, "", findings=(Finding(Level.FAIL, cause, ""),))


def test_local_facts_come_after_observed_path_faults():
    results = [failed("sdk", "sdk.outdated_websockets"), failed("close_frame", "close_frame.x")]
    roots = root_causes(results, {}, local={"sdk"})
    assert roots == ["close_frame.x", "sdk.outdated_websockets"]
    assert root_causes(results, {}) == ["sdk.outdated_websockets", "close_frame.x"]


def test_the_scaled_keepalive_pace_is_longer_than_the_proxy_timeout():
    interval, _ = keepalive.plan(SETTINGS)
    assert interval == 2.0  # so a 1 s proxy timer is below it, and a 10 s one far above


def through_nginx(serve_lab, tmp_path, read_timeout: float):
    lab = serve_lab(idle=LAB_IDLE_S)
    with nginx(tmp_path, lab.port, read_timeout) as port:
        url = f"ws://127.0.0.1:{port}{QUERY}"
        return run_against(url, only=("idle_timeout", "keepalive"), settings=SETTINGS)


@pytest.mark.slow
def test_proxy_timeout_below_the_keepalive_pace_is_one_root_cause(tmp_path, serve_lab):
    report = through_nginx(serve_lab, tmp_path, read_timeout=1)
    assert report.root_causes == (idle_timeout.BELOW_KEEPALIVE_INTERVAL,), statuses(report)
    idle = report.entry("idle_timeout")
    assert "no longer than the 2 s between KeepAlive messages" in idle.result.summary
    assert "more often than every 1.0 s" in idle.result.summary
    assert any("raise" in step for step in idle.remediation.steps)
    cut = report.entry("keepalive").result  # the same timer, seen again: explained, not a root
    assert (cut.status.value, cut.cause) == ("fail", keepalive.INTERMEDIARY_DROP)
    assert cut.measurements["quiet_before_cut_s"] < cut.measurements["keepalive_interval_s"]


@pytest.mark.slow
def test_proxy_timeout_above_the_window_lets_keepalive_work(tmp_path, serve_lab):
    report = through_nginx(serve_lab, tmp_path, read_timeout=10)
    assert report.root_causes == ()
    assert statuses(report)["keepalive"] == "pass"
    assert report.entry("idle_timeout").result.cause == idle_timeout.SERVER_TIMEOUT


def via_tinyproxy(serve_lab, tmp_path, *faults: str):
    """The Deepgram SDK's legacy async client ignores the proxy configured here (a warning),
    while the stream itself goes through that real proxy to the lab."""
    lab = serve_lab(*faults)
    with tinyproxy(tmp_path, connect_port=lab.port) as port:
        proxy = f"http://127.0.0.1:{port}"
        environ = {"HTTPS_PROXY": proxy, "HTTP_PROXY": proxy}
        settings = dataclasses.replace(FAST, environ=environ)
        return run_against(lab.url, only=("sdk", "close_frame"), settings=settings)


@pytest.mark.slow
def test_an_observed_path_fault_is_the_root_cause_not_the_installed_sdk(tmp_path, serve_lab):
    report = via_tinyproxy(serve_lab, tmp_path, "drop-on-close")
    assert report.entry("sdk").result.cause == sdk.LEGACY_CLIENT_IGNORES_PROXY
    assert statuses(report)["sdk"] == "warn"
    assert report.root_causes == ("close_frame.no_close_frame",)


@pytest.mark.slow
def test_the_installed_sdk_alone_is_a_warning_on_a_healthy_path(tmp_path, serve_lab):
    report = via_tinyproxy(serve_lab, tmp_path)
    assert statuses(report)["sdk"] == "warn" and statuses(report)["close_frame"] == "pass"
    assert report.root_causes == ()
