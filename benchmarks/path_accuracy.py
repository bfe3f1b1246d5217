"""Do tcp and tls report the delay that is really on the path? (root; Linux network namespaces)

Two namespaces joined by a veth pair; the lab (TLS) in one, wsdoctor in the other.
An iptables NFQUEUE rule in the server namespace sends every packet arriving for the
lab through _nfq_delay.py, which holds it for D ms: a known one-way delay on real
packets. TCP connect and a TLS 1.3 handshake each take one round trip, so both should
read D (plus the baseline). Goal: within 10 %.

Needs: iproute2, iptables and libnetfilter-queue-dev (Debian), NetfilterQueue (PyPI).
Run: sudo .venv/bin/python benchmarks/path_accuracy.py [DELAY_MS ...]   (default 50 100 200)
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER_NS, CLIENT_NS = "wsd-bench-srv", "wsd-bench-cli"
SERVER_IP, CLIENT_IP, PORT = "10.231.0.2", "10.231.0.1", 8443
RUNS = 5


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=check, capture_output=True, text=True)


@contextlib.contextmanager
def namespaces() -> Iterator[None]:
    for ns in (SERVER_NS, CLIENT_NS):
        sh("ip", "netns", "del", ns, check=False)
        sh("ip", "netns", "add", ns)
    try:
        sh("ip", "link", "add", "wsd-veth-c", "netns", CLIENT_NS, "type", "veth",
           "peer", "name", "wsd-veth-s", "netns", SERVER_NS)  # fmt: skip
        for ns, dev, ip in (
            (CLIENT_NS, "wsd-veth-c", CLIENT_IP),
            (SERVER_NS, "wsd-veth-s", SERVER_IP),
        ):
            sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        yield
    finally:
        for ns in (SERVER_NS, CLIENT_NS):
            sh("ip", "netns", "del", ns, check=False)


@contextlib.contextmanager
def background(*argv: str, ready: str) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:
            if ready in line:
                break
        else:
            raise RuntimeError(f"{argv[3:]} did not start")
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def delayed(delay_ms: float) -> Iterator[None]:
    if delay_ms <= 0:
        yield
        return
    rule = ["INPUT", "-p", "tcp", "--dport", str(PORT), "-j", "NFQUEUE", "--queue-num", "1"]
    delayer = [sys.executable, str(HERE / "_nfq_delay.py"), str(delay_ms)]
    with background("ip", "netns", "exec", SERVER_NS, *delayer, ready="ready"):
        sh("ip", "netns", "exec", SERVER_NS, "iptables", "-A", *rule)
        try:
            yield
        finally:
            sh("ip", "netns", "exec", SERVER_NS, "iptables", "-D", *rule)


def measure(ca_file: str) -> tuple[float, float]:
    url = f"wss://{SERVER_IP}:{PORT}/v1/listen?encoding=linear16&sample_rate=16000"
    check = ["check", "--url", url, "--only", "tls", "--proxy", "none", "--ca-file", ca_file]
    argv = ["ip", "netns", "exec", CLIENT_NS, sys.executable, "-m", "wsdoctor", *check]
    argv += ["--json", "-", "--no-save"]
    report = json.loads(sh(*argv, check=False).stdout)
    checks = {c["id"]: c for c in report["checks"]}
    return checks["tcp"]["measurements"]["connect_ms"], checks["tls"]["measurements"][
        "handshake_ms"
    ]


def medians(ca_file: str) -> tuple[float, float]:
    samples = [measure(ca_file) for _ in range(RUNS)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def main() -> None:
    if os.geteuid() != 0:
        sys.exit("path_accuracy.py needs root (network namespaces, iptables)")
    delays = [float(a) for a in sys.argv[1:]] or [50.0, 100.0, 200.0]
    with namespaces(), tempfile.TemporaryDirectory() as certs:
        lab = [sys.executable, "-m", "wsdoctor", "lab", "serve", "--host", SERVER_IP,
               "--port", str(PORT), "--tls", "--cert-dir", certs]  # fmt: skip
        with background("ip", "netns", "exec", SERVER_NS, *lab, ready="Press Ctrl-C"):
            ca_file = str(Path(certs) / "ca.pem")
            base_tcp, base_tls = medians(ca_file)
            print(f"baseline: tcp connect {base_tcp:.2f} ms, tls handshake {base_tls:.2f} ms")
            for delay in delays:
                with delayed(delay):
                    time.sleep(0.2)
                    tcp, tls = medians(ca_file)
                tcp_err = (tcp - base_tcp - delay) / delay * 100
                tls_err = (tls - base_tls - delay) / delay * 100
                print(
                    f"one-way delay {delay:.0f} ms: tcp connect {tcp:.1f} ms ({tcp_err:+.1f} %), "
                    f"tls handshake {tls:.1f} ms ({tls_err:+.1f} %)  goal within 10 %"
                )


if __name__ == "__main__":
    main()
