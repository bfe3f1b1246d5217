"""SIGTERM ends a run the way Ctrl-C does: the partial report is written, then wsdoctor exits.

CI runners and `timeout` send SIGTERM; without this a run would vanish with no
report and no message. The exit status says which signal ended the run.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when SIGTERM arrives; handled wherever Ctrl-C is."""


def raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except ValueError:  # not the main thread (e.g. driven from a test's worker thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
