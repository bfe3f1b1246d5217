"""handshake: does the WebSocket upgrade succeed, with this key, over this path?

Without a key the check still runs: Deepgram's own 401 (with a dg-request-id)
proves the whole path up to Deepgram works. Any other non-101 answer without
Deepgram's headers comes from something in between that did not pass the upgrade.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..audio.pcm import silence
from ..context import CheckContext, Settings
from ..deepgram import messages
from ..deepgram.profiles import PROFILES
from ..model import CheckResult, Phase
from ..net.errors import TimedOut, UpgradeRefused, UpgradeRejected
from ..net.session import LiveSession
from ..plugin import Check
from ..redact import cut_unsplit

UNAUTHORIZED = "handshake.unauthorized"
BAD_REQUEST = "handshake.bad_request"
UPGRADE_REJECTED = "handshake.upgrade_rejected"
WRONG_PATH = "handshake.wrong_path"
RATE_LIMITED = "handshake.rate_limited"
TIMEOUT = "handshake.timeout"
SLOW = "handshake.slow"
SERVER_ERROR = "handshake.server_error"
GATEWAY_ERROR = "handshake.gateway_error"
INTERMEDIARY_REFUSED = "handshake.intermediary_refused"
# Headers gateways and proxies put their own error text in.
GATEWAY_ERROR_HEADERS = ("x-squid-error", "x-amzn-errortype", "x-envoy-response-flags", "x-error")
BODY_PREVIEW = 300
UPGRADED = "handshake.upgraded"  # fact: False when the path works but no stream could open
FIRST_FRAME_WAIT_S = 3.0
# (timing recorded by the session, label), in the order the phases happen.
PHASES = (
    ("dns_ms", "DNS"),
    ("tcp_ms", "TCP"),
    ("proxy_connect_ms", "Proxy CONNECT"),
    ("tls_ms", "TLS"),
    ("upgrade_ms", "Upgrade (101)"),
    ("first_frame_ms", "First server frame"),
)


def phases(timings_ms: Mapping[str, float]) -> tuple[Phase, ...]:
    return tuple(Phase(label, timings_ms[key]) for key, label in PHASES if key in timings_ms)


def slowest(timings_ms: Mapping[str, float]) -> str:
    """The phase of opening a stream that took longest, as a clause for a summary."""
    opening = [p for p in phases(timings_ms) if p.label != "First server frame"]
    if not opening:
        return ""
    worst = max(opening, key=lambda phase: phase.ms)
    return f"; slowest phase: {worst.label} {worst.ms:.0f} ms"


def rejection(
    status: int, headers: Mapping[str, str], body: bytes, has_key: bool, path: str = ""
) -> tuple[str | None, str]:
    """(cause or None, summary) for a non-101 answer; cause None means the path is proven."""
    from_deepgram = "dg-request-id" in headers or "dg-error" in headers
    dg_error = headers.get("dg-error", "")
    detail = f": {dg_error}" if dg_error else ""
    if status in (401, 403) and from_deepgram and not has_key:
        return None, (
            f"no API key: the server answered {status} with a dg-request-id, so the whole path "
            "up to Deepgram works; give --api-key to check the key"
        )
    if status in (401, 403) and from_deepgram:
        return UNAUTHORIZED, f"the key was rejected ({status}{detail})"
    if status == 429:
        return RATE_LIMITED, f"too many concurrent streams (429{detail})"
    if status == 400 and from_deepgram:
        return BAD_REQUEST, f"stream parameters rejected (400{detail})"
    if status in (404, 405) and from_deepgram:
        apis = " and ".join(f"{p.path} ({p.name})" for p in PROFILES)
        return WRONG_PATH, (
            f"the server is Deepgram's (it sent a dg-request-id) but serves no live stream at "
            f"{path or 'this path'} (HTTP {status}): its live APIs are {apis}"
        )
    if status >= 500 and from_deepgram:
        return SERVER_ERROR, f"server error ({status}{detail})"
    return _intermediary(status, headers, body)


def _intermediary(status: int, headers: Mapping[str, str], body: bytes) -> tuple[str, str]:
    """An answer without Deepgram's headers came from something in between: which kind?"""
    who = f"an intermediary ({headers['server']})" if "server" in headers else "an intermediary"
    error = next((headers[h] for h in GATEWAY_ERROR_HEADERS if h in headers), "")
    said = f"; it says: {error}" if error else ""
    if status in (502, 503, 504):
        text = f"{who} is up but cannot reach the server behind it: HTTP {status}{said}"
        return GATEWAY_ERROR, text
    if status in (401, 403, 407):
        return INTERMEDIARY_REFUSED, f"{who} refused the connection: HTTP {status}{said}"
    start = cut_unsplit(body[:400].decode("utf-8", "replace"), 80).strip()
    return UPGRADE_REJECTED, f"upgrade answered with HTTP {status}, not 101: {start!r}"


