"""Every check against the lab: each fault diagnosed as its own root cause, and nothing else."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest
from checkkit import FAST, FLUX_PATH, V1_PATH, run_against_lab, statuses

from wsdoctor.checks import stability
from wsdoctor.report.json import render_json

pytestmark = pytest.mark.slow


def test_faithful_lab_passes_everything(report_schema):
    report = run_against_lab()
    jsonschema.validate(json.loads(render_json(report)), report_schema)
    assert report.root_causes == ()
    assert statuses(report) == {
        "dns": "pass", "proxy": "pass", "sdk": "pass", "rest": "pass", "tcp": "pass",
        "tls": "skip", "handshake": "pass", "close_frame": "pass", "idle_timeout": "pass",
        "keepalive": "pass", "stability": "pass", "transcript": "pass",
    }  # fmt: skip
    idle = report.entry("idle_timeout")
    assert idle.result.cause == "idle_timeout.server_timeout"  # passes, with the advice attached
    assert 0.9 <= idle.result.measurements["idle_close_s"] <= 1.5
    handshake = report.entry("handshake").result
    assert handshake.evidence["dg_request_id"]
    assert {"tcp_ms", "upgrade_ms", "first_frame_ms"} <= set(handshake.measurements)


# One fault, one root cause, on both APIs where the fault applies to both.
BOTH_APIS = [
    (("auth",), ("handshake.unauthorized",)),
    (("rate-limit",), ("handshake.rate_limited",)),
    (("upgrade-stripped",), ("handshake.upgrade_rejected",)),
    (("slow-handshake=6",), ("handshake.timeout",)),
    (("drop-on-close",), ("close_frame.no_close_frame",)),
    (("no-close-reply",), ("close_frame.no_close_reply",)),
    (("data-error",), ("close_frame.unexpected_code",)),
    (("net0000",), ("close_frame.unexpected_code",)),
    (("drop-after=0.5",), ("stability.dropped",)),
    (("reset-after=0.5",), ("stability.dropped",)),
    (("no-pong",), ("stability.pong_loss",)),
    (("silent-idle",), ("idle_timeout.silent_drop",)),  # a NAT forgot the idle flow
]
V1_ONLY = [
    (("bad-request",), ("handshake.bad_request",)),
    (("hostile=headers",), ("handshake.upgrade_rejected",)),
    (("slow-uplink=4",), ("stability.uplink_too_slow",)),
    (("hostile",), ("idle_timeout.unexpected_close",)),  # 1011 with a reason not NET-0001
    (("tls-expired",), ("tls.expired",)),
    (("tls-wrong-host",), ("tls.hostname_mismatch",)),
]


@pytest.mark.parametrize(("faults", "root_causes"), BOTH_APIS + V1_ONLY)
def test_each_fault_is_its_own_root_cause(faults, root_causes):
    report = run_against_lab(*faults, settings=FAST)
    assert report.root_causes == root_causes, statuses(report)


def test_a_stream_that_stops_transcribing_is_caught_and_a_healthy_one_is_not():
    settings = replace(FAST, stability_s=3.0, transcript_stall_s=1.5)
    stalled = run_against_lab("mute-after=1", settings=settings)
    assert stalled.root_causes == ("stability.transcripts_stalled",), statuses(stalled)
    result = stalled.entry("stability").result
    assert result.measurements["longest_transcript_gap_s"] >= 1.5
    healthy = run_against_lab(only=("stability",), settings=settings).entry("stability").result
    assert healthy.status.value == "pass", healthy.summary
    assert 0 < healthy.measurements["first_transcript_ms"] < 1500
    assert healthy.measurements["longest_transcript_gap_s"] < 1.5
    assert any(span.label == "First Results" for span in healthy.spans)


def test_no_pong_is_caught_within_the_pong_deadline():
    result = run_against_lab("no-pong", only=("stability",)).entry("stability").result
    assert result.status.value == "fail"
    # Noticed at the first ping's own deadline, not after several missed pings.
    assert result.measurements["pong_missing_after_s"] <= stability.PONG_DEADLINE_S + 0.5


def test_data_error_explains_the_encoding():
    entry = run_against_lab("data-error", only=("close_frame",)).entry("close_frame")
    assert "DATA-0000" in entry.result.summary
    assert "encoding" in " ".join(entry.remediation.steps)


def test_tls_lab_with_its_ca_passes_as_a_private_ca():
    report = run_against_lab("tls-wrong-host", only=("tls",))
    tls = report.entry("tls").result
    assert "wrong-host" in tls.evidence["san"]
    assert tls.evidence["verify_ca_file"] != "ok"


@pytest.mark.parametrize("faults", [("drop-on-close",), ("no-pong",), ("auth",)])
def test_repeated_runs_diagnose_identically(faults):
    runs = [run_against_lab(*faults) for _ in range(3)]
    assert len({r.root_causes for r in runs}) == 1
    assert len({tuple(sorted(statuses(r).items())) for r in runs}) == 1


def test_without_a_key_the_path_is_proven_and_stream_checks_skip(serve_lab):
    from checkkit import run_against

    lab = serve_lab(key="the-only-key-0123456789")
    report = run_against(lab.url, api_key=None, settings=FAST)
    handshake = report.entry("handshake").result
    assert handshake.status.value == "pass"
    assert "the whole path up to Deepgram works" in handshake.summary
    assert handshake.evidence["status"] == 401
    for check_id in ("idle_timeout", "keepalive", "close_frame", "stability"):
        assert report.entry(check_id).result.summary.startswith("needs a working API key")
    assert report.entry("rest").status.value == "pass"
    assert report.root_causes == ()


# ----------------------------------------------------------------------- Flux, /v2/listen


def test_a_faithful_flux_lab_passes_everything():
    report = run_against_lab(url=FLUX_PATH)
    assert report.root_causes == (), statuses(report)
    assert {s for s in statuses(report).values()} == {"pass", "skip"}
    transcript = report.entry("transcript").result
    assert {"force_end_turn_ms", "configure_ms", "first_transcript_ms"} <= set(
        transcript.measurements
    )
    assert report.entry("close_frame").result.summary.startswith("CloseStream -> final TurnInfo")


@pytest.mark.parametrize(("faults", "root_causes"), BOTH_APIS)
def test_each_fault_is_its_own_root_cause_on_flux(faults, root_causes):
    report = run_against_lab(*faults, settings=FAST, url=FLUX_PATH)
    assert report.root_causes == root_causes, statuses(report)


@pytest.mark.parametrize("url", [V1_PATH, FLUX_PATH], ids=["v1", "flux"])
def test_a_stalled_stream_is_the_one_root_cause_on_both_apis(url):
    settings = replace(FAST, stability_s=3.0, transcript_stall_s=1.5)
    report = run_against_lab("mute-after=1.2", settings=settings, url=url)
    assert report.root_causes == ("stability.transcripts_stalled",), statuses(report)


def test_a_path_deepgram_does_not_serve_is_named_not_blamed_on_a_proxy():
    report = run_against_lab(only=("handshake",), url="ws://127.0.0.1:9/v3/listen")
    assert report.root_causes == ("handshake.wrong_path",), statuses(report)
