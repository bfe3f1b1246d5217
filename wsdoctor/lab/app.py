"""The lab's aiohttp application: the handshake and REST side of Deepgram's /v1 API.

Handshake faults are decided here, before the upgrade; everything after the
101 belongs to stream.LiveStream.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ..net.audio import SAMPLE_WIDTH, AudioFormat, parse_wav
from . import messages
from .faults import Faults
from .record import ClientRecord
from .stream import HOSTILE_TEXT, LiveStream

OVERSIZED_HEADER_BYTES = 70_000
CLOSE_TIMEOUT_S = 5.0
MAX_FRAME_BYTES = 8 * 1024 * 1024


@dataclass
class LabConfig:
    idle_timeout: float = 10.0
    accepted_key: str | None = None  # None: any non-empty key
    faults: Faults = field(default_factory=Faults)
    on_record: Callable[[ClientRecord], None] | None = None


class HandshakeRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def presented_key(request: web.Request) -> tuple[str, str | None]:
    """How the client authenticated, and with what: header Token/Bearer, or the subprotocol."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return scheme.lower(), value.strip()
    protocols = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    if len(protocols) >= 2 and protocols[0].lower() in ("token", "bearer") and protocols[1]:
        return "subprotocol", protocols[1]
    return "none", None


def stream_format(query: Any) -> AudioFormat | None:
    """The raw-audio format from the query, or None for container audio; 400 if inconsistent."""
    encoding = query.get("encoding")
    if encoding is None:
        return None
    if encoding not in SAMPLE_WIDTH:
        known = ", ".join(SAMPLE_WIDTH)
        raise HandshakeRefused(400, "Bad Request", f"The lab supports encoding {known}.")
    try:
        sample_rate = int(query["sample_rate"])
        channels = int(query.get("channels", "1"))
    except KeyError:
        raise HandshakeRefused(
            400, "Bad Request", "sample_rate must be set when encoding is set."
        ) from None
    except ValueError:
        raise HandshakeRefused(
            400, "Bad Request", "sample_rate and channels must be integers."
        ) from None
    if sample_rate <= 0 or not 1 <= channels <= 16:
        raise HandshakeRefused(400, "Bad Request", "sample_rate or channels out of range.")
    return AudioFormat(encoding, sample_rate, channels)


