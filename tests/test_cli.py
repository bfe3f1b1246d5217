"""The command line, driven through its real entry point: exit codes, outputs, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from conftest import registry_of
from fake_checks import Fake

from wsdoctor import cli
from wsdoctor.cli import options as cli_options


def run_cli(argv, capsys, registry=None, monkeypatch=None):
    if registry is not None:
        monkeypatch.setattr(cli_options, "load_registry", lambda *_: registry)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def fails(check, ctx):
    return check.failed("tcp.refused", "connection refused")


def warns(check, ctx):
    return check.warned("dns.private_answer", "slow-ish")


PASSING = registry_of(Fake("dns"), Fake("tcp", ("dns",)))
FAILING = registry_of(Fake("dns"), Fake("tcp", ("dns",), outcome=fails), Fake("tls", ("tcp",)))
WARNING = registry_of(Fake("dns", outcome=warns))
ERRORING = registry_of(Fake("dns", outcome=KeyError("bug")))
LAB_URL = ["--url", "ws://127.0.0.1:9/v1/listen"]


@pytest.mark.parametrize(
    ("registry", "extra", "code"),
    [
        (PASSING, [], 0),
        (FAILING, [], 1),
        (WARNING, [], 0),
        (WARNING, ["--fail-on", "warn"], 1),
        (ERRORING, [], 3),
    ],
)
def test_exit_codes(registry, extra, code, capsys, monkeypatch):
    argv = ["check", *LAB_URL, "--no-save", *extra]
    assert run_cli(argv, capsys, registry, monkeypatch)[0] == code


def test_accept_turns_a_named_cause_into_info(capsys, monkeypatch, report_schema):
    argv = ["check", *LAB_URL, "--json", "-", "--fail-on", "warn", "--accept", "dns.private_answer"]
    code, out, err = run_cli(argv, capsys, WARNING, monkeypatch)
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, report_schema)
    assert data["accepted"] == ["dns.private_answer"]
    (finding,) = data["checks"][0]["findings"]
    assert (finding["level"], finding["accepted"]) == ("info", True)
    assert "Accepted (--accept, reported as info): dns.private_answer" in err


def test_accept_refuses_an_unknown_cause(capsys, monkeypatch):
    argv = ["check", *LAB_URL, "--no-save", "--accept", "dns.no_such_thing"]
    code, _, err = run_cli(argv, capsys, WARNING, monkeypatch)
    assert code == 2
    assert err.strip() == (
        "wsdoctor: error: --accept: unknown cause 'dns.no_such_thing' (give a cause id, "
        "e.g. tls.intercepted)"
    )


def test_default_run_saves_json_and_prints_its_path(tmp_path, capsys, monkeypatch, report_schema):
    argv = ["check", *LAB_URL, "--out-dir", str(tmp_path / "out")]
    code, out, _ = run_cli(argv, capsys, FAILING, monkeypatch)
    saved = list((tmp_path / "out").glob("wsdoctor-*.json"))
    assert code == 1 and len(saved) == 1
    assert f"Report saved: {saved[0]}" in out
    data = json.loads(saved[0].read_text())
    jsonschema.validate(data, report_schema)
    assert data["root_causes"] == ["tcp.refused"]
    assert [c["status"] for c in data["checks"]] == ["pass", "fail", "skip"]


def test_json_to_stdout_keeps_stdout_pure(capsys, monkeypatch, report_schema):
    _, out, err = run_cli(["check", *LAB_URL, "--json", "-"], capsys, PASSING, monkeypatch)
    jsonschema.validate(json.loads(out), report_schema)
    assert "No problems found" in err


def test_only_pulls_in_dependencies(tmp_path, capsys, monkeypatch):
    path = tmp_path / "r.json"
    argv = ["check", *LAB_URL, "--only", "tls", "--json", str(path)]
    run_cli(argv, capsys, FAILING, monkeypatch)
    checks = json.loads(path.read_text())["checks"]
    assert [(c["id"], c["pulled_in"]) for c in checks] == [
        ("dns", True),
        ("tcp", True),
        ("tls", False),
    ]


def test_quiet_prints_only_the_summary(capsys, monkeypatch):
    _, out, _ = run_cli(["check", *LAB_URL, "--no-save", "-q"], capsys, FAILING, monkeypatch)
    assert out.strip().splitlines() == [out.strip()]
    assert "1 problem found (1 root cause)" in out


def test_list_checks_shows_builtins(capsys):
    code, out, _ = run_cli(["list-checks"], capsys)
    assert code == 0
    assert "sdk" in out and "wsdoctor 0.1.0" in out and "DEPENDS ON" in out


def test_explain(capsys):
    code, out, _ = run_cli(["explain", "no close frame received or sent"], capsys)
    assert code == 0 and "close_frame.no_close_frame" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", "not a url"], "malformed URL"),
        (["--url", "wss://[::1/v1/listen"], "malformed URL"),
        (["--url", "https://api.example.com/v1/listen"], "use wss://"),
        (["--url", "http://localhost:8080/v1/listen"], "use ws://"),
        (["--url", "wss://host:0/v1/listen"], "port 0 is out of range"),
        (["--url", "wss://host:70000/v1/listen"], "out of range"),
        (["--only", "dns,nope"], "unknown check id 'nope'"),
        (["--skip", "nada"], "unknown check id 'nada'"),
        (["--timeout", "0"], "must be greater than 0"),
        (["--timeout", "-3"], "must be greater than 0"),
        (["--ca-file", "/nonexistent/ca.pem"], "--ca-file: cannot read"),
        (["--dns-server", "dns.example"], "--dns-server"),
        (["--dns-server", "127.0.0.1:99999"], "bad port"),
        (["--out-dir", "/etc/hostname/reports"], "--out-dir"),
        (["--proxy", "http://[bad"], "--proxy: malformed URL"),
        (["--proxy", "proxy.corp:3128"], "--proxy"),
        (["--json", "/tmp"], "is a folder"),
        (["--html", "/tmp"], "--html: '/tmp' is a folder"),
        (["--junit", "/nonexistent/dir/j.xml"], "does not exist"),
        (["--url", ""], "empty URL"),
        (["--url", "wss://user:pw@api.example.com/v1/listen"], "give the key with --api-key"),
        (["--url", "wss://" + "a" * 64 + ".example.com/v1/listen"], "over 63 characters"),
        (["--url", "wss://" + "a." * 130 + "com/v1/listen"], "at most 253 can exist"),
        (["--url", "wss://api..example.com/v1/listen"], "empty label"),
        (["--url", "wss://api%20x.example.com/v1/listen"], "which no host name can have"),
        (["--url", "wss://api\u202e.example.com/v1/listen"], "which no host name can have"),
        (["--timeout", "nan"], "must be greater than 0"),
        (["--timeout", "inf"], "must be greater than 0"),
        (["--idle-max", "1e400"], "must be greater than 0"),
        (["--timeout", "1e12"], "too long"),
        (["--dns-server", ""], "--dns-server: empty"),
        (["--dns-server", "127.0.0.1:\u0665\u0663"], "bad port"),
        (["--only", ",,,"], "--only: no ids given"),
        (["--skip", " , "], "--skip: no ids given"),
        (["--lab", "gremlins"], "unknown lab fault 'gremlins'"),
        (["--lab", "drop-after=soon"], "expected seconds"),
        (["--url", "wss://a/v1/listen", "--region", "eu"], "cannot be combined"),
        (["--bogus-option"], "No such option"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys, monkeypatch):
    code, out, err = run_cli(["check", *argv], capsys, PASSING, monkeypatch)
    assert code == 2
    assert err.startswith("wsdoctor: error:") and message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_ca_file_that_is_not_pem_is_refused(tmp_path, capsys, monkeypatch):
    bogus = tmp_path / "ca.pem"
    bogus.write_text("hello")
    code, _, err = run_cli(["check", "--ca-file", str(bogus)], capsys, PASSING, monkeypatch)
    assert code == 2 and "not a PEM file" in err


INTERRUPT_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from conftest import registry_of
from fake_checks import Fake
from wsdoctor import cli
from wsdoctor.cli import options

def mark(check, ctx):
    Path({marker!r}).write_text("ran")
    return check.passed("fast ok")

options.load_registry = lambda *_: registry_of(Fake("fast", outcome=mark), Fake("slow", sleep=60))
cli.main(sys.argv[1:])
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_writes_the_partial_report_and_exits_with_its_own_code(tmp_path, signum, code):
    marker, report = tmp_path / "marker", tmp_path / "partial.json"
    script = INTERRUPT_SCRIPT.format(tests=str(Path(__file__).parent), marker=str(marker))
    argv = [sys.executable, "-c", script, "check", *LAB_URL, "--json", str(report)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    checks = {c["id"]: c for c in json.loads(report.read_text())["checks"]}
    assert checks["fast"]["status"] == "pass"
    assert checks["slow"]["status"] == "skip" and "interrupted" in checks["slow"]["summary"]
    assert "(interrupted)" in out


def test_a_report_that_cannot_be_written_names_the_file_and_keeps_the_verdict(
    capsys, monkeypatch, tmp_path
):
    good = tmp_path / "r.html"
    argv = ["check", *LAB_URL, "--json", "/dev/full", "--html", str(good)]
    code, out, err = run_cli(argv, capsys, FAILING, monkeypatch)
    assert code == 3
    assert err.strip() == "wsdoctor: error: cannot write /dev/full: No space left on device"
    assert "1 problem found" in out  # the checks' own verdict is still shown
    assert good.exists()  # and the other report was written


def test_a_run_that_checked_nothing_is_not_a_pass(capsys, monkeypatch):
    argv = ["check", *LAB_URL, "--no-save", "--timeout", "0.000001"]
    code, out, _ = run_cli(argv, capsys, PASSING, monkeypatch)
    assert code == 1
    assert "Nothing was checked" in out and "No problems found" not in out


def test_a_selection_of_nothing_is_bad_input(capsys, monkeypatch):
    argv = ["check", *LAB_URL, "--no-save", "--only", "dns", "--skip", "dns"]
    code, _, err = run_cli(argv, capsys, PASSING, monkeypatch)
    assert code == 2 and "nothing to run" in err


def test_module_entry_point_runs_without_traceback():
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "wsdoctor", "check", "--url", "ftp://x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == "wsdoctor: error: malformed URL 'ftp://x': expected ws:// or wss://"
    )


@pytest.mark.slow
def test_a_hung_server_never_holds_wsdoctor_past_timeout():
    argv = [sys.executable, "-m", "wsdoctor", "check", "--lab", "slow-handshake=120"]
    proc = subprocess.run(
        [*argv, "--timeout", "3", "--no-save", "--only", "handshake"],
        capture_output=True,
        text=True,
        timeout=30,  # a hang fails the test here instead of blocking the suite
    )
    assert proc.returncode == 1
    assert "cut off by --timeout" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_unexpected_bug_is_one_redacted_line(capsys, monkeypatch):
    def broken_registry(*_):
        raise RuntimeError("internal failure while holding key sk-test-0123456789abcdef")

    monkeypatch.setattr(cli_options, "load_registry", broken_registry)
    monkeypatch.delenv("WSDOCTOR_DEBUG", raising=False)
    argv = ["check", *LAB_URL, "--no-save", "--api-key", "sk-test-0123456789abcdef"]
    code, out, err = run_cli(argv, capsys)
    assert code == 3
    assert err.startswith("wsdoctor: internal error: RuntimeError")
    assert "sk-test-0123456789abcdef" not in err + out and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dns-server", "[::1"], "--dns-server: '[::1' opens an IPv6 address with '['"),
        (["--ca-file", "FIFO"], "is not a regular file"),
    ],
)
def test_more_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    import os
    import subprocess
    import sys

    if "FIFO" in args:
        fifo = tmp_path / "ca.pem"
        os.mkfifo(fifo)
        args = [str(fifo) if a == "FIFO" else a for a in args]
    argv = [sys.executable, "-m", "wsdoctor", "check", "--no-save", "--only", "dns", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_ca_bundle_with_its_certificate_far_into_the_file_is_accepted(tmp_path):
    import trustme

    from wsdoctor.cli.validate import validate_ca_file

    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"# comments\n" * 8000 + trustme.CA().cert_pem.bytes())
    assert validate_ca_file(str(bundle)) == str(bundle)
