"""proxy: which proxy the client would use, and whether it will tunnel to the target.

Decided as python-websockets decides (WSS_PROXY/HTTPS_PROXY/NO_PROXY, never
ALL_PROXY), compared with httpx's choice, then proven with a real CONNECT.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
from collections.abc import Mapping

from ..context import CheckContext
from ..model import CheckResult
from ..net.errors import CertificateRejected, NetError, boundary
from ..net.hop import Tunnel, connect_tcp, open_tunnel
from ..net.resolve import resolve
from ..net.route import ProxyEndpoint, Route
from ..plugin import Check, Details

UNREACHABLE = "proxy.unreachable"
CONNECT_DENIED = "proxy.connect_denied"
AUTH_REQUIRED = "proxy.auth_required"
UPSTREAM_FAILED = "proxy.upstream_failed"
BAD_CONFIG = "proxy.bad_config"
CLIENTS_DISAGREE = "proxy.clients_disagree"
UNTRUSTED_CERTIFICATE = "proxy.untrusted_certificate"
IDENTIFYING_HEADERS = ("server", "via", "proxy-agent", "x-squid-error", "x-cache")


def choice_evidence(route: Route, environ: Mapping[str, str]) -> dict[str, str]:
    ws, http = route.websockets_choice, route.httpx_choice
    evidence = {
        "websockets_proxy": ws.url or "direct",
        "websockets_source": ws.source,
        "httpx_proxy": http.url or "direct",
        "httpx_source": http.source,
    }
    if environ.get("ALL_PROXY") or environ.get("all_proxy"):
        evidence["note"] = "ALL_PROXY is set; python-websockets ignores it"
    return evidence


def refusal_cause(status: int) -> str:
    if status == 407:
        return AUTH_REQUIRED
    if 500 <= status <= 599:  # 502/503/504, and tinyproxy's "500 Unable to connect"
        return UPSTREAM_FAILED
    return CONNECT_DENIED


async def proxy_tls(sock: socket.socket, route: Route, proxy: ProxyEndpoint) -> None:
    """The TLS handshake a client makes with an https:// proxy, with the same trust
    (--ca-file included). Takes the socket over; raises NetError on failure."""
    context = route.proxy_ssl_context()
    timeout = route.timeouts.proxy
    try:
        with boundary("proxy"):
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    sock=sock,
                    ssl=context,
                    server_hostname=proxy.host,
                    ssl_handshake_timeout=timeout,
                ),
                timeout,
            )
    except BaseException:
        sock.close()
        raise
    writer.transport.abort()


class ProxyCheck(Check):
    id = "proxy"
    title = "Proxy settings and CONNECT"
    tags = ("network",)
    causes = (
        UNREACHABLE,
        CONNECT_DENIED,
        AUTH_REQUIRED,
        UPSTREAM_FAILED,
        BAD_CONFIG,
        CLIENTS_DISAGREE,
        UNTRUSTED_CERTIFICATE,
    )

    async def run(self, ctx: CheckContext) -> CheckResult:
        route = ctx.route
        ws = route.websockets_choice
        evidence = choice_evidence(route, ctx.settings.environ)
        if route.proxy_problem is not None:
            return self.failed(BAD_CONFIG, route.proxy_problem, evidence=evidence)
        proxy = route.proxy
        if proxy is None:
            summary = f"direct: no proxy applies to {ctx.target.host} ({ws.source})"
            return self._compare(route, summary, {"evidence": evidence})
        if proxy.scheme.startswith("socks") and importlib.util.find_spec("python_socks") is None:
            text = (
                f"{ws.source} is a SOCKS proxy, and websockets needs python-socks for it "
                "(pip install python-socks)"
            )
            return self.failed(BAD_CONFIG, text, evidence=evidence)
        timeout = route.timeouts.proxy
        try:
            resolved = await resolve(proxy.host, proxy.port, timeout)
            sock, connect_ms = await connect_tcp(resolved.addresses[0], proxy.port, timeout)
        except NetError as exc:
            text = f"cannot reach proxy {proxy.address} ({exc})"
            return self.failed(UNREACHABLE, text, evidence=evidence)
        measurements = {"proxy_tcp_ms": connect_ms}
        if proxy.scheme == "https":
            try:
                await proxy_tls(sock, route, proxy)
            except NetError as exc:
                cause = (
                    UNTRUSTED_CERTIFICATE if isinstance(exc, CertificateRejected) else UNREACHABLE
                )
                text = f"TLS to the https:// proxy {proxy.address} failed: {exc}"
                return self.failed(cause, text, evidence=evidence, measurements=measurements)
            summary = f"https proxy {proxy.address}: its certificate verifies (tunnel not tested)"
            return self._compare(
                route, summary, {"evidence": evidence, "measurements": measurements}
            )
        try:
            if not proxy.is_http:
                summary = f"{proxy.scheme} proxy {proxy.address} reachable (tunnel not tested)"
                return self._compare(
                    route, summary, {"evidence": evidence, "measurements": measurements}
                )
            tunnel = await open_tunnel(sock, ctx.target, proxy, timeout)
        finally:
            sock.close()
        measurements["proxy_connect_ms"] = tunnel.elapsed_ms
        details: Details = {"evidence": evidence, "measurements": measurements}
        return self._verdict(route, proxy, tunnel, details)

    def _verdict(
        self, route: Route, proxy: ProxyEndpoint, tunnel: Tunnel, details: Details
    ) -> CheckResult:
        evidence = dict(details.get("evidence", {}))
        evidence["connect_status"] = tunnel.status_line
        for header in IDENTIFYING_HEADERS:
            if header in tunnel.headers:
                evidence[f"header_{header.replace('-', '_')}"] = tunnel.headers[header]
        details["evidence"] = evidence
        goal = route.target.authority
        if tunnel.status == 200:
            source = route.websockets_choice.source
            summary = f"CONNECT {goal} through {source} proxy {proxy.address}: 200"
            return self._compare(route, summary, details)
        cause = refusal_cause(tunnel.status)
        if cause == AUTH_REQUIRED:
            sent = "credentials were sent" if proxy.username else "no credentials in the URL"
            text = f"proxy {proxy.address} wants authentication for CONNECT {goal} (407; {sent})"
        elif cause == UPSTREAM_FAILED:
            text = f"proxy {proxy.address} is up but cannot reach {goal}: {tunnel.status_line}"
        else:
            text = f"proxy {proxy.address} refused CONNECT {goal}: {tunnel.status_line}"
        return self.failed(cause, text, **details)

    def _compare(self, route: Route, summary: str, details: Details) -> CheckResult:
        ws, http = route.websockets_choice, route.httpx_choice
        if ws.url != http.url:
            text = (
                f"{summary}; but httpx (REST, deepgram-sdk) would use {http.url or 'no proxy'} "
                f"({http.source}) while websockets uses {ws.url or 'no proxy'}"
            )
            return self.warned(CLIENTS_DISAGREE, text, **details)
        return self.passed(summary, **details)


check = ProxyCheck()
