"""The lab's HTTP side of Deepgram's /v1 API: the live upgrade and the REST routes.

Everything decided before the 101 (auth, refusals, handshake faults, response
headers) happens here; after the 101 the stream belongs to stream.LiveStream,
run on the socket by wire.Wire.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import deque
from typing import Any

from aiohttp import web

from ..audio.pcm import SAMPLE_WIDTH, AudioFormat, parse_wav
from ..deepgram.auth import presented_key
from ..deepgram.profiles import V1
from ..observe.record import ClientRecord, record_of_upgrade
from . import messages
from .config import LabConfig
from .faults.kinds import Refusal
from .stream import LiveStream
from .wire import serve_stream

CLOSE_TIMEOUT_S = 5.0
MAX_FRAME_BYTES = 8 * 1024 * 1024
DOUBLED_QUERY = (
    "The URL has two query strings ('?' twice): the client added its own query to a URL that "
    "already had one. Give such a client the endpoint without a query."
)
PROJECTS = [{"project_id": "00000000-0000-4000-8000-000000000001", "name": "wsdoctor lab"}]


class HandshakeRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.refusal = Refusal(status, code, message)


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
        self.faults = config.faults
        self.records: deque[ClientRecord] = deque(maxlen=config.records_kept)
        self.open_streams = 0  # upgraded connections whose record is not filed yet
        self.started = time.monotonic()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get(V1.path, self.live)
        app.router.add_post(V1.path, self.prerecorded)
        app.router.add_get("/v1/projects", self.projects)
        app.router.add_get("/v1/auth/token", self.token)
        return app

    # -- helpers -------------------------------------------------------------------

    def _authorize(self, request: web.Request) -> tuple[str, str | None]:
        method, key = presented_key(request.headers)
        if key and self.config.on_key is not None:
            self.config.on_key(key)
        wrong = self.config.accepted_key is not None and key != self.config.accepted_key
        if key is None or wrong or self.faults.rejects_key():
            raise HandshakeRefused(401, "INVALID_AUTH", "Invalid credentials.")
        return method, key

    def _error(self, refused: HandshakeRefused, rid: str) -> web.Response:
        status, code, message = (
            refused.refusal.status,
            refused.refusal.code,
            refused.refusal.message,
        )
        message = self.faults.error_message(message)
        body = messages.error_body(code, message, rid)
        headers = {"dg-request-id": rid, "dg-error": message}
        return web.json_response(body, status=status, headers=headers)

    def _new_record(self, request: web.Request, rid: str) -> ClientRecord:
        return record_of_upgrade(request, rid, self.started, self.faults.describe())

    def _finish(self, record: ClientRecord) -> None:
        self.records.append(record)
        if self.config.on_record is not None:
            self.config.on_record(record)

    # -- live ----------------------------------------------------------------------

    async def live(self, request: web.Request) -> web.StreamResponse:
        rid = str(uuid.uuid4())
        record = self._new_record(request, rid)
        delay = self.faults.handshake_delay()
        if delay:
            await asyncio.sleep(delay)
        page = self.faults.replacement_page()
        if page is not None:
            record.status = 200
            self._finish(record)
            return web.Response(text=page, content_type="text/html")
        try:
            self._authorize(request)
            fmt = self._check_handshake(request)
        except HandshakeRefused as refused:
            record.status = refused.refusal.status
            record.refusal = self.faults.error_message(refused.refusal.message)
            self._finish(record)
            return self._error(refused, rid)
        ws = await self._upgrade(request, rid)
        self.open_streams += 1
        stream = LiveStream(
            record,
            fmt,
            request.query,
            faults=self.faults,
            idle_timeout=self.config.idle_timeout,
            finalize_s=self.config.finalize_s,
        )
        try:
            await serve_stream(ws, request.transport, stream)
        finally:
            self.open_streams -= 1
            self._finish(record)
        return ws

    def _check_handshake(self, request: web.Request) -> AudioFormat | None:
        refusal = self.faults.refusal()
        if refusal is not None:
            raise HandshakeRefused(refusal.status, refusal.code, refusal.message)
        if not web.WebSocketResponse(protocols=("token", "bearer")).can_prepare(request).ok:
            raise HandshakeRefused(426, "Upgrade Required", "Expected a WebSocket upgrade.")
        if "?" in request.query_string:
            raise HandshakeRefused(400, "Bad Request", DOUBLED_QUERY)
        return stream_format(request.query)

    async def _upgrade(self, request: web.Request, rid: str) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(
            protocols=("token", "bearer"),
            autoclose=self.faults.answers_close_frames(),
            autoping=False,
            timeout=CLOSE_TIMEOUT_S,
            max_msg_size=MAX_FRAME_BYTES,
        )
        ws.headers.update(self.faults.response_headers({"dg-request-id": rid}))
        await ws.prepare(request)
        return ws

    # -- REST ----------------------------------------------------------------------

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
        """(seconds, channels, any speech) of an uploaded recording or a URL body."""
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
        return web.json_response({"projects": PROJECTS}, headers={"dg-request-id": rid})

    async def token(self, request: web.Request) -> web.Response:
        rid = str(uuid.uuid4())
        try:
            method, _ = self._authorize(request)
        except HandshakeRefused as refused:
            return self._error(refused, rid)
        body = {"accessor": "wsdoctor-lab", "scopes": ["usage:write"], "auth": method}
        return web.json_response(body, headers={"dg-request-id": rid})
