"""`wsdoctor watch` over a long run against the lab: memory, CPU, and how fast a drop shows.

A lab (`wsdoctor lab serve`, its own process) drops every stream DROP_S seconds in;
`wsdoctor watch` keeps STREAMS streams on it for DURATION seconds with /metrics on.
Printed: the watch process's RSS after warm-up and at the end (goal: growth under
5 MB), its CPU per stream-second, and for each drop the delay between the lab logging
it and `wsdoctor_stream_drops_total` rising on /metrics (goal: under 1 s), polled
every 20 ms.

Run: .venv/bin/python benchmarks/watch.py [DURATION_S] [STREAMS] [DROP_S]  (default 600 4 30)
"""

from __future__ import annotations

import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from _proc import cpu_seconds, free_port, rss_mb

WARM_UP_S = 10.0
POLL_S = 0.02


def drops_total(port: int) -> float:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with direct.open(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
        text = answer.read().decode()
    return sum(
        float(v) for v in re.findall(r"^wsdoctor_stream_drops_total\{[^}]*\} (\S+)", text, re.M)
    )


def main() -> None:
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 600.0
    streams = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    drop_s = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    lab_port, metrics_port = free_port(), free_port()
    lab = subprocess.Popen(
        [sys.executable, "-m", "wsdoctor", "lab", "serve", "--port", str(lab_port),
         "--fault", f"drop-after={drop_s}", "--idle-timeout", "30"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lab_drops: list[float] = []
    threading.Thread(target=_collect_lab_drops, args=(lab, lab_drops), daemon=True).start()
    time.sleep(1.5)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "wsdoctor", "watch", "--url",
         f"ws://127.0.0.1:{lab_port}/v1/listen?encoding=linear16&sample_rate=16000",
         "--api-key", "bench-key-0123456789", "--streams", str(streams),
         "--duration", str(duration), "--interval", "120", "--metrics-port", str(metrics_port),
         "--no-save", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        delays = _watch_metrics(watcher, metrics_port, lab_drops, duration)
        end_rss, used = rss_mb(watcher.pid), cpu_seconds(watcher.pid)
        _report(delays, end_rss, used, streams, duration)
    finally:
        for proc in (watcher, lab):
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                print(f"pid {proc.pid} did not stop on SIGINT within 15 s; killed")
                proc.kill()


def _report(delays: Delays, end_rss: float, used: float, streams: int, duration: float) -> None:
    print(f"RSS after {WARM_UP_S:g} s: {delays.start_rss:.1f} MB, at the end: {end_rss:.1f} MB "
          f"({end_rss - delays.start_rss:+.1f} MB, goal under 5)")  # fmt: skip
    print(f"CPU {used:.1f} s for {streams} streams x {duration:g} s = "
          f"{used / (streams * duration) * 1000:.2f} ms per stream-second")  # fmt: skip
    if delays.values:
        print(f"drop -> /metrics: {len(delays.values)} drops, median "
              f"{statistics.median(delays.values) * 1000:.0f} ms, max "
              f"{max(delays.values) * 1000:.0f} ms (goal under 1000)")  # fmt: skip


class Delays:
    def __init__(self) -> None:
        self.values: list[float] = []
        self.start_rss = float("nan")


def _collect_lab_drops(lab: subprocess.Popen, drops: list[float]) -> None:
    assert lab.stderr is not None
    for line in lab.stderr:
        if "TCP end: lab-drop" in line:
            drops.append(time.monotonic())


def _watch_metrics(watcher: subprocess.Popen, port: int, lab_drops: list[float],
                   duration: float) -> Delays:  # fmt: skip
    delays, seen, counted, started = Delays(), 0.0, 0, time.monotonic()
    while time.monotonic() - started < duration - 1 and watcher.poll() is None:
        if delays.start_rss != delays.start_rss and time.monotonic() - started > WARM_UP_S:
            delays.start_rss = rss_mb(watcher.pid)
        try:
            total = drops_total(port)
        except OSError:
            time.sleep(POLL_S)
            continue
        now = time.monotonic()
        while total > seen and counted < len(lab_drops):
            delays.values.append(now - lab_drops[counted])
            counted += 1
            seen += 1
        time.sleep(POLL_S)
    return delays


if __name__ == "__main__":
    main()
