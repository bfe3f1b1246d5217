"""Opening the same path a python-websockets client would take, phase by phase.

DNS, TCP and the proxy's CONNECT are done here with timings, and the resulting
socket is handed to websockets, which does TLS and the upgrade on it exactly as
it would on its own. SOCKS and https:// proxies are left to websockets entirely.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field

from ..context import CheckContext
from ..errors import BadInput
from ..model import Target
from .hop import ProxyEndpoint, Tunnel, connect_tcp, open_tunnel
from .proxy import websockets_proxy
from .resolve import resolve


class ProxyRefused(ConnectionError):
    """The proxy answered CONNECT with something other than 200."""

    def __init__(self, tunnel: Tunnel) -> None:
        super().__init__(f"proxy refused CONNECT: {tunnel.status} {tunnel.reason}".strip())
        self.tunnel = tunnel


class ProxyMisconfigured(ValueError):
    """The proxy setting cannot be used at all."""


@dataclass
class OpenedPath:
    sock: socket.socket | None  # None: let websockets connect through `proxy_url` itself
    address: str | None
    proxy_url: str | None
    timings_ms: dict[str, float] = field(default_factory=dict)
    tunnel: Tunnel | None = None


def proxy_endpoint(ctx: CheckContext) -> ProxyEndpoint | None:
    choice = websockets_proxy(ctx.target, ctx.settings.environ, ctx.settings.proxy)
    if choice.url is None:
        return None
    try:
        return ProxyEndpoint.parse(choice.url)
    except BadInput as exc:
        raise ProxyMisconfigured(str(exc)) from None


def first_hop(ctx: CheckContext) -> tuple[str, int, str]:
    """(host, port, role): the proxy a client would connect to, else the target.

    An unusable proxy setting counts as none here; the proxy check reports it.
    """
    try:
        proxy = proxy_endpoint(ctx)
    except ProxyMisconfigured:
        proxy = None
    if proxy is not None:
        return proxy.host, proxy.port, "proxy"
    return ctx.target.host, ctx.target.port, "target"


async def connect_first(host: str, port: int, timeout: float, timings: dict[str, float]):
    """Resolve and connect to the first address that answers, as clients do."""
    resolved = await resolve(host, port, timeout)
    timings["dns_ms"] = resolved.elapsed_ms
    error: BaseException | None = None
    for address in resolved.addresses:
        try:
            sock, elapsed = await connect_tcp(address, port, timeout)
        except (OSError, TimeoutError) as exc:
            error = error or exc
            continue
        timings["tcp_ms"] = elapsed
        return sock, address
    raise error or OSError(f"{host} has no addresses")


async def open_path(ctx: CheckContext, timeout: float) -> OpenedPath:
    target: Target = ctx.target
    proxy = proxy_endpoint(ctx)
    if proxy is not None and not proxy.is_http:
        return OpenedPath(None, None, _proxy_url(ctx))
    timings: dict[str, float] = {}
    hop_host, hop_port = (proxy.host, proxy.port) if proxy else (target.host, target.port)
    sock, address = await connect_first(hop_host, hop_port, timeout, timings)
    if proxy is None:
        return OpenedPath(sock, address, None, timings)
    try:
        tunnel = await open_tunnel(sock, target, proxy, timeout)
    except BaseException:
        sock.close()
        raise
    if tunnel.status != 200:
        sock.close()
        raise ProxyRefused(tunnel)
    timings["proxy_connect_ms"] = tunnel.elapsed_ms
    return OpenedPath(sock, address, _proxy_url(ctx), timings, tunnel)


def _proxy_url(ctx: CheckContext) -> str | None:
    return websockets_proxy(ctx.target, ctx.settings.environ, ctx.settings.proxy).url


def client_ssl_context(ctx: CheckContext) -> ssl.SSLContext:
    """What a websockets client uses by default, plus --ca-file, or no checks with --insecure."""
    context = ssl.create_default_context()
    if ctx.settings.ca_file:
        context.load_verify_locations(cafile=ctx.settings.ca_file)
    if ctx.settings.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
