"""proxy: which proxy the client would use, and whether it will tunnel to the target.

Decided as python-websockets decides (WSS_PROXY/HTTPS_PROXY/NO_PROXY, never
ALL_PROXY), compared with httpx's choice, then proven with a real CONNECT.
"""

from __future__ import annotations

import importlib.util

from ..context import CheckContext
from ..errors import BadInput
from ..model import CheckResult
from ..net.hop import ProxyEndpoint, Tunnel, connect_tcp, open_tunnel
from ..net.proxy import ProxyChoice, httpx_proxy, websockets_proxy
from ..net.resolve import resolve
from ..plugin import Check, CheckFailed, Details

UNREACHABLE = "proxy.unreachable"
CONNECT_DENIED = "proxy.connect_denied"
AUTH_REQUIRED = "proxy.auth_required"
BAD_CONFIG = "proxy.bad_config"
CLIENTS_DISAGREE = "proxy.clients_disagree"
IDENTIFYING_HEADERS = ("server", "via", "proxy-agent", "x-squid-error", "x-cache")


def choice_evidence(ws: ProxyChoice, http: ProxyChoice, environ: dict[str, str]) -> dict:
    evidence = {
        "websockets_proxy": ws.url or "direct",
        "websockets_source": ws.source,
        "httpx_proxy": http.url or "direct",
        "httpx_source": http.source,
    }
    if environ.get("ALL_PROXY") or environ.get("all_proxy"):
        evidence["note"] = "ALL_PROXY is set; python-websockets ignores it"
    return evidence


class ProxyCheck(Check):
    id = "proxy"
    title = "Proxy settings and CONNECT"
    tags = ("network",)
    causes = (UNREACHABLE, CONNECT_DENIED, AUTH_REQUIRED, BAD_CONFIG, CLIENTS_DISAGREE)

    async def run(self, ctx: CheckContext) -> CheckResult:
        environ = dict(ctx.settings.environ)
        ws = websockets_proxy(ctx.target, environ, ctx.settings.proxy)
        http = httpx_proxy(ctx.target, environ, ctx.settings.proxy)
        evidence = choice_evidence(ws, http, environ)
        ctx.share("proxy.url", ws.url)
        if ws.url is None:
            summary = f"direct: no proxy applies to {ctx.target.host} ({ws.source})"
            return self._compare(ws, http, summary, evidence)
        try:
            proxy = ProxyEndpoint.parse(ws.url)
        except BadInput as exc:
            raise CheckFailed(BAD_CONFIG, f"{ws.source}: {exc}", evidence=evidence) from None
        if proxy.scheme.startswith("socks") and importlib.util.find_spec("python_socks") is None:
            text = f"{ws.source} is a SOCKS proxy, and websockets needs python-socks for it"
            raise CheckFailed(BAD_CONFIG, text, evidence=evidence)
        timeout = ctx.settings.check_timeout_s / 2
        sock, connect_ms = await self._reach(proxy, timeout, evidence)
        measurements = {"proxy_tcp_ms": connect_ms}
        try:
            if not proxy.is_http:
                summary = (
                    f"{proxy.scheme} proxy {proxy.host}:{proxy.port} reachable (tunnel not tested)"
                )
                return self._compare(ws, http, summary, evidence, measurements)
            tunnel = await open_tunnel(sock, ctx.target, proxy, timeout)
        finally:
            sock.close()
        measurements["proxy_connect_ms"] = tunnel.elapsed_ms
        return self._verdict(ctx, ws, http, proxy, tunnel, evidence, measurements)

    async def _reach(self, proxy: ProxyEndpoint, timeout: float, evidence: dict):
        try:
            resolved = await resolve(proxy.host, proxy.port, timeout)
            return await connect_tcp(resolved.addresses[0], proxy.port, timeout)
        except (OSError, TimeoutError, IndexError) as exc:
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            text = f"cannot reach proxy {proxy.host}:{proxy.port} ({detail})"
            raise CheckFailed(UNREACHABLE, text, evidence=evidence) from None

    def _verdict(
        self,
        ctx: CheckContext,
        ws: ProxyChoice,
        http: ProxyChoice,
        proxy: ProxyEndpoint,
        tunnel: Tunnel,
        evidence: dict,
        measurements: dict,
    ) -> CheckResult:
        evidence["connect_status"] = f"{tunnel.status} {tunnel.reason}".strip()
        for header in IDENTIFYING_HEADERS:
            if header in tunnel.headers:
                evidence[f"header_{header.replace('-', '_')}"] = tunnel.headers[header]
        where = f"{proxy.host}:{proxy.port}"
        goal = f"{ctx.target.host}:{ctx.target.port}"
        if tunnel.status == 407:
            has_creds = "credentials were sent" if proxy.username else "no credentials in the URL"
            text = f"proxy {where} wants authentication for CONNECT {goal} (407; {has_creds})"
            raise CheckFailed(AUTH_REQUIRED, text, evidence=evidence, measurements=measurements)
        if tunnel.status != 200:
            text = f"proxy {where} refused CONNECT {goal}: {evidence['connect_status']}"
            raise CheckFailed(CONNECT_DENIED, text, evidence=evidence, measurements=measurements)
        summary = f"CONNECT {goal} through {ws.source} proxy {where}: 200"
        return self._compare(ws, http, summary, evidence, measurements)

    def _compare(
        self,
        ws: ProxyChoice,
        http: ProxyChoice,
        summary: str,
        evidence: dict,
        measurements: dict | None = None,
    ) -> CheckResult:
        details: Details = {"evidence": evidence, "measurements": measurements or {}}
        if ws.url != http.url:
            text = (
                f"{summary}; but httpx (REST, deepgram-sdk) would use {http.url or 'no proxy'} "
                f"({http.source}) while websockets uses {ws.url or 'no proxy'}"
            )
            return self.warned(text, CLIENTS_DISAGREE, **details)
        return self.passed(summary, **details)


check = ProxyCheck()
