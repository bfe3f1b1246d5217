"""Where wsdoctor runs and the limits those places document: pure functions, no sockets."""

from __future__ import annotations

import pytest

from wsdoctor import CheckResult, Finding, Level, Status
from wsdoctor.causes import lookup
from wsdoctor.platforms import IDLE, LIFETIME, PLATFORMS, describe, detect, limit_matches, matches
from wsdoctor.report.platform_notes import DOCUMENTED_LIMIT, DROP_TIMES, platform_notes


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, []),
        ({"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, ["kubernetes"]),
        ({"K_SERVICE": "transcriber"}, ["cloud_run"]),
        ({"AWS_LAMBDA_FUNCTION_NAME": "stt"}, ["aws_lambda"]),
        ({"ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/x"}, ["ecs"]),
        ({"ECS_CONTAINER_METADATA_URI": "http://169.254.170.2/v3/x"}, ["ecs"]),
        ({"GITHUB_ACTIONS": "true"}, ["github_actions"]),
        ({"GITLAB_CI": "true", "KUBERNETES_SERVICE_HOST": "10.0.0.1"}, ["kubernetes", "gitlab_ci"]),
        ({"K_SERVICE": ""}, []),  # set but empty is not a signal
    ],
)
def test_detect_reads_only_the_mapping_it_is_given(environ, expected):
    assert [p.id for p in detect(environ)] == expected


def test_every_limit_is_a_fact_with_a_source():
    for platform in PLATFORMS:
        assert platform.limits, platform.id
        for limit in platform.limits:
            assert limit.kind in (IDLE, LIFETIME)
            assert limit.seconds > 0
            assert limit.source.startswith("https://")


def test_describe_names_the_variable_that_gave_it_away():
    environ = {"ECS_CONTAINER_METADATA_URI": "x"}
    (ecs,) = describe(detect(environ), environ)
    assert ecs["detected_by"] == "ECS_CONTAINER_METADATA_URI"
    assert {lim["seconds"] for lim in ecs["limits"]} == {60, 350}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("measured", "limit", "expected"),
    [(300.4, 300, True), (314.0, 300, True), (320.0, 300, False), (60.9, 60, True),
     (56.5, 60, False), (3.5, 3, True), (5.0, 3, False)],
)  # fmt: skip
def test_matching_tolerates_measurement_error_only(measured, limit, expected):
    assert matches(measured, limit) is expected


def test_limit_matches_respects_the_kind():
    ecs = detect({"ECS_CONTAINER_METADATA_URI_V4": "x"})
    assert [m.limit.seconds for m in limit_matches(60.2, [IDLE], ecs)] == [60]
    assert limit_matches(60.2, [LIFETIME], ecs) == []


def _dropped(cause, **measurements):
    finding = Finding(Level.FAIL, cause, "cut")
    return CheckResult(cause.split(".")[0], Status.FAIL, "cut", (finding,), measurements)


def test_a_drop_at_a_documented_limit_gains_an_info_finding():
    cloud_run = detect({"K_SERVICE": "svc"})
    result = platform_notes(_dropped("stability.dropped", dropped_at_s=301.2), cloud_run)
    assert result.status is Status.FAIL and result.cause == "stability.dropped"
    (note,) = [f for f in result.findings if f.cause == DOCUMENTED_LIMIT]
    assert note.level is Level.INFO
    assert note.evidence["limit_s"] == 300 and note.evidence["platform"] == "cloud_run"
    assert "Google Cloud Run" in note.message and "https://" in note.message


def test_an_idle_drop_matches_the_nat_gateway_idle_timeout():
    ecs = detect({"ECS_CONTAINER_METADATA_URI_V4": "x"})
    result = platform_notes(_dropped("idle_timeout.intermediary_drop", idle_close_s=351.0), ecs)
    assert [f.evidence.get("limit_s") for f in result.findings[1:]] == [350]


@pytest.mark.parametrize(
    ("environ", "result"),
    [
        ({}, _dropped("stability.dropped", dropped_at_s=300.0)),  # nowhere known
        ({"K_SERVICE": "s"}, _dropped("stability.dropped", dropped_at_s=120.0)),  # off the limit
        ({"K_SERVICE": "s"}, _dropped("stability.high_latency", dropped_at_s=300.0)),  # no drop
        ({"K_SERVICE": "s"}, _dropped("stability.dropped")),  # nothing measured
    ],
)
def test_no_note_without_a_platform_a_drop_and_a_matching_time(environ, result):
    assert platform_notes(result, detect(environ)) is result


def test_watch_lifetime_caps_are_read_from_the_finding_evidence():
    finding = Finding(Level.FAIL, "watch.lifetime_cap", "capped", {"age_s": 899.6})
    result = CheckResult("watch", Status.FAIL, "capped", (finding,))
    noted = platform_notes(result, detect({"AWS_LAMBDA_FUNCTION_NAME": "f"}))
    assert noted.findings[-1].evidence["limit_s"] == 900


def test_the_note_and_every_drop_cause_have_advice():
    assert lookup(DOCUMENTED_LIMIT) is not None
    for cause in DROP_TIMES:
        assert lookup(cause) is not None, cause
