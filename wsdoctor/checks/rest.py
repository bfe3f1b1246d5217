"""rest: is Deepgram's REST API reachable with this key, so the article's fallback is open?

Uses httpx the way deepgram-sdk's REST calls do, including httpx's own reading of
proxy variables (which, unlike websockets, honours ALL_PROXY).
"""

from __future__ import annotations

import time

from ..context import CheckContext
from ..deepgram.auth import authorization
from ..model import CheckResult
from ..net.errors import NetError, NotApplicable
from ..plugin import Check, Details
from ..redact import cut_unsplit

UNREACHABLE = "rest.unreachable"
UNAUTHORIZED = "rest.unauthorized"
KEY_CHECK_PATH = "/v1/projects"
BODY_PREVIEW = 200
BAD_PROXY = "rest.bad_proxy"


class RestCheck(Check):
    id = "rest"
    title = "REST API fallback"
    depends_on = ("dns", "proxy")
    tags = ("network",)
    causes = (UNREACHABLE, UNAUTHORIZED, BAD_PROXY)

    async def run(self, ctx: CheckContext) -> CheckResult:
        route = ctx.route
        headers = authorization(ctx.api_key.reveal())
        if route.httpx_problem is not None:  # httpx would refuse it before any traffic
            text = f"httpx (REST, deepgram-sdk) cannot use its proxy setting: {route.httpx_problem}"
            return self.failed(BAD_PROXY, text)
        started = time.monotonic()
        try:  # the proxy and trust are decided once, as httpx itself would (trust_env off)
            async with ctx.http(headers=headers) as client:
                response = await client.get(KEY_CHECK_PATH)
        except NotApplicable as exc:  # a socks:// proxy without httpx's socks extra: the SDK too
            return self.failed(UNREACHABLE, str(exc))
        except NetError as exc:  # every failure to get an answer is the fallback's failure
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
        return self._verdict(response.status_code, bool(ctx.api_key), details)

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
