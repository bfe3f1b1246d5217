"""handshake: a stream that opens slowly warns, with the threshold in the measurements."""

from __future__ import annotations

import dataclasses

import pytest
from checkkit import FAST, run_against_lab

from wsdoctor.checks import handshake

pytestmark = pytest.mark.slow  # the lab really waits before answering the upgrade


def test_a_slow_upgrade_warns_and_names_the_phase():
    settings = dataclasses.replace(FAST, slow_handshake_s=0.3)  # scaled down from 2 s
    report = run_against_lab("slow-handshake=0.8", only=("handshake",), settings=settings)
    result = report.entry("handshake").result
    assert (result.status.value, result.cause) == ("warn", handshake.SLOW), result.summary
    assert result.measurements["slow_threshold_ms"] == 300
    assert result.measurements["to_101_ms"] > 300
    assert "slowest phase: Upgrade (101)" in result.summary
    assert report.remediations[handshake.SLOW].title


def test_a_quick_upgrade_passes_and_still_reports_the_threshold():
    report = run_against_lab(only=("handshake",))
    result = report.entry("handshake").result
    assert result.status.value == "pass", result.summary
    assert result.measurements["slow_threshold_ms"] == 2000


def test_slowest_phase_leaves_out_the_first_frame():
    timings = {"dns_ms": 1.0, "tls_ms": 900.0, "upgrade_ms": 20.0, "first_frame_ms": 5000.0}
    assert handshake.slowest(timings) == "; slowest phase: TLS 900 ms"
    assert handshake.slowest({}) == ""
