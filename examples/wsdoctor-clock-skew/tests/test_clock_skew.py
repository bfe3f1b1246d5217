"""clock_skew against wsdoctor's lab (the `deepgram_lab` fixture, through the pytest plugin
wsdoctor installs) and against loopback REST hosts whose clocks are off, as a check's
fault and healthy paths are tested: the check alone, then the installed CLI end to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import trustme  # a dependency of wsdoctor
from wsdoctor_clock_skew import CAUSES, SKEWED, check

from wsdoctor import SEED_SECTIONS, CheckContext, CheckResult, Settings, Status, Target
from wsdoctor.net.errors import CertificateRejected

if TYPE_CHECKING:
    from wsdoctor.audit.fixture import DeepgramLab  # what the deepgram_lab fixture yields


def run_check(url: str, ca_file: str | None = None) -> CheckResult:
    """The check alone, as the runner calls it: a context on the URL, no environment."""
    ctx = CheckContext(Target.parse(url), Settings(ca_file=ca_file, environ={}))
    return asyncio.run(check.run(ctx))


@contextlib.contextmanager
def rest_host(offset_s: float | None, leaf: trustme.LeafCert | None = None) -> Iterator[str]:
    """A loopback REST host answering 401 with a Date `offset_s` off this machine's clock
    (None: no Date at all); over TLS with `leaf`. Yields the live URL a user would check."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response_only(401)
            if offset_s is not None:
                self.send_header("Date", formatdate(time.time() + offset_s, usegmt=True))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if leaf is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        leaf.configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'wss' if leaf else 'ws'}://127.0.0.1:{server.server_address[1]}/v1/listen"
    finally:
        server.shutdown()
        server.server_close()


def test_in_step_with_the_lab(deepgram_lab: DeepgramLab) -> None:
    result = run_check(deepgram_lab.url)
    assert result.status is Status.PASS, result.summary
    assert abs(result.measurements["skew_s"]) <= result.measurements["uncertainty_s"]
    assert [phase.label for phase in result.phases] == ["REST Date"]


@pytest.mark.parametrize(
    ("offset_s", "status", "words"),
    [
        (0, Status.PASS, "in step with the REST host"),
        (60, Status.WARN, "s behind the REST host's"),  # the server's clock is ahead
        (-3600, Status.FAIL, "s ahead of the REST host's"),
    ],
)
def test_a_clock_off_by(offset_s: float, status: Status, words: str) -> None:
    with rest_host(offset_s) as url:
        result = run_check(url)
    assert result.status is status, result.summary
    assert words in result.summary
    skew, slack = result.measurements["skew_s"], result.measurements["uncertainty_s"]
    assert abs(skew - offset_s) <= slack  # Date has whole seconds: the slack says so
    assert [f.cause for f in result.findings] == ([] if status is Status.PASS else [SKEWED])


def test_no_date_header_is_a_skip_not_a_verdict() -> None:
    with rest_host(None) as url:
        result = run_check(url)
    assert result.status is Status.SKIP
    assert "no usable Date header" in result.summary


def test_an_untrusted_rest_host_is_a_certificate_failure(tmp_path: Path) -> None:
    ca = trustme.CA()
    with rest_host(0, ca.issue_cert("127.0.0.1")) as url:
        with pytest.raises(CertificateRejected):  # not "no route to the host"
            run_check(url)
        ca_file = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        assert run_check(url, ca_file=str(ca_file)).status is Status.PASS  # --ca-file


def test_the_cause_cites_a_section_of_the_article() -> None:
    assert CAUSES[SKEWED]["section"] in SEED_SECTIONS


def wsdoctor(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a child process: it finds this plugin by its entry point."""
    env = {k: v for k, v in os.environ.items() if k != "WSDOCTOR_DISABLE_PLUGIN_AUTOLOAD"}
    argv = [sys.executable, "-m", "wsdoctor", *args]
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=60, env={**env, "NO_COLOR": "1"}
    )


def test_the_cli_reports_it_in_every_format(tmp_path: Path) -> None:
    json_path, html_path = tmp_path / "r.json", tmp_path / "r.html"
    done = wsdoctor(
        *("check", "--lab", "--only", "clock_skew", "--out-dir", str(tmp_path)),
        *("--json", str(json_path), "--html", str(html_path)),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[✓] clock_skew" in done.stdout and "REST Date" in done.stdout
    report = json.loads(json_path.read_text())
    (entry,) = [c for c in report["checks"] if c["id"] == "clock_skew"]
    assert entry["status"] == "pass"
    assert entry["phases"][0]["label"] == "REST Date"
    waterfall = html_path.read_text().split('id="waterfall"')[1].split("</section>")[0]
    assert "REST Date" in waterfall


def test_the_cli_names_a_skewed_clock_as_the_root_cause(tmp_path: Path) -> None:
    json_path = tmp_path / "r.json"
    with rest_host(-3600) as url:
        done = wsdoctor(
            *("check", "--url", url, "--only", "clock_skew", "--out-dir", str(tmp_path)),
            *("--json", str(json_path)),
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "This machine's clock is off  (clock_skew.skewed)" in done.stdout
    report = json.loads(json_path.read_text())
    assert report["root_causes"] == [SKEWED]
    assert report["causes"][SKEWED]["seed_section"] == "Conclusion"
    explained = wsdoctor("explain", SKEWED)
    assert explained.stdout.startswith("This machine's clock is off [clock_skew.skewed]")
