"""nginx as a WebSocket reverse proxy in front of the lab: whose idle timeout ends the stream?"""

from __future__ import annotations

import dataclasses

import pytest
from checkkit import FAST, run_against
from intermediaries import free_port, nginx

pytestmark = pytest.mark.slow

LAB_IDLE_S = 3.0
SETTINGS = dataclasses.replace(FAST, server_idle_s=LAB_IDLE_S, idle_max_s=6.0, proxy="none")
QUERY = "/v1/listen?encoding=linear16&sample_rate=16000&channels=1"


def idle_through_nginx(serve_lab, tmp_path, read_timeout: float):
    lab = serve_lab(idle=LAB_IDLE_S)
    with nginx(tmp_path, lab.port, read_timeout) as port:
        report = run_against(
            f"ws://127.0.0.1:{port}{QUERY}", only=("idle_timeout",), settings=SETTINGS
        )
    return report.entry("idle_timeout").result, report


def test_short_proxy_timeout_is_an_intermediary_drop(tmp_path, serve_lab):
    # 2 s: shorter than the lab's window, longer than its 1 s KeepAlive pace (a timer at or
    # below that pace is its own cause: tests/test_keepalive_cadence.py).
    result, report = idle_through_nginx(serve_lab, tmp_path, read_timeout=2)
    assert result.cause == "idle_timeout.intermediary_drop"
    assert report.root_causes == ("idle_timeout.intermediary_drop",)
    assert result.measurements["idle_close_s"] == pytest.approx(2.0, abs=0.5)
    assert result.evidence["websockets_says"] == "no close frame received or sent"


def test_long_proxy_timeout_lets_the_server_close(tmp_path, serve_lab):
    result, report = idle_through_nginx(serve_lab, tmp_path, read_timeout=10)
    assert result.status.value == "pass"
    assert result.cause == "idle_timeout.server_timeout"
    assert result.measurements["idle_close_s"] == pytest.approx(LAB_IDLE_S, abs=0.3)
    assert report.root_causes == ()


def test_streaming_audio_keeps_a_short_timeout_proxy_open(tmp_path, serve_lab):
    lab = serve_lab(idle=LAB_IDLE_S)
    with nginx(tmp_path, lab.port, read_timeout=1) as port:
        settings = dataclasses.replace(SETTINGS, stability_s=2.5)
        report = run_against(
            f"ws://127.0.0.1:{port}{QUERY}", only=("stability",), settings=settings
        )
    assert report.entry("stability").status.value == "pass"


def handshake_through(tmp_path, upstream: int, extra: str = ""):
    with nginx(tmp_path, upstream, read_timeout=5, extra=extra) as port:
        report = run_against(
            f"ws://127.0.0.1:{port}{QUERY}", only=("handshake",), settings=SETTINGS
        )
    return report.entry("handshake").result, report


def test_gateway_whose_upstream_is_down_is_named_as_such(tmp_path):
    result, report = handshake_through(tmp_path, upstream=free_port())  # nothing listens there
    assert report.root_causes == ("handshake.gateway_error",)
    assert "is up but cannot reach the server behind it: HTTP 502" in result.summary
    assert "nginx" in result.summary and result.evidence["status"] == 502


def test_gateway_that_refuses_is_not_a_rejected_key(tmp_path):
    result, report = handshake_through(tmp_path, upstream=free_port(), extra="return 403;")
    assert report.root_causes == ("handshake.intermediary_refused",)
    assert "refused the connection: HTTP 403" in result.summary


def test_gateway_with_a_healthy_upstream_upgrades(tmp_path, serve_lab):
    lab = serve_lab(idle=LAB_IDLE_S)
    result, report = handshake_through(tmp_path, upstream=lab.port)
    assert result.status.value == "pass" and report.root_causes == ()


@pytest.mark.parametrize(
    ("extra", "cause"),
    [("", "handshake.gateway_error"), ("return 403;", "handshake.intermediary_refused")],
)
def test_a_gateway_fault_is_one_root_cause_though_rest_fails_too(tmp_path, extra, cause):
    # The same gateway answers the REST request with its 502 or 403: not a second cause,
    # and not "the REST API rejects the key".
    with nginx(tmp_path, free_port(), read_timeout=5, extra=extra) as port:
        url = f"ws://127.0.0.1:{port}{QUERY}"
        report = run_against(url, only=("handshake", "rest"), settings=SETTINGS)
    assert report.entry("rest").status.value == "fail"
    assert report.root_causes == (cause,)
