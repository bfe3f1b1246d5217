"""The first hop: a TCP connection to the target or its proxy, and an HTTP CONNECT tunnel.

tcp, tls and the stream checks all start here, so they take the same path a
python-websockets client would: straight to the target, or CONNECT through the
proxy it would pick. Timings are recorded; verdicts are left to the checks.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import time
from dataclasses import dataclass, field

from ..model import Target
from .errors import ConnectionLost, ProxyAuthRequired, ProxyRefused, ProxyUpstreamFailed, boundary
from .route import ProxyEndpoint

MAX_PROXY_RESPONSE = 64 * 1024


@dataclass
class Tunnel:
    """What a CONNECT request got back."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.reason}".strip()


async def connect_tcp(address: str, port: int, timeout: float) -> tuple[socket.socket, float]:
    """A connected non-blocking socket and the connect time in ms."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    # asyncio sets TCP_NODELAY only on sockets it opens itself; without it, Nagle's
    # algorithm adds ~40 ms to small frames such as pings, and the RTTs measured lie.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    started = time.monotonic()
    try:
        with boundary("tcp"):
            await asyncio.wait_for(
                asyncio.get_running_loop().sock_connect(sock, (address, port)), timeout
            )
    except BaseException:
        sock.close()
        raise
    return sock, round((time.monotonic() - started) * 1000, 2)


def connect_request(target: Target, proxy: ProxyEndpoint) -> bytes:
    authority = target.authority
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}", "User-Agent: wsdoctor"]
    if proxy.username is not None:
        token = base64.b64encode(f"{proxy.username}:{proxy.password or ''}".encode()).decode()
        lines.append(f"Proxy-Authorization: Basic {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_connect_response(raw: bytes) -> Tunnel:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status_line, *header_lines = head.split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ConnectionLost(f"proxy answered something that is not HTTP: {status_line[:80]!r}")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Tunnel(int(parts[1]), parts[2] if len(parts) > 2 else "", headers)


async def open_tunnel(
    sock: socket.socket, target: Target, proxy: ProxyEndpoint, timeout: float
) -> Tunnel:
    """Send CONNECT on a socket connected to the proxy; the socket is the tunnel if 200."""
    loop = asyncio.get_running_loop()
    started = time.monotonic()

    async def exchange() -> bytes:
        await loop.sock_sendall(sock, connect_request(target, proxy))
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = await loop.sock_recv(sock, 4096)
            if not chunk:
                raise ConnectionLost("the proxy closed the connection during CONNECT")
            raw += chunk
            if len(raw) > MAX_PROXY_RESPONSE:
                raise ConnectionLost("the proxy's CONNECT answer is too large")
        return raw

    with boundary("proxy"):
        tunnel = parse_connect_response(await asyncio.wait_for(exchange(), timeout))
    tunnel.elapsed_ms = round((time.monotonic() - started) * 1000, 2)
    return tunnel


def refusal(tunnel: Tunnel, proxy: ProxyEndpoint, target: Target) -> ProxyRefused:
    """The error a non-200 CONNECT answer means: auth wanted, upstream failed, or refused."""
    text = f"proxy {proxy.address} answered CONNECT {target.authority}: {tunnel.status_line}"
    kind = ProxyRefused
    if tunnel.status == 407:
        kind = ProxyAuthRequired
    elif 500 <= tunnel.status <= 599:  # the proxy's own way out failed (tinyproxy says 500)
        kind = ProxyUpstreamFailed
    return kind(text, status=tunnel.status, reason=tunnel.reason, headers=tunnel.headers)
