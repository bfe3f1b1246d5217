"""`wsdoctor audit -- python app.py`: real apps (websockets, aiohttp, deepgram-sdk) against the
lab, redirected by the audit's sitecustomize, each mistake flagged with exactly its cause."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from auditkit import run_audit

from wsdoctor.audit.session import child_environment

APPS = Path(__file__).parent / "audit_apps"


def audit(*args: str, app: str = "ws_app.py", behaviour: str = "good") -> tuple[int, dict, str]:
    return run_audit(*args, app=app, behaviour=behaviour, timeout=60)


def causes(report: dict) -> set[str]:
    return {f["cause"] for check in report["checks"] for f in check["findings"]}


def connections(report: dict) -> list[dict]:
    return [c for c in report["checks"] if c["id"].startswith("connection_")]


def test_a_well_behaved_app_gets_no_finding():
    code, report, err = audit()
    assert code == 0, err
    assert causes(report) == set()
    assert len(connections(report)) == 1
    assert re.search(r"connection [0-9a-f]{8} ended", err)  # the live line per connection


@pytest.mark.slow
@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        ("no-close-stream", {"client.no_close_stream"}),
        ("closed-before-final", {"client.closed_before_final"}),
        ("killed", {"client.no_close_stream", "client.no_close_frame"}),
        ("binary-keepalive", {"client.control_as_binary"}),
        ("empty-binary", {"client.empty_binary_frame"}),
        ("base64-text", {"client.unknown_text"}),
        ("wav-as-raw", {"client.audio_mismatch"}),
        ("wav-wrong-rate", {"client.audio_mismatch"}),
        ("key-in-query", {"client.key_in_query"}),
        ("idle", {"client.idle_gap", "client.no_close_stream"}),
    ],
)
def test_each_mistake_is_flagged_with_its_cause(behaviour, expected):
    code, report, err = audit(behaviour=behaviour)
    assert causes(report) == expected, err
    assert code == (1 if report["summary"]["status"] == "fail" else 0)
    assert report["summary"]["status"] in ("fail", "warn")


def test_an_idle_app_cut_by_net0001_has_one_root_cause():
    _, report, _ = audit(behaviour="idle")
    assert report["root_causes"] == ["client.idle_gap"]


def test_keepalive_while_idle_is_not_an_idle_gap():
    code, report, err = audit(behaviour="idle-with-keepalive")
    assert (code, causes(report)) == (0, set()), err


def test_the_key_in_the_query_never_reaches_the_report():
    _, report, err = audit(behaviour="key-in-query")
    assert "app-test-key-0123456789" not in json.dumps(report) + err


def test_retrying_a_refused_upgrade_in_a_loop_is_a_reconnect_storm():
    code, report, _ = audit("--lab", "auth", behaviour="storm")
    assert causes(report) == {"client.reconnect_storm", "client.upgrade_refused"}
    assert code == 1


def test_retrying_after_429_without_backoff_is_flagged():
    _, report, _ = audit("--lab", "rate-limit", behaviour="storm")
    assert "client.no_backoff" in causes(report)


def test_aiohttp_apps_are_redirected_and_judged():
    code, report, err = audit(app="aiohttp_app.py", behaviour="good")
    assert (code, causes(report)) == (0, set()), err
    _, report, _ = audit(app="aiohttp_app.py", behaviour="binary-close-stream")
    assert "client.control_as_binary" in causes(report)


@pytest.mark.slow
def test_the_official_sdk_example_is_flagged_and_ends_in_net0001():
    code, report, err = audit(app="sdk_app.py", behaviour="example")
    assert "client.no_close_stream" in causes(report), err
    (conn,) = connections(report)
    assert conn["evidence"]["server_close_code"] == 1011
    assert code == 1


@pytest.mark.slow
def test_a_correct_sdk_program_gets_no_finding():
    code, report, err = audit(app="sdk_app.py", behaviour="good")
    assert (code, causes(report)) == (0, set()), err


def test_an_app_that_never_connects_is_told_the_url():
    argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", "--json", "-",
            "--", sys.executable, "-c", "pass"]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    report = json.loads(done.stdout)
    assert causes(report) == {"client.never_connected"}
    assert done.returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--", "no-such-command-wsdoctor"], "command not found: no-such-command-wsdoctor"),
        (["--listen", "nowhere:80", "--", "true"], "--listen: 'nowhere:80' is not IP:PORT"),
        (["--listen", "127.0.0.1:99999", "--", "true"], "--listen: bad port '99999'"),
        (["--lab", "gremlins", "--", "true"], "unknown lab fault 'gremlins'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_the_report_validates_and_carries_each_connections_timeline(report_schema, tmp_path):
    import jsonschema

    html = tmp_path / "audit.html"
    _, report, _ = audit("--html", str(html), behaviour="idle")
    jsonschema.validate(report, report_schema)
    (conn,) = connections(report)
    kinds = [m["kind"] for m in conn["marks"]]
    assert kinds[0] == "audio" and "server-close" in kinds and "idle" in kinds
    assert conn["cause"] == "client.idle_gap"  # the root cause speaks for the connection
    page = html.read_text()
    assert 'aria-label="The connection\'s session timeline"' in page
    assert "s idle</title>" in page  # the idle band, labelled with its length


NODE_APP = Path(__file__).parent / "node_app"


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_APP / "node_modules" / "@deepgram").is_dir(),
    reason="needs Node.js and `npm ci --prefix tests/node_app` (done by .ci/run)",
)
def test_the_npm_sdk_pointed_at_the_audit_url_is_judged():
    def node_audit(behaviour: str) -> tuple[int, dict]:
        argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", "--json", "-",
                "--", "node", str(NODE_APP / "app.js"), behaviour]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return done.returncode, json.loads(done.stdout)

    code, report = node_audit("good")
    assert (code, causes(report)) == (0, set())
    code, report = node_audit("exit")
    assert {"client.no_close_stream", "client.no_close_frame"} <= causes(report)
    assert code == 1


def test_a_command_killed_by_a_signal_is_reported_as_such():
    suicide = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", "--json", "-", "--",
            sys.executable, "-c", suicide]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    (session,) = [c for c in json.loads(done.stdout)["checks"] if c["id"] == "session"]
    assert "the command was killed by signal 9" in session["summary"]
    assert session["evidence"]["command_status"] == -9


def test_an_existing_sitecustomize_still_runs_beside_the_redirection(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "sitecustomize.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    app_argv = [sys.executable, str(APPS / "ws_app.py"), "good"]
    argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", "--json", "-", "--", *app_argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    assert len(connections(json.loads(done.stdout))) == 1, done.stderr  # redirected
    assert marker.exists()  # and the app's own sitecustomize ran too


def test_ctrl_c_writes_the_partial_report(tmp_path):
    out = tmp_path / "audit.json"
    argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", "--json", str(out)]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        url = ""
        for line in proc.stderr:
            if "listening on" in line:
                url = line.split("listening on ")[1].split()[0]
                break
        env = child_environment(os.environ, url)  # as `audit -- CMD` would set it up
        app = [sys.executable, str(APPS / "ws_app.py"), "no-close-stream"]
        subprocess.run(app, env=env, timeout=30, check=True)
        for line in proc.stderr:
            if " ended (" in line:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 130
    report = json.loads(out.read_text())
    assert report["interrupted"] is True
    assert causes(report) == {"client.no_close_stream"}


def test_a_busy_listen_port_is_one_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save",
                "--listen", f"127.0.0.1:{port}", "--", "true"]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(f"wsdoctor: error: cannot listen on 127.0.0.1:{port}")


def test_a_test_app_run_without_the_audit_cannot_leave_loopback():
    """The guard behind every test app: without the audit's redirection it errors out."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WSDOCTOR_AUDIT_URL")}
    done = subprocess.run([sys.executable, str(APPS / "ws_app.py"), "good"], env=env,
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode != 0
    assert "refusing to look up 'api.deepgram.com'" in done.stderr
