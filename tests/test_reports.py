"""Renderers, fed constructed reports: JSON per the schema, terminal in doctor style."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import jsonschema
from conftest import make_ctx
from fake_checks import Fake

from wsdoctor import CheckResult, Finding, Level, Status
from wsdoctor.report.build import build_report
from wsdoctor.report.json import render_json
from wsdoctor.report.terminal import render_terminal

KEY = "0123456789abcdef0123456789abcdef01234567"
CHECKS = {
    "dns": Fake("dns"),
    "tcp": Fake("tcp", ("dns",)),
    "handshake": Fake("handshake", ("tcp",)),
    "close_frame": Fake("close_frame", ("handshake",)),
    "stability": Fake("stability", ("handshake",)),
}


def sample_report(*results: CheckResult, **kwargs):
    ctx = make_ctx(f"wss://api.example.test/v1/listen?token={KEY}", api_key=KEY)
    return build_report(
        results,
        ctx.report_scope(),
        CHECKS,
        started_at=datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
        duration_ms=2345.6,
        **kwargs,
    )


FAILING = (
    CheckResult("dns", Status.PASS, "resolved", measurements={"resolve_ms": 3.2}),
    CheckResult("tcp", Status.PASS, "connected"),
    CheckResult(
        "handshake",
        Status.PASS,
        "101",
        evidence={"dg_request_id": "req-123", "authorization": f"Token {KEY}"},
    ),
    CheckResult(
        "close_frame",
        Status.FAIL,
        f"no close frame (key {KEY})",
        (Finding(Level.FAIL, "close_frame.no_close_frame", f"no close frame (key {KEY})"),),
        evidence={"close_code": 1006},
    ),
    CheckResult("stability", Status.SKIP, "blocked by handshake"),
)


def test_json_report_validates_against_the_schema(report_schema):
    data = json.loads(render_json(sample_report(*FAILING)))
    jsonschema.validate(data, report_schema)
    assert data["summary"] == {
        "status": "fail",
        "counts": {"pass": 3, "warn": 0, "fail": 1, "skip": 1, "error": 0},
    }
    assert data["root_causes"] == ["close_frame.no_close_frame"]
    close = next(c for c in data["checks"] if c["id"] == "close_frame")
    assert close["remediation"]["seed_section"] == "Improper Connection Handling"
    assert close["depends_on"] == ["handshake"]
    assert data["started_at"] == "2026-11-21T12:00:00Z"


def test_reports_are_redacted():
    report = sample_report(*FAILING)
    for text in (render_json(report), render_terminal(report, verbose=True)):
        assert KEY not in text
        assert "ends 4567" in text or "***" in text


def test_terminal_leads_with_root_cause_and_counts_problems():
    text = render_terminal(sample_report(*FAILING))
    assert text.index("Root cause") < text.index("Checks")
    assert "The stream ends without a close frame" in text
    assert "1. End every stream" in text
    assert "dg-request-id: req-123" in text
    assert "1 problem found (1 root cause), 1 skipped" in text
    assert "\x1b[" not in text


def test_terminal_verbose_shows_measurements_and_colour_when_asked():
    text = render_terminal(sample_report(*FAILING), verbose=True, color=True)
    assert "resolve_ms = 3.2" in text
    assert "close_code: 1006" in text
    assert "\x1b[31m" in text


def test_passing_report_has_no_root_causes(report_schema):
    report = sample_report(
        CheckResult("dns", Status.PASS, "ok"), CheckResult("tcp", Status.WARN, "hm")
    )
    jsonschema.validate(json.loads(render_json(report)), report_schema)
    text = render_terminal(report)
    assert "Root cause" not in text
    assert "No problems found, 1 warning" in text


def test_error_results_keep_traceback_in_json(report_schema):
    report = sample_report(
        CheckResult("dns", Status.ERROR, "wsdoctor error: KeyError", evidence={"traceback": "T"})
    )
    data = json.loads(render_json(report))
    jsonschema.validate(data, report_schema)
    assert data["summary"]["status"] == "error"
    assert data["root_causes"] == []
