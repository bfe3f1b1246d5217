"""What each client did on a lab connection: the raw material for auditing client code.

A record holds observations only (times are seconds since the upgrade); judging
whether the client behaved well is left to whoever reads it. A record's size does
not grow with the stream's length: runs of audio frames fold into one log entry,
the log keeps how the stream began and how it ended, and per-stream totals carry
the rest. `lab serve` is a service other people's CI hits for hours, and a client
sending a million tiny frames must not cost the lab a million dicts.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from ..deepgram.auth import QUERY_KEY_NAMES, TOKEN, looks_like_jwt, presented_key
from ..redact import mask_query_secrets

LOG_HEAD = 200  # entries kept from the start of a stream
LOG_TAIL = 300  # entries kept from its end
KEEPALIVE_TIMES_KEPT = 1000

Entry = dict[str, Any]
PRIVATE = ("log", "_last_audio_at")  # kept out of the JSON: the log is written as `messages`


class EventLog:
    """An ordered log of client frames, bounded: the middle of a long one is counted, not kept."""

    def __init__(self) -> None:
        self.head: list[Entry] = []
        self.tail: deque[Entry] = deque(maxlen=LOG_TAIL)
        self.dropped = 0

    def add(self, entry: Entry) -> None:
        if len(self.head) < LOG_HEAD:
            self.head.append(entry)
            return
        if len(self.tail) == self.tail.maxlen:
            self.dropped += 1
        self.tail.append(entry)

    def last(self) -> Entry | None:
        if self.tail:
            return self.tail[-1]
        return self.head[-1] if self.head else None

    def entries(self) -> list[Entry]:
        return [*self.head, *self.tail]


@dataclass
class ClientRecord:
    request_id: str
    path: str
    query: str
    auth: str  # "token", "bearer", "subprotocol", "none"
    status: int = 101  # the handshake answer
    refusal: str | None = None  # a refused upgrade's dg-error (why the server said no)
    refused_because: str | None = None  # the lab's reason, naming what dg-error may not
    opened_at: float = 0.0  # seconds since the lab started: reconnect timing across records
    key_in_query: bool = False  # a token= or key= parameter carried a credential
    jwt_as_token: bool = False  # a JWT presented with the Token scheme instead of Bearer
    audio_bytes: int = 0
    audio_s: float = 0.0
    audio_frames: int = 0
    max_audio_gap_s: float = 0.0  # longest wait between two audio frames
    first_audio_at: float | None = None
    last_audio_at: float | None = None
    audio_mismatch: str | None = None  # what the first frame's bytes contradict in the URL
    first_container: str | None = None  # the container the first frame's header names
    headerless: str | None = None  # the container whose first frame came without its header
    audio_lead_s: float = 0.0  # the most the audio ran ahead of real time (a sent backlog)
    pauses: list[dict[str, Any]] = field(default_factory=list)  # observe/pauses.py
    max_idle_gap_s: float = 0.0  # longest stretch with neither audio nor KeepAlive
    max_idle_gap_at: float = 0.0  # when that stretch began
    empty_binary: bool = False  # an empty binary frame (the legacy CloseStream)
    binary_controls: str | None = None  # a control message sent as a binary frame
    unknown_texts: int = 0  # text frames that are no control message Deepgram knows
    close_stream_at: float | None = None
    audio_after_close_stream: int = 0
    keepalive_after_close_stream: int = 0
    client_left_at: float | None = None  # the app's close frame, or its TCP end without one
    finalize_pending_at: float | None = None  # a Finalize still unanswered, nothing sent since
    last_server_at: float | None = None  # the server's last message or close frame
    closed_before_final: bool = False  # left after CloseStream, before the server's close
    keepalive_count: int = 0
    keepalive_at: list[float] = field(default_factory=list)  # the first KEEPALIVE_TIMES_KEPT
    close_stream_sent: bool = False
    finalize_count: int = 0
    pings: int = 0
    client_close_code: int | None = None
    server_close_code: int | None = None  # None after first_close "server": no status code
    server_close_reason: str | None = None
    first_close: str | None = None  # "client", "server" or None (nobody sent a close frame)
    tcp_end: str | None = None  # "close-handshake", "client-eof", "lab-drop", "lab-reset"
    duration_s: float = 0.0
    faults: str = "none"
    upstream_request_id: str | None = None  # relay mode: the real service's dg-request-id
    paused_s: float = 0.0  # time in pauses bridged by KeepAlive
    ended_by_audit: bool = False  # still open when the audit stopped the app (--duration)
    log: EventLog = field(default_factory=EventLog, repr=False, compare=False)
    _last_audio_at: float = field(default=0.0, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The record is written to files users share: a key sent as ?token= stays out of it.
        self.query = mask_query_secrets(self.query)

    def note(self, at: float, kind: str, **details: Any) -> None:
        self.log.add({"t": round(at, 3), "kind": kind, **details})

    def note_audio(self, at: float, size: int) -> None:
        """Consecutive audio frames share one entry: frames, bytes, and when the run ended."""
        at = round(at, 3)
        last = self.log.last()
        if self.audio_frames:
            self.max_audio_gap_s = max(self.max_audio_gap_s, round(at - self._last_audio_at, 3))
        self._last_audio_at = at
        self.audio_frames += 1
        if last is not None and last["kind"] == "audio":
            last["frames"] += 1
            last["bytes"] += size
            last["until"] = at
        else:
            self.log.add({"t": at, "kind": "audio", "frames": 1, "bytes": size, "until": at})

    def bridge_audio_gap(self, at: float) -> None:
        """A KeepAlive in a pause: the pause is a documented one, neither a burst gap nor
        slow audio, so its length is counted apart."""
        self.paused_s = round(self.paused_s + max(0.0, at - self._last_audio_at), 3)
        self._last_audio_at = round(at, 3)

    def note_keepalive(self, at: float) -> None:
        self.keepalive_count += 1
        if len(self.keepalive_at) < KEEPALIVE_TIMES_KEPT:
            self.keepalive_at.append(round(at, 3))

    @property
    def messages(self) -> list[Entry]:
        return self.log.entries()

    @property
    def keepalive_gaps_s(self) -> list[float]:
        times = self.keepalive_at
        return [round(b - a, 3) for a, b in itertools.pairwise(times)]

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in PRIVATE}
        data["messages"] = self.messages
        data["messages_dropped"] = self.log.dropped
        data["keepalive_gaps_s"] = self.keepalive_gaps_s
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


class UpgradeRequest(Protocol):
    """What a record needs of an upgrade request (aiohttp's web.Request has it)."""

    @property
    def path(self) -> str: ...
    @property
    def query_string(self) -> str: ...
    @property
    def query(self) -> Mapping[str, str]: ...
    @property
    def headers(self) -> Mapping[str, str]: ...


def record_of_upgrade(
    request: UpgradeRequest, rid: str, started: float, faults: str
) -> ClientRecord:
    """The record of a live connection, with what its upgrade request shows of the client."""
    method, key = presented_key(request.headers)
    return ClientRecord(
        rid,
        request.path,
        request.query_string,
        method,
        opened_at=round(time.monotonic() - started, 3),
        key_in_query=any(name in request.query for name in QUERY_KEY_NAMES),
        jwt_as_token=method == TOKEN and looks_like_jwt(key),
        faults=faults,
    )
