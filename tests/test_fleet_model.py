"""The fleet view as pure functions over Places, and its renderers: no files, no sockets."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from wsdoctor.fleet.load import Cell, Place
from wsdoctor.fleet.model import build_fleet, rank_causes
from wsdoctor.fleet.render_html import render_fleet_html
from wsdoctor.fleet.render_json import fleet_to_dict
from wsdoctor.fleet.render_text import render_fleet_text

SCHEMA = Path(__file__).parent.parent / "wsdoctor" / "schema" / "fleet.schema.json"


def place(name, status, causes=(), facts=None, timings=None, cells=None):
    cells = cells or {"dns": Cell("pass"), "handshake": Cell(status, (causes or [None])[0])}
    return Place(
        name=name, source=f"{name}.json", status=status, started_at="2026-01-01T00:00:00Z",
        cells=cells,
        root_causes=tuple(causes), titles={c: f"title of {c}" for c in causes},
        facts=facts or {}, timings=timings or {},
    )  # fmt: skip


def test_causes_rank_by_how_many_places_show_them():
    places = [
        place("a", "fail", ["tls.intercepted"]),
        place("b", "fail", ["handshake.unauthorized", "tls.intercepted"]),
        place("c", "fail", ["handshake.unauthorized"]),
        place("d", "fail", ["tls.intercepted"]),
        place("e", "pass"),
    ]
    ranked = rank_causes(places)
    assert [(c.cause, c.count) for c in ranked] == [
        ("tls.intercepted", 3),
        ("handshake.unauthorized", 2),
    ]
    assert ranked[0].places == ("a", "b", "d") and ranked[0].title == "title of tls.intercepted"


def test_only_facts_that_differ_between_the_sides_are_suspects():
    proxy = {"proxy env": "HTTPS_PROXY=http://proxy:3128", "python": "3.12"}
    direct = {"proxy env": "none", "python": "3.12"}
    fleet = build_fleet([
        place("office", "fail", ["proxy.connect_denied"], proxy),
        place("home", "pass", facts=direct),
        place("cloud", "warn", facts=direct),
    ])  # fmt: skip
    assert fleet.comparable
    assert [(f.name, f.passing, f.failing) for f in fleet.facts] == [
        ("proxy env", {"none": 2}, {"HTTPS_PROXY=http://proxy:3128": 1})
    ]


def test_timings_compare_medians_largest_gap_first():
    fleet = build_fleet([
        place("a", "pass", timings={"TCP ms": 10.0, "TLS ms": 20.0}),
        place("b", "pass", timings={"TCP ms": 30.0, "TLS ms": 22.0}),
        place("c", "fail", ["tls.handshake_failed"], timings={"TCP ms": 21.0, "TLS ms": 900.0}),
    ])  # fmt: skip
    assert [(t.name, t.passing_ms, t.failing_ms) for t in fleet.timings] == [
        ("TLS ms", 21.0, 900.0),
        ("TCP ms", 20.0, 21.0),
    ]


def test_no_comparison_without_both_sides():
    fleet = build_fleet([place("a", "fail", ["dns.nxdomain"], {"resolver": "10.0.0.2"})])
    assert not fleet.comparable and fleet.facts == () and fleet.status == "fail"
    assert "needs at least one passing and one failing place" in render_fleet_text(fleet)


def test_columns_are_every_check_in_first_seen_order():
    fleet = build_fleet([
        place("a", "pass", cells={"dns": Cell("pass")}),
        place("b", "pass", cells={"tcp": Cell("pass"), "dns": Cell("pass")}),
    ])  # fmt: skip
    assert fleet.checks == ("dns", "tcp")
    assert fleet.counts == {"pass": 2, "warn": 0, "fail": 0, "error": 0, "skip": 0}


HOSTILE = "evil\x1b]0;owned\x07\u202e<script>alert(1)</script>"


def test_text_from_reports_cannot_drive_the_terminal_or_the_page():
    fleet = build_fleet([
        place(HOSTILE, "fail", [f"x.{HOSTILE}"], {"TLS issuer": HOSTILE}),
        place("ok", "pass", facts={"TLS issuer": "R11"}),
    ])  # fmt: skip
    text = render_fleet_text(fleet)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b" in text
    page = render_fleet_html(fleet)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "script-src" not in page and "default-src 'none'" in page


def test_fleet_json_follows_its_schema():
    fleet = build_fleet([
        place("a", "fail", ["tls.intercepted"], {"TLS issuer": "Zscaler"}, {"TLS ms": 80.0}),
        place("b", "pass", facts={"TLS issuer": "R11"}, timings={"TLS ms": 30.0}),
    ])  # fmt: skip
    data = json.loads(json.dumps(fleet_to_dict(fleet)))
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert data["root_causes"][0] == {
        "cause": "tls.intercepted", "title": "title of tls.intercepted", "count": 1, "places": ["a"]
    }  # fmt: skip
