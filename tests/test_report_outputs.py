"""HTML, JUnit and the support bundle, from constructed reports (pure: no sockets)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import jsonschema
from junitparser import Error, Failure, JUnitXml, Skipped
from test_reports import CHECKS, FAILING, KEY, sample_report

from wsdoctor import CheckResult, Finding, Level, Phase, Span, Status
from wsdoctor.report.bundle import render_bundle
from wsdoctor.report.html import render_html
from wsdoctor.report.junit import render_junit
from wsdoctor.report.views import stream_timeline, waterfall

HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"


def hostile_report():
    return sample_report(
        CheckResult("dns", Status.PASS, "ok"),
        CheckResult("tcp", Status.PASS, "ok"),
        CheckResult(
            "handshake",
            Status.PASS,
            f"101 {HOSTILE}",
            measurements={"dns_ms": 1.0, "tcp_ms": 2.0, "upgrade_ms": 3.0, "first_frame_ms": 4.0},
            evidence={"dg_request_id": f"rid-1 {HOSTILE}", "server": HOSTILE},
            phases=(
                Phase("DNS", 1.0),
                Phase("TCP", 2.0),
                Phase("Upgrade (101)", 3.0),
                Phase("First server frame", 4.0),
            ),
        ),
        CheckResult(
            "close_frame",
            Status.FAIL,
            f"server closed 1011 {HOSTILE}",
            (Finding(Level.FAIL, "close_frame.unexpected_code", f"server closed 1011 {HOSTILE}"),),
            measurements={"close_after_audio_s": 2.1},
            spans=(Span("Audio, then CloseStream", 2.1),),
            evidence={"close_reason_received": HOSTILE + "\u202e\x07", "body_start": HOSTILE},
        ),
        CheckResult("stability", Status.ERROR, "wsdoctor error", evidence={"traceback": HOSTILE}),
    )


def test_html_escapes_every_server_string():
    html = render_html(hostile_report())
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html


def test_html_is_self_contained_and_small():
    html = render_html(hostile_report())
    assert not re.search(r"<script|<link|<iframe|@import|url\(|src=\"http", html, re.IGNORECASE)
    assert "default-src 'none'" in html  # a CSP that allows no scripts or fetches
    assert len(html.encode()) < 200_000


def test_html_leads_with_root_cause_and_request_ids():
    html = render_html(sample_report(*FAILING))
    assert html.index("The stream ends without a close frame") < html.index('id="checks"')
    assert "req-123" in html[: html.index('id="root-causes"')]
    assert "Improper Connection Handling" in html
    assert KEY not in html


def test_waterfall_and_timeline_follow_the_measurements():
    report = hostile_report()
    phases = waterfall(report)
    assert [b.label for b in phases] == ["DNS", "TCP", "Upgrade (101)", "First server frame"]
    assert [b.start for b in phases] == [0.0, 1.0, 3.0, 6.0]
    assert [(b.label, b.length) for b in stream_timeline(report)] == [
        ("Audio, then CloseStream", 2.1)
    ]
    html = render_html(report)
    assert 'id="waterfall"' in html and html.count("<rect") == 5


def parse_junit(report):
    (suite,) = list(JUnitXml.fromstring(render_junit(report)))
    return suite, {case.name: case for case in suite}


def test_junit_agrees_with_the_report():
    suite, cases = parse_junit(hostile_report())
    results = [type(r) for case in suite for r in case.result]
    assert suite.tests == len(cases) == 5
    assert (
        (suite.failures, suite.errors, suite.skipped)
        == (
            results.count(Failure),
            results.count(Error),
            results.count(Skipped),
        )
        == (1, 1, 0)
    )
    assert suite.timestamp == "2026-11-21T12:00:00"
    assert set(cases) == set(CHECKS)
    assert all(case.classname == "wsdoctor" for case in suite)
    (failure,) = cases["close_frame"].result
    assert isinstance(failure, Failure) and failure.type == "close_frame.unexpected_code"
    assert "1. For 1008 DATA-0000" in failure.text
    assert isinstance(cases["stability"].result[0], Error)
    assert cases["dns"].is_passed


def test_junit_skips_and_warnings():
    report = sample_report(
        CheckResult(
            "dns",
            Status.WARN,
            "public name resolved privately",
            (Finding(Level.WARN, "dns.private_answer", "public name resolved privately"),),
        ),
        CheckResult("tcp", Status.SKIP, "blocked by dns"),
    )
    suite, cases = parse_junit(report)
    assert cases["dns"].is_passed and "WARNING" in cases["dns"].system_out
    assert isinstance(cases["tcp"].result[0], Skipped)
    assert cases["tcp"].result[0].message == "blocked by dns"
    case = ET.fromstring(render_junit(report)).find("testcase[@name='dns']")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props == {
        "status": "warn",
        "cause": "dns.private_answer",
        "finding": "warn dns.private_answer",
    }
    assert suite.skipped == 1


def test_bundle_holds_every_format(report_schema):
    archive = zipfile.ZipFile(io.BytesIO(render_bundle(sample_report(*FAILING))))
    names = {name.split("/", 1)[1] for name in archive.namelist()}
    assert names == {"report.json", "report.html", "junit.xml", "environment.json", "README.txt"}
    folder = archive.namelist()[0].split("/")[0]
    jsonschema.validate(json.loads(archive.read(f"{folder}/report.json")), report_schema)
    environment = json.loads(archive.read(f"{folder}/environment.json"))
    assert {"python", "packages", "proxy_env", "resolver"} <= set(environment)
    for name in archive.namelist():
        assert KEY.encode() not in archive.read(name)
