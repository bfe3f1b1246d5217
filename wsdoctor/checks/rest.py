"""rest: is Deepgram's REST API reachable with this key, so the article's fallback is open?

Uses httpx the way deepgram-sdk's REST calls do, including httpx's own reading of
proxy variables (which, unlike websockets, honours ALL_PROXY).
"""

from __future__ import annotations

import ssl
import time
from typing import TYPE_CHECKING

from ..context import CheckContext
from ..model import CheckResult
from ..net.route import Route
from ..plugin import Check, Details
from ..redact import cut_unsplit

if TYPE_CHECKING:
    import httpx

UNREACHABLE = "rest.unreachable"
UNAUTHORIZED = "rest.unauthorized"
KEY_CHECK_PATH = "/v1/projects"
BODY_PREVIEW = 200
BAD_PROXY = "rest.bad_proxy"


def httpx_verify(route: Route) -> ssl.SSLContext | bool:
    if route.insecure:
        return False
    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    if route.ca_file:
        context.load_verify_locations(cafile=route.ca_file)
    return context


def httpx_proxy_for(route: Route) -> httpx.Proxy | str | None:
    """The proxy as httpx is handed it; an https:// proxy's certificate gets --ca-file too."""
    import httpx

    url = route.httpx_choice.url
    if url is None or not url.lower().startswith("https://"):
        return url
    verify = httpx_verify(route)
    if isinstance(verify, ssl.SSLContext):
        return httpx.Proxy(url, ssl_context=verify)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # --insecure
    return httpx.Proxy(url, ssl_context=context)


class RestCheck(Check):
    id = "rest"
    title = "REST API fallback"
    depends_on = ("dns", "proxy")
    tags = ("network",)
    causes = (UNREACHABLE, UNAUTHORIZED, BAD_PROXY)

    async def run(self, ctx: CheckContext) -> CheckResult:
        import httpx

        route = ctx.route
        url = route.target.http_base + KEY_CHECK_PATH
        key = ctx.api_key.reveal()
        headers = {"Authorization": f"Token {key}"} if key else {}
        if route.httpx_problem is not None:  # httpx would refuse it before any traffic
            text = f"httpx (REST, deepgram-sdk) cannot use its proxy setting: {route.httpx_problem}"
            return self.failed(BAD_PROXY, text)
        proxy = httpx_proxy_for(route)  # decided once, as httpx itself would (trust_env off)
        started = time.monotonic()
        try:
            async with httpx.AsyncClient(
                verify=httpx_verify(route),
                proxy=proxy,
                trust_env=False,
                timeout=httpx.Timeout(route.timeouts.connect),
            ) as client:
                response = await client.get(url, headers=headers)
        except ImportError as exc:  # e.g. a socks:// proxy without httpx's socks extra
            text = f"httpx cannot use the proxy {route.httpx_choice.source}: {exc}"
            return self.failed(UNREACHABLE, text)
        except httpx.HTTPError as exc:
            text = f"GET {KEY_CHECK_PATH} failed: {type(exc).__name__}: {exc}"
            return self.failed(UNREACHABLE, text)
        elapsed = round((time.monotonic() - started) * 1000, 2)
        evidence = {
            "status": response.status_code,
            "dg_request_id": response.headers.get("dg-request-id", ""),
            # Redact, then cut: a cut first could leave a key's prefix behind.
            "body_start": ctx.redactor.text(cut_unsplit(response.text, BODY_PREVIEW * 4))[
                :BODY_PREVIEW
            ],
        }
        details: Details = {"measurements": {"request_ms": elapsed}, "evidence": evidence}
        return self._verdict(response.status_code, bool(key), details)

    def _verdict(self, status: int, has_key: bool, details: Details) -> CheckResult:
        if status == 200:
            return self.passed(
                "REST API reachable and the key is accepted: the REST fallback is available",
                **details,
            )
        if status in (401, 403) and not has_key:
            return self.passed(
                f"REST API reachable ({status} without a key); give --api-key to check the key",
                **details,
            )
        if status in (401, 403):
            return self.failed(UNAUTHORIZED, f"REST API rejects the key ({status})", **details)
        return self.failed(UNREACHABLE, f"GET {KEY_CHECK_PATH} answered {status}", **details)


check = RestCheck()
