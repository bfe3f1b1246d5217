"""HTTP requests on the route: the proxy, trust and deadlines every other step of a run uses.

deepgram-sdk makes its REST calls with httpx, so wsdoctor's do too (the rest check's,
and any plugin's through `CheckContext.http()`), configured once from the Route:
the proxy httpx would pick for the target, handed over explicitly with `trust_env=False`;
certifi's store plus `--ca-file` (nothing verified with `--insecure`), for the target and
for an https:// proxy's own certificate; and a deadline per phase. Every failure leaves
as a NetError, so a rejected certificate reads as one and not as "no route to the host".

This module imports httpx: import it where a request is made, never at start-up.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping

import httpx

from .errors import NotApplicable, ProxyMisconfigured, boundary
from .route import Route, Timeouts

PHASE = "http"


def httpx_verify(route: Route) -> ssl.SSLContext | bool:
    """The trust httpx checks the target with: certifi's store (as httpx's default) plus
    --ca-file; False with --insecure."""
    if route.insecure:
        return False
    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    if route.ca_file:
        context.load_verify_locations(cafile=route.ca_file)
    return context


def httpx_proxy_for(route: Route) -> httpx.Proxy | str | None:
    """The proxy as httpx is handed it; an https:// proxy's certificate gets --ca-file too."""
    url = route.httpx_choice.url
    if url is None or not url.lower().startswith("https://"):
        return url
    verify = httpx_verify(route)
    if isinstance(verify, ssl.SSLContext):
        return httpx.Proxy(url, ssl_context=verify)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # --insecure
    return httpx.Proxy(url, ssl_context=context)


def http_timeout(timeouts: Timeouts) -> httpx.Timeout:
    """httpx's phases from the route's. httpx counts TCP, the proxy's CONNECT and TLS as one
    `connect` phase, so it gets the longest of those; sending and waiting for the answer
    get a step's share too, so a stalled server is a timeout before the check's deadline."""
    connect = max(timeouts.connect, timeouts.proxy, timeouts.tls)
    step = timeouts.connect
    return httpx.Timeout(connect=connect, read=step, write=step, pool=step)


class BoundaryStream(httpx.AsyncByteStream):
    """A response body whose reads, like the request, let only NetErrors out."""

    def __init__(self, inner: httpx.AsyncByteStream, phase: str) -> None:
        self._inner, self._phase = inner, phase

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with boundary(self._phase):
            async for chunk in self._inner:
                yield chunk

    async def aclose(self) -> None:
        with boundary(self._phase):
            await self._inner.aclose()


class BoundaryTransport(httpx.AsyncBaseTransport):
    """httpx's own transport behind the network boundary: a library error never reaches
    the caller, whether it is raised by the request or by reading the body later."""

    def __init__(self, inner: httpx.AsyncBaseTransport, phase: str) -> None:
        self._inner, self._phase = inner, phase

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with boundary(self._phase):
            response = await self._inner.handle_async_request(request)
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = BoundaryStream(response.stream, self._phase)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def http_client(
    route: Route,
    *,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    phase: str = PHASE,
) -> httpx.AsyncClient:
    """An httpx client for the target's REST host (its `base_url` by default) that takes
    the route. Raises ProxyMisconfigured for a proxy setting httpx cannot use, and
    NotApplicable for a SOCKS proxy without httpx's socks extra (a limit of this install)."""
    if route.httpx_problem is not None:
        problem = f"httpx cannot use its proxy setting: {route.httpx_problem}"
        raise ProxyMisconfigured(problem, phase="proxy")
    try:
        transport = httpx.AsyncHTTPTransport(
            verify=httpx_verify(route), proxy=httpx_proxy_for(route), trust_env=False
        )
    except ImportError as exc:  # socks5:// without `pip install 'httpx[socks]'`
        source = route.httpx_choice.source
        raise NotApplicable(f"httpx cannot use the proxy {source}: {exc}", phase="proxy") from exc
    return httpx.AsyncClient(
        transport=BoundaryTransport(transport, phase),
        base_url=route.target.http_base if base_url is None else base_url,
        headers=dict(headers or {}),
        follow_redirects=follow_redirects,
        timeout=http_timeout(route.timeouts),
        trust_env=False,
    )
