"""Real intermediaries for the tests: nginx, tinyproxy, dnsmasq and mitmproxy on loopback.

Each is started from a generated config on a free loopback port, waited for, and
stopped by its PID. A test skips only when the binary is truly absent (with the
reason printed); .ci/run installs all of them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

MITMDUMP_CANDIDATES = (".venv-mitm/bin/mitmdump", "/opt/wsdoctor-mitm/bin/mitmdump")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require(binary: str) -> str:
    path = shutil.which(binary) or (binary if os.path.isfile(binary) else None)
    if path is None:
        pytest.skip(f"{binary} is not installed (.ci/run installs it)")
    return path


def mitmdump_path() -> str:
    root = Path(__file__).resolve().parent.parent
    for candidate in MITMDUMP_CANDIDATES:
        path = root / candidate if not candidate.startswith("/") else Path(candidate)
        if path.exists():
            return str(path)
    return require("mitmdump")


def wait_for_tcp(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{proc.args[0]} exited: {proc.stderr.read() if proc.stderr else ''}"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{proc.args[0]} did not listen on {port}")


def wait_in_netns(netns: str, port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    """wait_for_tcp for a server inside a network namespace (its loopback is its own)."""
    probe = (
        "import socket,sys,time\n"
        f"end=time.monotonic()+{timeout}\n"
        "while time.monotonic()<end:\n"
        "    try:\n"
        f"        socket.create_connection(('127.0.0.1',{port}),0.2).close(); sys.exit(0)\n"
        "    except OSError: time.sleep(0.05)\n"
        "sys.exit(1)\n"
    )
    done = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-c", probe])
    if done.returncode != 0 or proc.poll() is not None:
        raise RuntimeError(f"{proc.args} did not listen on {port} in {netns}")


@contextlib.contextmanager
def running(
    argv: list[str], port: int | None, netns: str | None = None, **popen
) -> Iterator[subprocess.Popen]:
    """`netns`: run inside that network namespace (ip netns exec, with its /etc/netns files)."""
    if netns is not None:
        argv = ["ip", "netns", "exec", netns, *argv]
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **popen
    )
    try:
        if port is not None and netns is not None:
            wait_in_netns(netns, port, proc)
        elif port is not None:
            wait_for_tcp(port, proc)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


NGINX_CONF = """
daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            {extra}
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout {timeout}s;
            proxy_send_timeout {timeout}s;
        }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(tmp: Path, upstream: int, read_timeout: float, extra: str = "") -> Iterator[int]:
    """`extra`: directives for the location, e.g. "return 403;"."""
    binary = require("nginx")
    port = free_port()
    conf = tmp / "nginx.conf"
    text = NGINX_CONF.format(
        dir=tmp, port=port, upstream=upstream, timeout=read_timeout, extra=extra
    )
    conf.write_text(text)
    with running([binary, "-c", str(conf), "-p", str(tmp)], port):
        yield port


@contextlib.contextmanager
def tinyproxy(
    tmp: Path,
    connect_port: int | None,
    auth: tuple[str, str] | None = None,
    netns: str | None = None,
):
    binary = require("tinyproxy")
    port = free_port()
    lines = [
        f"Port {port}",
        "Listen 127.0.0.1",
        "Timeout 60",
        "Allow 127.0.0.1",
        f'LogFile "{tmp / "tinyproxy.log"}"',
        "LogLevel Warning",
        "MaxClients 20",
        f"ConnectPort {connect_port}" if connect_port else "ConnectPort 1",
    ]
    if auth:
        lines.append(f"BasicAuth {auth[0]} {auth[1]}")
    conf = tmp / f"tinyproxy-{port}.conf"
    conf.write_text("\n".join(lines) + "\n")
    with running([binary, "-d", "-c", str(conf)], port, netns):
        yield port


@contextlib.contextmanager
def dnsmasq(
    records: dict[str, str],
    local_domains: tuple[str, ...] = (),
    netns: str | None = None,
    port: int | None = None,
) -> Iterator[int]:
    """`netns` and `port` (e.g. 53, for the namespace's resolv.conf) serve inside a namespace."""
    binary = require("dnsmasq")
    port = port or free_port(socket.SOCK_DGRAM)
    argv = [
        binary, "--keep-in-foreground", "--no-daemon", f"--port={port}",
        "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
        "--no-poll", "--user=root", "--pid-file", "--log-facility=-",
    ]  # fmt: skip
    argv += [f"--address=/{name}/{address}" for name, address in records.items()]
    argv += [f"--local=/{domain}/" for domain in local_domains]
    with running(argv, None, netns) as proc:
        time.sleep(0.3)
        if proc.poll() is not None:
            raise RuntimeError(f"dnsmasq exited: {proc.stderr.read()}")
        yield port


@contextlib.contextmanager
def silent_udp_server() -> Iterator[int]:
    """A 'resolver' that receives queries and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@contextlib.contextmanager
def mitmproxy(tmp: Path, netns: str | None = None) -> Iterator[tuple[int, Path]]:
    """An intercepting proxy; yields its port and the CA it signs with.

    A `mitmproxy-ca.pem` (key and certificate) already in `tmp` is the CA it signs with.
    """
    binary = mitmdump_path()
    port = free_port()
    argv = [
        binary, "--mode", "regular", "--listen-host", "127.0.0.1", "--listen-port", str(port),
        "--set", f"confdir={tmp}", "--ssl-insecure", "--quiet",
    ]  # fmt: skip
    with running(argv, port, netns):
        yield port, tmp / "mitmproxy-ca-cert.pem"


TLS_SITE_CONF = """
daemon off;
master_process off;
pid {dir}/nginx-tls.pid;
error_log {dir}/error-tls.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{ return 200 "tls site\\n"; }}
    }}
}}
"""


@contextlib.contextmanager
def tls_site(tmp: Path, cert: Path, key: Path, netns: str | None = None) -> Iterator[int]:
    """nginx serving HTTPS with the given certificate: a TLS server under any name."""
    binary = require("nginx")
    port = free_port()
    conf = tmp / "nginx-tls.conf"
    conf.write_text(TLS_SITE_CONF.format(dir=tmp, port=port, cert=cert, key=key))
    with running([binary, "-c", str(conf), "-p", str(tmp)], port, netns):
        yield port


@contextlib.contextmanager
def stunnel(tmp: Path, upstream: int, cert: Path, key: Path) -> Iterator[int]:
    """stunnel terminating TLS in front of a local port: with tinyproxy behind it, an
    https:// proxy (the client speaks TLS to the proxy, then CONNECT inside it)."""
    binary = require("stunnel4" if shutil.which("stunnel4") else "stunnel")
    port = free_port()
    conf = tmp / f"stunnel-{port}.conf"
    lines = [
        "foreground = yes",
        f"pid = {tmp / f'stunnel-{port}.pid'}",
        "[proxy]",
        f"accept = 127.0.0.1:{port}",
        f"connect = 127.0.0.1:{upstream}",
        f"cert = {cert}",
        f"key = {key}",
    ]
    conf.write_text("\n".join(lines) + "\n")
    with running([binary, str(conf)], port):
        yield port