class Lab:
    """Holds configuration and the records of every connection it served."""

    def __init__(self, config: LabConfig) -> None:
        self.config = config
        self.records: list[ClientRecord] = []

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/v1/listen", self.live)
        app.router.add_post("/v1/listen", self.prerecorded)
        app.router.add_get("/v1/projects", self.projects)
        app.router.add_get("/v1/auth/token", self.token)
        return app

    # ------------------------------------------------------------------ helpers

    def _authorize(self, request: web.Request) -> tuple[str, str | None]:
        method, key = presented_key(request)
        faults = self.config.faults
        wrong = self.config.accepted_key is not None and key != self.config.accepted_key
        if key is None or wrong or "auth" in faults:
            raise HandshakeRefused(401, "INVALID_AUTH", "Invalid credentials.")
        return method, key

    def _error(self, refused: HandshakeRefused, rid: str) -> web.Response:
        message = refused.message
        if "hostile" in self.config.faults:
            message = f"{message} {HOSTILE_TEXT}"
        body = messages.error_body(refused.code, message, rid)
        headers = {"dg-request-id": rid, "dg-error": message}
        return web.json_response(body, status=refused.status, headers=headers)

    def _headers(self, rid: str) -> dict[str, str]:
        hostile = self.config.faults.value("hostile")
        headers = {"dg-request-id": rid}
        if hostile:
            headers["dg-request-id"] = f"{rid} {HOSTILE_TEXT}"
        if hostile == "headers":
            headers["x-lab-oversized"] = "A" * OVERSIZED_HEADER_BYTES
        return headers

    def _finish(self, record: ClientRecord) -> None:
        self.records.append(record)
        if self.config.on_record is not None:
            self.config.on_record(record)

    # ------------------------------------------------------------------ live

    async def live(self, request: web.Request) -> web.StreamResponse:
        faults = self.config.faults
        rid = str(uuid.uuid4())
        method, _ = presented_key(request)
        record = ClientRecord(
            rid, request.path, request.query_string, method, faults=faults.describe()
        )
        delay = faults.seconds("slow-handshake")
        if delay:
            await asyncio.sleep(delay)
        if "upgrade-stripped" in faults:
            record.status = 200
            self._finish(record)
            return web.Response(text=UPGRADE_STRIPPED_PAGE, content_type="text/html")
        try:
            self._authorize(request)
            fmt = self._check_handshake(request)
        except HandshakeRefused as refused:
            record.status = refused.status
            self._finish(record)
            return self._error(refused, rid)
        ws = web.WebSocketResponse(
            protocols=("token", "bearer"),
            autoclose="no-close-reply" not in faults,
            autoping=False,
            timeout=CLOSE_TIMEOUT_S,
            max_msg_size=MAX_FRAME_BYTES,
        )
        ws.headers.update(self._headers(rid))
        await ws.prepare(request)
        try:
            await LiveStream(request, ws, record, self.config, fmt).run()
        finally:
            self._finish(record)
        return ws

    def _check_handshake(self, request: web.Request) -> AudioFormat | None:
        faults = self.config.faults
        if "rate-limit" in faults:
            raise HandshakeRefused(
                429, "TOO_MANY_REQUESTS", "Too many requests. Please try again later."
            )
        if "bad-request" in faults:
            raise HandshakeRefused(
                400, "Bad Request", "No such model/language/tier combination found."
            )
        if not web.WebSocketResponse(protocols=("token", "bearer")).can_prepare(request).ok:
            raise HandshakeRefused(426, "Upgrade Required", "Expected a WebSocket upgrade.")
        return stream_format(request.query)

    # ------------------------------------------------------------------ REST

    async def prerecorded(self, request: web.Request) -> web.Response:
        rid = str(uuid.uuid4())
        try:
            self._authorize(request)
            duration, channels, speech = await self._read_recording(request)
        except HandshakeRefused as refused:
            return self._error(refused, rid)
        body = messages.prerecorded(rid, duration, channels, speech)
        return web.json_response(body, headers={"dg-request-id": rid})

    async def _read_recording(self, request: web.Request) -> tuple[float, int, bool]:
        body = await request.read()
        if request.content_type == "application/json":
            try:
                url = json.loads(body)["url"]
            except (ValueError, KeyError, TypeError):
                raise HandshakeRefused(
                    400, "Bad Request", "Expected a JSON body with a url."
                ) from None
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise HandshakeRefused(400, "Bad Request", "The url must be http(s).")
            return 3.0, 1, True  # the lab fetches nothing: a fixed 3 s recording
        fmt, header = stream_format(request.query), 0
        if fmt is None:
            parsed = parse_wav(body)
            if parsed is None:
                raise HandshakeRefused(
                    400,
                    "Bad Request",
                    "Bad Request: failed to process audio: corrupt or unsupported data",
                )
            fmt, header = parsed
        audio = body[header:]
        return fmt.seconds(len(audio)), fmt.channels, any(audio)

    async def projects(self, request: web.Request) -> web.Response:
        rid = str(uuid.uuid4())
        try:
            self._authorize(request)
        except HandshakeRefused as refused:
            return self._error(refused, rid)
        body = {
            "projects": [
                {"project_id": "00000000-0000-4000-8000-000000000001", "name": "wsdoctor lab"}
            ]
        }
        return web.json_response(body, headers={"dg-request-id": rid})

    async def token(self, request: web.Request) -> web.Response:
        rid = str(uuid.uuid4())
        try:
            method, _ = self._authorize(request)
        except HandshakeRefused as refused:
            return self._error(refused, rid)
        body = {"accessor": "wsdoctor-lab", "scopes": ["usage:write"], "auth": method}
        return web.json_response(body, headers={"dg-request-id": rid})


UPGRADE_STRIPPED_PAGE = (
    "<!doctype html><html><head><title>Gateway</title></head><body>"
    "<h1>Welcome</h1><p>This page is served by a gateway that removed the Upgrade header.</p>"
    "</body></html>"
)
