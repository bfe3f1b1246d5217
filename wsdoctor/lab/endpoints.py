"""The lab's HTTP side of Deepgram's API: the live upgrades (/v1/listen, Flux's /v2/listen)
and the REST routes.

Everything decided before the 101 (auth, refusals, handshake faults, response
headers) happens here; after the 101 the stream belongs to its API's model
(stream.LiveStream, flux.FluxStream), picked by the path's profile and run on the
socket by wire.Wire. Every refused request, on any path, is recorded with its path
and the lab's reason, so `lab serve` and the audit can say what was wrong even where
Deepgram's own answer does not (Flux's 400 names no parameter).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..audio.pcm import SAMPLE_WIDTH, AudioFormat, parse_wav
from ..deepgram.auth import presented_key
from ..deepgram.flux import parameter_problems
from ..deepgram.profiles import FLUX, V1, ApiProfile, profile_for
from ..observe.record import ClientRecord, record_of_upgrade
from . import messages
from .config import LabConfig
from .faults.kinds import Refusal
from .flux import FluxStream
from .model import StreamModel
from .stream import LiveStream
from .wire import serve_stream

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CLOSE_TIMEOUT_S = 5.0
MAX_FRAME_BYTES = 8 * 1024 * 1024
DOUBLED_QUERY = (
    "The URL has two query strings ('?' twice): the client added its own query to a URL that "
    "already had one. Give such a client the endpoint without a query."
)
PROJECTS = [{"project_id": "00000000-0000-4000-8000-000000000001", "name": "wsdoctor lab"}]
# Flux refuses a bad parameter with 400 and does not say which (pipecat PR #5643); the lab
# answers as generically and keeps the parameter for its record.
FLUX_REFUSAL = "Bad Request: the request's parameters are invalid."


class HandshakeRefused(Exception):
    def __init__(self, status: int, code: str, message: str, because: str | None = None) -> None:
        """`because`: what was wrong, for the lab's record (default: the message)."""
        super().__init__(message)
        self.refusal = Refusal(status, code, message)
        self.because = because or message


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
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self.unrouted])
        app.router.add_get(V1.path, self.live)
        app.router.add_get(FLUX.path, self.live)
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

    def _refuse(self, refused: HandshakeRefused, record: ClientRecord) -> web.Response:
        """Answer a refusal and file it, with the path, its dg-error and the lab's reason."""
        record.status = refused.refusal.status
        record.refusal = self.faults.error_message(refused.refusal.message)
        record.refused_because = refused.because
        self._finish(record)
        return self._error(refused, record.request_id)

    @web.middleware
    async def unrouted(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """A path or method no route serves still gets its 404 or 405, in Deepgram's error
        shape, and is filed like any refusal (an app on the wrong path shows in the log)."""
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            why = f"{request.method} {request.path}: {exc.reason}"
            record = self._new_record(request, str(uuid.uuid4()))
            response = self._refuse(HandshakeRefused(exc.status, exc.reason, why), record)
            response.headers.extend((k, v) for k, v in exc.headers.items() if k == "Allow")
            return response

    def _finish(self, record: ClientRecord) -> None:
        self.records.append(record)
        if self.config.on_record is not None:
            self.config.on_record(record)

    # -- live ----------------------------------------------------------------------

    async def live(self, request: web.Request) -> web.StreamResponse:
        profile = profile_for(request.path) or V1
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
            fmt = self._check_handshake(request, profile)
        except HandshakeRefused as refused:
            return self._refuse(refused, record)
        ws = await self._upgrade(request, rid, profile)
        self.open_streams += 1
        stream = self._stream(profile, record, fmt, request)
        try:
            await serve_stream(ws, request.transport, stream)
        finally:
            self.open_streams -= 1
            self._finish(record)
        return ws

    def _check_handshake(self, request: web.Request, profile: ApiProfile) -> AudioFormat | None:
        refusal = self.faults.refusal()
        if refusal is not None:
            raise HandshakeRefused(refusal.status, refusal.code, refusal.message)
        if not web.WebSocketResponse(protocols=("token", "bearer")).can_prepare(request).ok:
            raise HandshakeRefused(426, "Upgrade Required", "Expected a WebSocket upgrade.")
        if "?" in request.query_string:
            raise HandshakeRefused(400, "Bad Request", DOUBLED_QUERY)
        if profile is FLUX:
            query = request.query
            problems = parameter_problems(
                query, query.getall("keyterm", []), query.getall("language_hint", [])
            )
            if problems:
                raise HandshakeRefused(400, "Bad Request", FLUX_REFUSAL, "; ".join(problems))
        return stream_format(request.query)

    def _stream(
        self, profile: ApiProfile, record: ClientRecord, fmt: AudioFormat | None, request: Any
    ) -> StreamModel:
        """The API's model for an upgraded stream."""
        query = request.query
        options: dict[str, Any] = {
            "faults": self.faults,
            "idle_timeout": self.config.idle_window(profile),
            "finalize_s": self.config.finalize_s,
        }
        if profile is FLUX:
            keyterms, hints = query.getall("keyterm", []), query.getall("language_hint", [])
            return FluxStream(record, fmt, query, keyterms, hints, **options)
        return LiveStream(record, fmt, query, **options)

    async def _upgrade(
        self, request: web.Request, rid: str, profile: ApiProfile
    ) -> web.WebSocketResponse:
        """Flux's closes carry no status code, which aiohttp's own close cannot send; its
        streams answer close frames themselves (wire.py), so autoclose is off there."""
        ws = web.WebSocketResponse(
            protocols=("token", "bearer"),
            autoclose=self.faults.answers_close_frames() and profile is not FLUX,
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
            return self._refuse(refused, self._new_record(request, rid))
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
            return self._refuse(refused, self._new_record(request, rid))
        return web.json_response({"projects": PROJECTS}, headers={"dg-request-id": rid})

    async def token(self, request: web.Request) -> web.Response:
        rid = str(uuid.uuid4())
        try:
            method, _ = self._authorize(request)
        except HandshakeRefused as refused:
            return self._refuse(refused, self._new_record(request, rid))
        body = {"accessor": "wsdoctor-lab", "scopes": ["usage:write"], "auth": method}
        return web.json_response(body, headers={"dg-request-id": rid})