class HandshakeCheck(Check):
    id = "handshake"
    title = "WebSocket upgrade and authentication"
    depends_on = ("tls",)
    tags = ("network",)
    causes = (
        UNAUTHORIZED,
        BAD_REQUEST,
        UPGRADE_REJECTED,
        WRONG_PATH,
        RATE_LIMITED,
        TIMEOUT,
        SERVER_ERROR,
        GATEWAY_ERROR,
        INTERMEDIARY_REFUSED,
        SLOW,
    )
    provides = (UPGRADED,)

    def deadline_s(self, settings: Settings) -> float:
        return settings.check_timeout_s + FIRST_FRAME_WAIT_S + 1

    async def run(self, ctx: CheckContext) -> CheckResult:
        session = LiveSession(ctx.route, ctx.api_key, close_timeout=2)
        try:
            await session.open()
        except UpgradeRefused as refused:
            return self._refused(ctx, refused, session)
        except UpgradeRejected as exc:
            return self.failed(UPGRADE_REJECTED, str(exc))
        except TimedOut as exc:
            if exc.phase != "upgrade":
                raise
            return self.failed(TIMEOUT, "no answer to the upgrade request in time")
        ctx.share(UPGRADED, True)
        try:
            await self._first_frame(session)
        finally:
            await session.abort()
        evidence = self._evidence(session.headers)
        rid = evidence.get("dg_request_id", "none")
        to_101 = sum(v for k, v in session.timings_ms.items() if k != "first_frame_ms")
        summary = f"101 Switching Protocols in {to_101:.0f} ms (dg-request-id {rid})"
        threshold_ms = ctx.settings.slow_handshake_s * 1000
        measurements = {**session.timings_ms, "to_101_ms": round(to_101, 2)}
        measurements["slow_threshold_ms"] = threshold_ms
        details = {
            "measurements": measurements,
            "evidence": evidence,
            "phases": phases(session.timings_ms),
        }
        if to_101 > threshold_ms:
            text = f"{summary}: slower than {threshold_ms:.0f} ms{slowest(session.timings_ms)}"
            return self.warned(SLOW, text, **details)
        return self.passed(summary, **details)

    async def _first_frame(self, session: LiveSession) -> None:
        """Time the server's first answer. Flux sends Connected unasked; on /v1/listen a
        moment of silence and Finalize make Deepgram answer at once, and the close goes out
        right behind them, so the answer and the close echo share one round trip and the
        check costs little more than a bare connect and close."""
        if session.profile.connected_message is not None:
            await session.first_message(FIRST_FRAME_WAIT_S)
        elif session.audio.fmt is not None:  # else an encoding wsdoctor cannot produce
            await session.send_audio(silence(0.1), realtime=False)
            await session.send_control(messages.FINALIZE)
        await session.close()

    def _refused(
        self, ctx: CheckContext, refused: UpgradeRefused, session: LiveSession
    ) -> CheckResult:
        headers, body = refused.headers, refused.body
        has_key, path = bool(ctx.api_key), ctx.target.path
        cause, summary = rejection(refused.status, headers, body, has_key, path)
        evidence = self._evidence(headers)
        evidence["status"] = refused.status
        # Redact, then cut; the read's own cut drops the token it split, which could be a
        # key's prefix that redaction no longer recognises.
        raw = cut_unsplit(body.decode("utf-8", "replace"), BODY_PREVIEW * 4)
        text = ctx.redactor.text(raw)
        evidence["body_start"] = text[:BODY_PREVIEW]
        ctx.share(UPGRADED, False)
        details = {
            "measurements": session.timings_ms,
            "evidence": evidence,
            "phases": phases(session.timings_ms),
        }
        if cause is None:
            return self.passed(summary, **details)
        return self.failed(cause, summary, **details)

    def _evidence(self, headers: Mapping[str, str]) -> dict[str, str | int]:
        evidence: dict[str, str | int] = {}
        for name in ("dg-request-id", "dg-error", "dg-project-id", "server", "via"):
            if name in headers:
                evidence[name.replace("-", "_")] = headers[name]
        return evidence


check = HandshakeCheck()
