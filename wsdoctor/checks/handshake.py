"""handshake: does the WebSocket upgrade succeed, with this key, over this path?

Without a key the check still runs: Deepgram's own 401 (with a dg-request-id)
proves the whole path up to Deepgram works. Any other non-101 answer without
Deepgram's headers comes from something in between that did not pass the upgrade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..context import CheckContext, Settings
from ..model import CheckResult
from ..net.audio import silence
from ..net.session import LiveSession
from ..plugin import Check, CheckFailed

if TYPE_CHECKING:
    from websockets.http11 import Response

UNAUTHORIZED = "handshake.unauthorized"
BAD_REQUEST = "handshake.bad_request"
UPGRADE_REJECTED = "handshake.upgrade_rejected"
RATE_LIMITED = "handshake.rate_limited"
TIMEOUT = "handshake.timeout"
SERVER_ERROR = "handshake.server_error"
BODY_PREVIEW = 300
UPGRADED = "handshake.upgraded"  # fact: False when the path works but no stream could open
FIRST_FRAME_WAIT_S = 3.0


def rejection(status: int, headers: dict[str, str], body: bytes, has_key: bool) -> tuple:
    """(cause or None, summary) for a non-101 answer; cause None means the path is proven."""
    from_deepgram = "dg-request-id" in headers or "dg-error" in headers
    dg_error = headers.get("dg-error", "")
    detail = f": {dg_error}" if dg_error else ""
    if status in (401, 403) and from_deepgram and not has_key:
        return None, (
            f"no API key: the server answered {status} with a dg-request-id, so the whole path "
            "up to Deepgram works; give --api-key to check the key"
        )
    if status in (401, 403):
        return UNAUTHORIZED, f"the key was rejected ({status}{detail})"
    if status == 429:
        return RATE_LIMITED, f"too many concurrent streams (429{detail})"
    if status == 400 and from_deepgram:
        return BAD_REQUEST, f"stream parameters rejected (400{detail})"
    if status >= 500 and from_deepgram:
        return SERVER_ERROR, f"server error ({status}{detail})"
    start = body[:80].decode("utf-8", "replace").strip()
    return UPGRADE_REJECTED, f"upgrade answered with HTTP {status}, not 101: {start!r}"


class HandshakeCheck(Check):
    id = "handshake"
    title = "WebSocket upgrade and authentication"
    depends_on = ("tls",)
    tags = ("network",)
    causes = (UNAUTHORIZED, BAD_REQUEST, UPGRADE_REJECTED, RATE_LIMITED, TIMEOUT, SERVER_ERROR)

    def deadline_s(self, settings: Settings) -> float:
        return settings.check_timeout_s + FIRST_FRAME_WAIT_S + 1

    async def run(self, ctx: CheckContext) -> CheckResult:
        from websockets.exceptions import InvalidMessage, InvalidStatus

        session = LiveSession(ctx, close_timeout=2)
        try:
            await session.open()
        except InvalidStatus as exc:
            return self._refused(ctx, exc.response, session)
        except InvalidMessage as exc:
            text = f"the answer to the upgrade is not valid HTTP ({exc.__cause__ or exc})"
            raise CheckFailed(UPGRADE_REJECTED, text) from None
        except TimeoutError:
            raise CheckFailed(TIMEOUT, "no answer to the upgrade request in time") from None
        ctx.share(UPGRADED, True)
        try:
            await self._first_frame(session)
        finally:
            await session.abort()
        evidence = self._evidence(session.headers)
        rid = evidence.get("dg_request_id", "none")
        to_101 = sum(v for k, v in session.timings_ms.items() if k != "first_frame_ms")
        summary = f"101 Switching Protocols in {to_101:.0f} ms (dg-request-id {rid})"
        return self.passed(summary, measurements=session.timings_ms, evidence=evidence)

    async def _first_frame(self, session: LiveSession) -> None:
        """A moment of silence and Finalize make Deepgram answer at once: time that answer.

        The close goes out right behind them, so the answer and the close echo share
        one round trip and the check costs little more than a bare connect and close.
        """
        await session.send_audio(silence(0.1), realtime=False)
        await session.send_control("Finalize")
        await session.close()

    def _refused(self, ctx: CheckContext, response: Response, session: LiveSession) -> CheckResult:
        headers = {k.lower(): v for k, v in response.headers.raw_items()}
        body = bytes(response.body or b"")
        cause, summary = rejection(response.status_code, headers, body, bool(ctx.api_key))
        evidence = self._evidence(headers)
        evidence["status"] = response.status_code
        evidence["body_start"] = body[:BODY_PREVIEW].decode("utf-8", "replace")
        ctx.share(UPGRADED, False)
        if cause is None:
            return self.passed(summary, measurements=session.timings_ms, evidence=evidence)
        raise CheckFailed(cause, summary, measurements=session.timings_ms, evidence=evidence)

    def _evidence(self, headers: dict[str, str]) -> dict[str, str | int]:
        evidence: dict[str, str | int] = {}
        for name in ("dg-request-id", "dg-error", "dg-project-id", "server", "via"):
            if name in headers:
                evidence[name.replace("-", "_")] = headers[name]
        return evidence


check = HandshakeCheck()
