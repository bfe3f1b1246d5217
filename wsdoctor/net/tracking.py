"""The streams a run has open, so that its deadline can cut them all at once.

A server flooding tiny frames keeps the event loop busy parsing them: a check
cancelled at the deadline then waits its turn behind every other stream's flood,
and a run overshot `--timeout` by seconds. At the run's deadline the runner aborts
the transports of every stream opened inside it (no more data to parse), and the
cancellations complete at once. A context variable scopes this to the run: streams
opened by someone else in the same process (a `watch`'s long-lived streams around
its periodic check runs) are not touched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Protocol


class Abortable(Protocol):
    def abort_transport(self) -> None: ...


_OPEN: ContextVar[set[Abortable] | None] = ContextVar("wsdoctor_open_streams", default=None)


def track(stream: Abortable) -> None:
    streams = _OPEN.get()
    if streams is not None:
        streams.add(stream)


def untrack(stream: Abortable) -> None:
    streams = _OPEN.get()
    if streams is not None:
        streams.discard(stream)


@contextlib.contextmanager
def tracked_streams() -> Iterator[set[Abortable]]:
    """Streams opened inside the block (tasks created in it inherit the set)."""
    token = _OPEN.set(set())
    try:
        streams = _OPEN.get()
        assert streams is not None
        yield streams
    finally:
        _OPEN.reset(token)


def abort_all(streams: set[Abortable]) -> None:
    for stream in list(streams):
        stream.abort_transport()
