"""Third-party plugins: verified when they load, blockable by name, and fully reported.

tests/plugin_dist holds a plugin distribution of its own (a dist-info with an
entry point); putting that folder on sys.path installs it as pip would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import entry_point
from fake_checks import Fake
from test_cli import run_cli

from wsdoctor import cli
from wsdoctor.errors import BadInput
from wsdoctor.registry import AUTOLOAD_OFF_ENV, Registered, Registry, RegistryError

PLUGIN_DIST = Path(__file__).parent / "plugin_dist"
URL = ["--url", "ws://127.0.0.1:9/v1/listen"]


@pytest.fixture
def probe_installed(monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN_DIST))
    monkeypatch.delenv(AUTOLOAD_OFF_ENV, raising=False)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("fake_checks:sync_run", "`run` must be an async function"),
        ("fake_checks:foreign_cause", "must start with the check id: foreign."),
        ("fake_checks:cause_without_entry", "'bare.mystery' has no entry"),
    ],
)
def test_contract_is_verified_at_load_and_names_the_plugin(value, problem):
    with pytest.raises(RegistryError, match=r"plugin 'p' .*breaks the check contract") as info:
        Registry.from_entry_points([entry_point("p", value)])
    assert problem in str(info.value)


def test_plugin_is_found_through_its_own_entry_point(probe_installed):
    registry = Registry.discover({})
    assert registry.get("probe").source == "wsdoctor-probe 1.0"
    assert registry.catalogue.get("probe.slow_gateway").title.startswith("The company gateway")


def test_disable_plugin_blocks_one_plugin_by_name(probe_installed):
    assert "probe" not in Registry.discover({}, disabled=["probe"])
    assert "probe" not in Registry.discover({}, disabled=["wsdoctor-probe"])  # by distribution
    with pytest.raises(BadInput, match="no plugin named 'nope'"):
        Registry.discover({}, disabled=["nope"])
    with pytest.raises(BadInput, match=r"--disable-plugin dns: check '\w+' depends on it"):
        Registry.discover({}, disabled=["dns"])


def test_plugin_cause_and_phase_reach_every_report(probe_installed, tmp_path, capsys):
    json_path, html_path = tmp_path / "r.json", tmp_path / "r.html"
    argv = ["check", *URL, "--only", "probe", "--json", str(json_path), "--html", str(html_path)]
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    out = capsys.readouterr().out
    assert exit_info.value.code == 1
    # Terminal: the plugin's own title leads the root causes, and its phase is shown.
    assert "The company gateway is slow to greet  (probe.slow_gateway)" in out
    assert "Ask the gateway team about hello latency." in out
    assert "Gateway hello 812.0 ms" in out
    data = json.loads(json_path.read_text())
    assert data["root_causes"] == ["probe.slow_gateway"]
    assert data["causes"]["probe.slow_gateway"]["seed_section"] == "Proxy or Firewall Restrictions"
    (probe,) = data["checks"]
    assert probe["phases"] == [{"label": "Gateway hello", "ms": 812.0}]
    assert probe["remediation"]["title"] == "The company gateway is slow to greet"
    html = html_path.read_text()
    assert "The company gateway is slow to greet" in html
    waterfall = html.split('id="waterfall"')[1].split("</section>")[0]
    assert "Gateway hello" in waterfall


def test_disable_plugin_on_the_command_line(probe_installed, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", *URL, "--only", "probe", "--disable-plugin", "probe", "--no-save"])
    assert exit_info.value.code == 2
    assert "unknown check id 'probe'" in capsys.readouterr().err


def crashing(source: str, name: str) -> Registry:
    crash = Fake("clock", outcome=ValueError("no Date header to parse"))
    return Registry([Registered(crash, source, "clock:check", name=name)])


def test_a_crashing_plugin_is_named_not_called_a_wsdoctor_error(capsys, monkeypatch, tmp_path):
    registry = crashing("wsdoctor-clock 1.0", "clock_check")
    json_path = tmp_path / "r.json"
    argv = ["check", *URL, "--only", "clock", "--json", str(json_path)]
    code, out, _ = run_cli(argv, capsys, registry, monkeypatch)
    assert code == 3  # an error, as any crash
    said = (
        "check `clock` from distribution wsdoctor-clock 1.0 raised ValueError: "
        "no Date header to parse (a bug in that plugin: report it to its authors; "
        "to run without it: --disable-plugin clock_check)"
    )
    assert said in " ".join(out.split())  # the terminal wraps long lines
    (entry,) = json.loads(json_path.read_text())["checks"]
    assert entry["status"] == "error" and entry["summary"].startswith(said)
    assert "wsdoctor error" not in out


def test_a_crashing_builtin_is_still_a_wsdoctor_error(capsys, monkeypatch):
    registry = crashing("wsdoctor 0.1.0", "clock")
    code, out, _ = run_cli(["check", *URL, "--no-save"], capsys, registry, monkeypatch)
    assert code == 3
    assert "wsdoctor error: ValueError: no Date header to parse" in out
    assert "--disable-plugin" not in out


@pytest.fixture
def broken_installed(tmp_path, monkeypatch):
    """A distribution whose entry point names a module that does not exist."""
    info = tmp_path / "wsdoctor_broken-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: wsdoctor-broken\nVersion: 2.0\n")
    (info / "entry_points.txt").write_text("[wsdoctor.checks]\nbroken = wsdoctor_gone:check\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(AUTOLOAD_OFF_ENV, raising=False)


def test_a_plugin_that_fails_to_load_says_how_to_run_without_it(broken_installed, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", *URL, "--only", "dns", "--no-save"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 3
    assert err.startswith(
        "wsdoctor: plugin error: plugin 'broken' from wsdoctor-broken 2.0 (wsdoctor_gone:check) "
        "failed to load: No module named 'wsdoctor_gone'; to run without it: "
        "--disable-plugin broken, or WSDOCTOR_DISABLE_PLUGIN_AUTOLOAD=1"
    )
    with pytest.raises(SystemExit) as exit_info:  # and the advice works
        cli.main(["check", *URL, "--only", "dns", "--no-save", "--disable-plugin", "broken"])
    assert exit_info.value.code == 0


def test_a_plugin_that_breaks_the_contract_says_how_to_run_without_it():
    with pytest.raises(RegistryError, match=r"must be an async function.*--disable-plugin p,"):
        Registry.from_entry_points([entry_point("p", "fake_checks:sync_run")])
    with pytest.raises(RegistryError, match=r"unknown check 'nowhere'.*--disable-plugin orphan"):
        Registry.from_entry_points([entry_point("orphan", "fake_checks:orphan")])
