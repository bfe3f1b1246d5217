"""The watch's pure parts: naming drop patterns, bounded logs, metric labels."""

from __future__ import annotations

from wsdoctor.metrics import region_of, slug
from wsdoctor.watch.log import MAX_EVENTS, RTT_BUCKET_S, Drop, Stall, WatchLog
from wsdoctor.watch.patterns import findings


def drop(at: float, life: float, stream: int = 1, ending: str = "no_close_frame") -> Drop:
    return Drop(at, stream, life, ending, "no close frame")


def causes(drops: list[Drop], stalls: list[Stall] = ()) -> list[str]:  # type: ignore[assignment]
    return [f.cause for f in findings(drops, list(stalls), 5.0)]


def test_drops_at_one_age_are_a_lifetime_cap():
    drops = [drop(60.0 * i + 1, 59.5 + (i % 3) * 0.5) for i in range(1, 5)]
    (found,) = findings(drops, [], 5.0)
    assert found.cause == "watch.lifetime_cap"
    assert found.evidence["age_s"] == 60.0


def test_simultaneous_drops_on_a_timer_are_periodic_whatever_the_ages():
    drops = [drop(100.0 * k + s * 0.2, life=10.0 + 37 * s + 13 * k, stream=s)
             for k in range(1, 5) for s in range(3)]  # fmt: skip
    (found,) = findings(drops, [], 5.0)
    assert (found.cause, found.evidence["period_s"]) == ("watch.periodic_drops", 100.0)


def test_irregular_drops_are_named_plainly_and_a_healthy_run_names_nothing():
    assert causes([drop(5, 5), drop(40, 20), drop(41, 1)]) == ["watch.drops"]
    assert causes([]) == []


def test_two_drops_are_not_yet_a_pattern():
    assert causes([drop(60, 60), drop(120, 60)]) == ["watch.drops"]


def test_silent_stalls_and_failed_reconnects_are_named_beside_a_pattern():
    stalls = [Stall(30.0, 1, 7.5)]
    failed = drop(61, 0.0, ending="connect_failed")
    assert causes([failed], stalls) == ["watch.silent_stream", "watch.connect_failed"]


def test_the_log_stays_bounded_and_folds_rtt_per_interval():
    log = WatchLog()
    for i in range(MAX_EVENTS + 50):
        log.add_drop(drop(float(i), 1.0))
    assert log.drop_count == MAX_EVENTS + 50 and len(log.drops) == MAX_EVENTS
    for i in range(100):  # 10 pings a second for 10 s, then one more interval
        log.add_rtt(i * 0.1, 20.0 + (i % 10))
    log.add_rtt(RTT_BUCKET_S + 1, 50.0)
    summary = log.rtt_summary()
    assert [p.count for p in log.rtt] == [100, 1]
    assert summary == {"rtt_min_ms": 20.0, "rtt_median_ms": 37.25, "rtt_max_ms": 50.0}


def test_metric_labels_stay_bounded():
    assert [region_of(h) for h in ("api.deepgram.com", "api.eu.deepgram.com", "10.0.0.1")] == [
        "us",
        "eu",
        "",
    ]
    assert slug("Upgrade (101)") == "upgrade_101"
