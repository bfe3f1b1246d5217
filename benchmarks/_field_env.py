"""The pieces field.py builds its paths from: the lab as a process, wsdoctor's run, link faults.

Each is a context manager that removes what it made (process, namespace, qdisc, rule),
so one `ExitStack` per scenario cleans everything up, even when a scenario breaks.
The real intermediaries and namespaces come from tests/ (intermediaries.py, netns.py)
and the two-namespace link and NFQUEUE delay from path_accuracy.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import path_accuracy  # noqa: E402
import trustme  # noqa: E402
from intermediaries import (  # noqa: E402  (re-exported for field.py)
    NGINX_CONF,
    dnsmasq,
    free_port,
    mitmproxy,
    nginx,
    require,
    running,
    stunnel,
    tinyproxy,
)
from netns import namespace  # noqa: E402

__all__ = ["dnsmasq", "free_port", "mitmproxy", "namespace", "nginx", "stunnel", "tinyproxy"]

DRIVER = HERE / "_field_driver.py"
QUERY = "/v1/listen?encoding=linear16&sample_rate=16000&channels=1"
# The silent-drop namespace's firewall drops packets of flows conntrack has forgotten,
# as tests/test_silent_idle.py sets it up.
NFT_STRICT = (
    "add table inet wsd; "
    "add chain inet wsd out { type filter hook output priority 0; }; "
    "add rule inet wsd out ct state invalid drop"
)


def in_ns(netns: str | None, argv: list[str]) -> list[str]:
    return ["ip", "netns", "exec", netns, *argv] if netns else argv


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, text=True, timeout=30)


@contextlib.contextmanager
def lab(
    tmp: Path,
    idle: float,
    *faults: str,
    tls: bool = False,
    netns: str | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
) -> Iterator[int]:
    """`wsdoctor lab serve` (in `netns` if given); yields its port. With tls, tmp/ca.pem."""
    port = port or free_port()
    argv = [sys.executable, "-m", "wsdoctor", "lab", "serve", "--host", host,
            "--port", str(port), "--idle-timeout", str(idle)]  # fmt: skip
    argv += [f"--fault={fault}" for fault in faults]
    argv += ["--tls", "--cert-dir", str(tmp)] if tls else []
    log = tmp / f"lab-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(in_ns(netns, argv), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while "Press Ctrl-C" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"lab did not start: {log.read_text()}")
            time.sleep(0.05)
        yield port
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def diagnose(url: str, settings: dict, netns: str | None = None) -> dict:
    """One full wsdoctor run (every check) through _field_driver.py; its JSON summary."""
    job = json.dumps({"url": url, "settings": settings})
    environ = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    argv = in_ns(netns, [sys.executable, str(DRIVER), job])
    done = subprocess.run(argv, capture_output=True, text=True, env=environ, timeout=180)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"driver exited {done.returncode}: {done.stderr[-800:]}")
    return json.loads(lines[-1])


@contextlib.contextmanager
def nginx_without_upgrade(tmp: Path, upstream: int) -> Iterator[int]:
    """nginx proxying /v1/listen as plain HTTP/1.0: it never forwards Upgrade/Connection."""
    port = free_port()
    text = NGINX_CONF.format(dir=tmp, port=port, upstream=upstream, timeout=10, extra="")
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 'proxy_set_header Connection "upgrade";'):  # fmt: skip
        text = text.replace(line, "")
    conf = tmp / "nginx-plain.conf"
    conf.write_text(text)
    with running([require("nginx"), "-c", str(conf), "-p", str(tmp)], port):
        yield port


def proxy_certificate(tmp: Path, lab_ca: Path) -> tuple[Path, Path, Path]:
    """(cert, key) for an https:// proxy on localhost, and a bundle trusting it and the lab."""
    ca = trustme.CA(organization_name="Corp Proxy CA")
    leaf = ca.issue_cert("localhost")
    cert, key, trust = tmp / "proxy.pem", tmp / "proxy.key", tmp / "trust.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    trust.write_bytes(lab_ca.read_bytes() + ca.cert_pem.bytes())
    return cert, key, trust


def strict_conntrack(netns: str, established_s: int) -> None:
    """Make `netns` forget an idle TCP flow after `established_s` and drop its packets then."""
    timeout = f"net.netfilter.nf_conntrack_tcp_timeout_established={established_s}"
    sh(*in_ns(netns, ["sysctl", "-qw", timeout, "net.netfilter.nf_conntrack_tcp_loose=0"]))
    sh(*in_ns(netns, ["nft", NFT_STRICT]))  # gone with the namespace


@contextlib.contextmanager
def link() -> Iterator[tuple[str, str, str]]:
    """path_accuracy's two namespaces joined by veth: (client ns, server ns, server address)."""
    with path_accuracy.namespaces():
        yield path_accuracy.CLIENT_NS, path_accuracy.SERVER_NS, path_accuracy.SERVER_IP


def shape_uplink(client_ns: str, kbit: int) -> None:
    """A token bucket on the client's side of the veth: its uplink is `kbit` kbit/s."""
    sh("ip", "netns", "exec", client_ns, "tc", "qdisc", "add", "dev", "wsd-veth-c", "root",
       "tbf", "rate", f"{kbit}kbit", "burst", "4kb", "latency", "300ms")  # fmt: skip


def delayed(delay_ms: float) -> contextlib.AbstractContextManager[None]:
    """Every packet into the server namespace's lab port held `delay_ms` (NFQUEUE, iptables)."""
    return path_accuracy.delayed(delay_ms)
