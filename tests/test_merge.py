"""`wsdoctor merge` over reports from real lab runs at three vantage points, and bad input.

The reports come from `wsdoctor check --lab ... --json` run as a user would, each
with its own --vantage and lab fault; only loopback is ever contacted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from wsdoctor import cli

SCHEMAS = Path(__file__).parent.parent / "wsdoctor" / "schema"
PLACES = [  # (vantage, lab faults, extra environment)
    ("office-berlin", "", {}),
    ("ci-runner", "auth", {"GITHUB_ACTIONS": "true"}),
    ("k8s-node-3", "drop-on-close", {"KUBERNETES_SERVICE_HOST": "10.96.0.1"}),
]


def check_at(tmp: Path, vantage: str, faults: str, extra: dict[str, str]) -> Path:
    out = tmp / f"{vantage}.json"
    argv = [sys.executable, "-m", "wsdoctor", "check", "--lab", faults, "--quick", "--no-save",
            "-q", "--vantage", vantage, "--json", str(out)]  # fmt: skip
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("GITHUB_ACTIONS", "KUBERNETES_SERVICE_HOST")}  # fmt: skip
    subprocess.run(argv, env={**env, **extra}, timeout=90, check=False, capture_output=True)
    assert out.exists(), f"no report from {vantage}"
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fleet")
    return [check_at(tmp, *spec) for spec in PLACES]


def run_cli(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_reports_carry_their_vantage_and_platform(reports):
    schema = json.loads((SCHEMAS / "report.schema.json").read_text())
    data = {path.stem: json.loads(path.read_text()) for path in reports}
    for report in data.values():
        jsonschema.validate(report, schema)
    assert data["ci-runner"]["vantage"] == "ci-runner"
    platforms = data["k8s-node-3"]["environment"]["platforms"]
    assert [p["id"] for p in platforms] == ["kubernetes"]
    assert data["office-berlin"]["environment"]["platforms"] == []


def test_merge_shows_places_by_check_and_ranks_causes(reports, capsys):
    code, out, err = run_cli(["merge", *map(str, reports)], capsys)
    assert code == 1, err  # two places failed
    assert "3 vantage points: 1 pass, 2 fail" in out
    grid = out.split("Vantage points by check\n")[1].split("\n\n")[0].splitlines()
    assert grid[0].split()[-1] == "status"
    assert [row.split()[0] for row in grid[1:]] == ["office-berlin", "ci-runner", "k8s-node-3"]
    assert "handshake.unauthorized" in out and "close_frame.no_close_frame" in out
    assert "1 of 3 places" in out
    assert "platform" in out and "Kubernetes (1)" in out  # a difference between the sides


def test_merge_writes_json_per_schema_and_self_contained_html(reports, tmp_path, capsys):
    fleet_json, page = tmp_path / "fleet.json", tmp_path / "fleet.html"
    code, _, err = run_cli(
        ["merge", *map(str, reports), "--json", str(fleet_json), "--html", str(page), "-q"], capsys
    )
    assert code == 1, err
    data = json.loads(fleet_json.read_text())
    jsonschema.validate(data, json.loads((SCHEMAS / "fleet.schema.json").read_text()))
    assert [p["name"] for p in data["places"]] == ["office-berlin", "ci-runner", "k8s-node-3"]
    assert data["places"][1]["checks"]["handshake"] == {
        "status": "fail", "cause": "handshake.unauthorized"
    }  # fmt: skip
    assert {c["cause"] for c in data["root_causes"]} >= {"handshake.unauthorized"}
    html = page.read_text()
    assert "<script" not in html and "k8s-node-3" in html and "<style>" in html


def test_merge_of_passing_places_exits_zero_and_json_to_stdout(reports, capsys):
    code, out, _ = run_cli(["merge", str(reports[0]), str(reports[0]), "--json", "-"], capsys)
    assert code == 0
    names = [p["name"] for p in json.loads(out)["places"]]
    assert names == ["office-berlin", "office-berlin #2"]  # a name twice stays two places


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def _mutated(report: Path, **changes) -> str:
    data = json.loads(report.read_text())
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        ("[1, 2]", "not a wsdoctor report"),
        ('{"tool": {"name": "othertool"}, "schema_version": 1}', "not a wsdoctor report"),
        (None, "schema_version 2 is not supported"),
        ('{"fleet_schema_version": 1}', "a fleet report"),
        ('{"tool": {"name": "wsdoctor"}, "schema_version": 1, "checks": 3}', "malformed report"),
    ],
)
def test_bad_reports_stop_the_merge_naming_the_file(reports, tmp_path, capsys, content, message):
    content = content if content is not None else _mutated(reports[0], schema_version=2)
    bad = _write(tmp_path, "bad.json", content)
    code, out, err = run_cli(["merge", str(reports[0]), bad], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"wsdoctor: error: {bad}: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_file_and_no_files_are_usage_errors(tmp_path, capsys):
    code, _, err = run_cli(["merge", str(tmp_path / "nope.json")], capsys)
    assert code == 2 and "nope.json: cannot read" in err
    code, _, err = run_cli(["merge"], capsys)
    assert code == 2 and "REPORT.json" in err


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "--vantage: empty"), ("x" * 65, "at most 64"), ("a\x1bb", "unprintable")],
)
def test_bad_vantage_names_are_refused_before_any_traffic(capsys, value, message):
    code, _, err = run_cli(["check", "--lab", "--no-save", "--vantage", value], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_vantage_defaults_to_the_host_name_and_keeps_a_given_one():
    import socket

    from wsdoctor.cli.validate import default_vantage, parse_vantage

    assert parse_vantage(None) == default_vantage()
    assert default_vantage() == (socket.gethostname().strip()[:64] or "unknown")
    assert parse_vantage("  eu-west-1 / node 7 ") == "eu-west-1 / node 7"
