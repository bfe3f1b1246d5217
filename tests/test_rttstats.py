"""RTT statistics: a p95 only where the sample supports one (pure)."""

from __future__ import annotations

import pytest

from wsdoctor.checks.rttstats import (
    MIN_FOR_P95,
    judged_latency_ms,
    judges_jitter,
    latency_text,
    percentile,
    rtt_measurements,
)


def test_ten_pongs_report_the_maximum_as_the_maximum():
    rtts = [20.0] * 9 + [900.0]  # one retransmitted ping on a lossy path
    measurements = rtt_measurements(rtts)
    assert "rtt_p95_ms" not in measurements
    assert measurements["rtt_max_ms"] == 900.0
    assert judged_latency_ms(measurements) == 20.0  # the median, not one outlier
    assert not judges_jitter(measurements)
    assert "max 900.0 ms (too few pongs for a p95)" in latency_text(measurements)


def test_enough_pongs_give_a_p95_below_the_maximum():
    rtts = [float(v) for v in range(1, 41)]
    measurements = rtt_measurements(rtts)
    assert measurements["rtt_p95_ms"] == 38.0 < measurements["rtt_max_ms"]
    assert judged_latency_ms(measurements) == 38.0
    assert "p95 38.0 ms" in latency_text(measurements)


def test_one_outlier_in_forty_does_not_decide_the_p95():
    measurements = rtt_measurements([20.0] * 39 + [900.0])
    assert measurements["rtt_p95_ms"] == 20.0


@pytest.mark.parametrize("n", [MIN_FOR_P95 - 1, MIN_FOR_P95])
def test_the_p95_appears_exactly_when_a_sample_lies_above_it(n):
    values = [float(v) for v in range(n)]
    has_p95 = "rtt_p95_ms" in rtt_measurements(values)
    assert has_p95 == (n >= MIN_FOR_P95)
    if has_p95:
        assert percentile(values, 0.95) < max(values)


def test_no_pongs():
    assert rtt_measurements([]) == {"pongs": 0.0}
    assert latency_text({"pongs": 0.0}) == ""
