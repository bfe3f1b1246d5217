"""`wsdoctor watch` as a user runs it, against the lab with faults (time scaled down), and its
metrics read by the real Prometheus and promtool."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
SCALE = ["--time-scale", "0.1", "--interval", "100", "--no-save"]


def watch(*args: str, timeout: float = 60) -> tuple[int, dict]:
    argv = [sys.executable, "-m", "wsdoctor", "watch", *SCALE, "--json", "-", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return done.returncode, json.loads(done.stdout)


def watch_entry(report: dict) -> dict:
    return next(c for c in report["checks"] if c["id"] == "watch")


def test_drops_at_a_fixed_age_are_named_with_the_age():
    code, report = watch("--lab", "drop-after=0.8", "--streams", "2", "--duration", "5")
    entry = watch_entry(report)
    (finding,) = entry["findings"]
    assert finding["cause"] == "watch.lifetime_cap"
    assert 0.6 <= finding["evidence"]["age_s"] <= 1.4  # the lab's 0.8 s, as measured
    assert entry["measurements"]["drops"] >= 4
    assert "drop" in {m["kind"] for m in entry["marks"]}
    assert code == 1


def test_a_healthy_path_stays_quiet():
    code, report = watch("--lab", "--streams", "2", "--duration", "4")
    entry = watch_entry(report)
    assert (code, entry["findings"], entry["measurements"]["drops"]) == (0, [], 0)
    assert entry["measurements"]["rtt_median_ms"] > 0
    assert {m["kind"] for m in entry["marks"]} == {"rtt"}


def test_an_open_stream_that_stops_answering_is_a_silent_stall():
    code, report = watch("--lab", "mute-after=0.5", "--streams", "1", "--duration", "4",
                         "--stall", "0.8")  # fmt: skip
    causes = [f["cause"] for f in watch_entry(report)["findings"]]
    assert causes == ["watch.silent_stream"]
    assert code == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def query(port: int, promql: str) -> list[dict]:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    with direct.open(url, timeout=5) as answer:
        return json.load(answer)["data"]["result"]


@pytest.mark.skipif(PROMETHEUS is None, reason="needs Debian's prometheus package")
def test_prometheus_scrapes_a_running_watch(tmp_path):
    metrics_port, prom_port = free_port(), free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: wsdoctor\n    static_configs: [{{targets: ['127.0.0.1:{metrics_port}']}}]\n"
    )
    argv = [sys.executable, "-m", "wsdoctor", "watch", *SCALE, "--lab", "drop-after=0.8",
            "--duration", "60", "--metrics-port", str(metrics_port), "-q"]  # fmt: skip
    watcher = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prometheus = subprocess.Popen(
        [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{prom_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        series = []
        for _ in range(120):
            time.sleep(0.5)
            try:
                series = query(prom_port, 'wsdoctor_stream_drops_total{ending="no_close_frame"}')
            except OSError:
                continue  # Prometheus still starting
            if series and float(series[0]["value"][1]) >= 1:
                break
        assert series, "Prometheus never saw a drop"
        assert series[0]["metric"]["target"] == "127.0.0.1"
        assert query(prom_port, "wsdoctor_rtt_seconds_count") != []
    finally:
        for proc in (prometheus, watcher):
            proc.terminate()
            proc.wait(timeout=20)


@pytest.mark.skipif(PROMTOOL is None, reason="needs Debian's prometheus package (promtool)")
def test_check_writes_a_textfile_promtool_accepts(tmp_path):
    from prometheus_client.parser import text_string_to_metric_families

    textfile = tmp_path / "wsdoctor.prom"
    argv = [sys.executable, "-m", "wsdoctor", "check", "--lab", "--quick", "--no-save", "-q",
            "--metrics-file", str(textfile)]  # fmt: skip
    subprocess.run(argv, capture_output=True, timeout=60, check=False)
    lint = subprocess.run([PROMTOOL, "check", "metrics"], input=textfile.read_bytes(),
                          capture_output=True, timeout=30)  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr
    families = {f.name for f in text_string_to_metric_families(textfile.read_text())}
    assert {"wsdoctor_check_status", "wsdoctor_phase_seconds"} <= families


DEPLOY = Path(__file__).parent.parent / "docs" / "deploy"


@pytest.mark.skipif(PROMTOOL is None, reason="needs Debian's prometheus package (promtool)")
def test_the_documented_alerting_rules_are_valid():
    done = subprocess.run([PROMTOOL, "check", "rules", str(DEPLOY / "alerts.yml")],
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_documented_kubernetes_manifests_run_wsdoctor():
    yaml = pytest.importorskip("yaml")
    cronjob = yaml.safe_load((DEPLOY / "cronjob.yaml").read_text())
    daemonset = yaml.safe_load((DEPLOY / "daemonset.yaml").read_text())
    assert (cronjob["kind"], daemonset["kind"]) == ("CronJob", "DaemonSet")
    job = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert "wsdoctor check" in job["args"][0] and "--metrics-file" in job["args"][0]
    pod = daemonset["spec"]["template"]
    args = pod["spec"]["containers"][0]["args"][0]
    assert "wsdoctor watch" in args and "--metrics-port 9464" in args
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "9464"


def test_ctrl_c_ends_a_watch_with_its_report(tmp_path):
    out = tmp_path / "watch.json"
    argv = [sys.executable, "-m", "wsdoctor", "watch", *SCALE, "--lab", "--streams", "1",
            "--json", str(out), "-q"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # long enough for the stream to open and a check run to finish
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    report = json.loads(out.read_text())
    assert report["interrupted"] is True
    assert watch_entry(report)["measurements"]["drops"] == 0
