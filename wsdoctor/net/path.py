"""Opening the same path a python-websockets client would take, phase by phase.

DNS, TCP and the proxy's CONNECT are done here with timings, and the resulting
socket is handed to websockets, which does TLS and the upgrade on it exactly as
it would on its own. SOCKS and https:// proxies are left to websockets entirely.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from .errors import NetError, NoAddresses, ProxyMisconfigured
from .hop import Tunnel, connect_tcp, open_tunnel, refusal
from .resolve import resolve
from .route import Route


@dataclass
class OpenedPath:
    sock: socket.socket | None  # None: let websockets connect through `proxy_url` itself
    address: str | None
    proxy_url: str | None
    timings_ms: dict[str, float] = field(default_factory=dict)
    tunnel: Tunnel | None = None


async def connect_first(
    host: str, port: int, route: Route, timings: dict[str, float]
) -> tuple[socket.socket, str]:
    """Resolve and connect to the first address that answers, as clients do."""
    resolved = await resolve(host, port, route.timeouts.dns)
    timings["dns_ms"] = resolved.elapsed_ms
    error: NetError | None = None
    for address in resolved.addresses:
        try:
            sock, elapsed = await connect_tcp(address, port, route.timeouts.connect)
        except NetError as exc:
            error = error or exc
            continue
        timings["tcp_ms"] = elapsed
        return sock, address
    raise error or NoAddresses(f"{host} has no addresses")


async def open_path(route: Route) -> OpenedPath:
    if route.proxy_problem is not None:
        raise ProxyMisconfigured(route.proxy_problem, phase="proxy")
    proxy, proxy_url = route.proxy, route.websockets_choice.url
    if proxy is not None and not proxy.is_http:
        return OpenedPath(None, None, proxy_url)
    timings: dict[str, float] = {}
    hop = route.first_hop
    sock, address = await connect_first(hop.host, hop.port, route, timings)
    if proxy is None:
        return OpenedPath(sock, address, None, timings)
    try:
        tunnel = await open_tunnel(sock, route.target, proxy, route.timeouts.proxy)
    except BaseException:
        sock.close()
        raise
    if tunnel.status != 200:
        sock.close()
        raise refusal(tunnel, proxy, route.target)
    timings["proxy_connect_ms"] = tunnel.elapsed_ms
    return OpenedPath(sock, address, proxy_url, timings, tunnel)
