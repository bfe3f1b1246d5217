"""What the `deepgram_lab` pytest fixture gives a test: a lab, and the audit's verdict on
every connection the test's code made to it."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Sequence

from ..causes import lookup
from ..deepgram.profiles import V1
from ..lab.config import LabConfig
from ..lab.faults import Faults
from ..lab.server import RunningLab
from ..lab.thread import LabThread
from ..model import Finding, Level
from ..observe.record import ClientRecord
from .judge import Policy, judge_connection, judge_session
from .session import FINALIZE_S

DEFAULT_KEY = "deepgram-lab-test-key"
SETTLE_S = 1.0
RECORDS_KEPT = 10_000


class DeepgramLab:
    """Start with `with`; `url`, `rest_url`, `api_key` for the client under test."""

    def __init__(self, faults: Sequence[str] = (), idle_timeout: float = V1.idle_window_s,
                 key: str | None = None) -> None:  # fmt: skip
        self.api_key = key or DEFAULT_KEY
        self.idle_timeout = idle_timeout
        config = LabConfig(
            idle_timeout=idle_timeout,
            accepted_key=key,
            faults=Faults.parse(faults),
            records_kept=RECORDS_KEPT,
            finalize_s=FINALIZE_S,
        )
        self._thread = LabThread(config=config)
        self._running: RunningLab | None = None

    def __enter__(self) -> DeepgramLab:
        self._running = self._thread.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.__exit__(*exc)

    @property
    def running(self) -> RunningLab:
        if self._running is None:
            raise RuntimeError("the lab is not running (use the deepgram_lab fixture)")
        return self._running

    @property
    def url(self) -> str:
        """The live endpoint with a raw linear16 query, ready for websockets or aiohttp.
        It already has a query: a client that appends its own needs `listen_url`."""
        return self.running.url

    @property
    def base_url(self) -> str:
        """ws://host:port, for SDKs that build the path and query themselves (deepgram-sdk's
        environment, or its `url` option in older versions)."""
        return f"{'wss' if self.running.tls else 'ws'}://{self.running.base}"

    @property
    def listen_url(self) -> str:
        """ws://host:port/v1/listen with no query, for frameworks that append their own
        (LiveKit's `deepgram.STT(base_url=...)`): `url` plus their query would carry two
        '?', which the lab refuses with a 400 saying so."""
        return f"{self.base_url}{V1.path}"

    @property
    def rest_url(self) -> str:
        return self.running.http_url

    @property
    def sessions(self) -> list[ClientRecord]:
        """What each finished connection did, in the order they opened. Streams the test
        left open get a moment to end (a client closing in the background), no more."""
        self._settle()
        while True:
            try:  # the lab's thread may file a record meanwhile
                records = list(self.running.records)
            except RuntimeError:
                continue
            return sorted(records, key=lambda r: r.opened_at)

    @property
    def open_streams(self) -> int:
        """Connections still open on the lab (a stream the code under test never closed)."""
        return self.running.lab.open_streams

    def _settle(self) -> None:
        deadline = time.monotonic() + SETTLE_S
        while self.open_streams and time.monotonic() < deadline:
            time.sleep(0.01)

    def deepgram_environment(self) -> object:
        """A DeepgramClientEnvironment (deepgram-sdk v5 and later) pointing at this lab."""
        try:
            from deepgram.environment import DeepgramClientEnvironment
        except ImportError:
            raise RuntimeError(
                "deepgram_environment() needs deepgram-sdk v5 or later "
                "(pip install 'deepgram-sdk>=5'); with older SDKs pass deepgram_lab.base_url "
                "as the client options' url"
            ) from None
        rest = self.rest_url
        return DeepgramClientEnvironment(
            base=rest, production=self.base_url, agent=self.base_url, agent_rest=rest
        )

    def findings(self, include_info: bool = False) -> list[tuple[int, Finding]]:
        """(connection number, finding) for every problem the audit sees; 0: the session."""
        policy = Policy(idle_window_s=self.idle_timeout)
        sessions = self.sessions
        found = [(i, f) for i, r in enumerate(sessions, 1) for f in judge_connection(r, policy)]
        found += [(0, f) for f in judge_session(sessions, None, policy)]
        return [(i, f) for i, f in found if include_info or f.level is not Level.INFO]

    def assert_clean(self, allow_no_connection: bool = False) -> None:
        """Fail the test with each finding and what to do about it, if there is any. A
        refused upgrade is a finding; so are a stream still open (the client never ended
        it) and, unless `allow_no_connection`, no connection at all (a client that never
        reached the lab was not tested)."""
        found = self.findings()
        still_open = self.open_streams
        problems = [describe_findings(found)] if found else []
        if still_open:
            problems.append(f"{still_open} stream(s) still open at the end of the test: the "
                            "client never closed them (send CloseStream, then close)")  # fmt: skip
        if not allow_no_connection and not self.sessions:
            problems.append(
                f"no connection reached the lab: point the client at {self.url} "
                "(or pass allow_no_connection=True if the test expects none)"
            )
        if problems:
            raise AssertionError("\n".join(problems))


def describe_findings(found: Sequence[tuple[int, Finding]]) -> str:
    lines = [f"the Deepgram lab saw {len(found)} problem(s) in how the client connected:"]
    for index, finding in found:
        where = f"connection {index}" if index else "across connections"
        lines.append(f"- {where}: [{finding.level.value}] {finding.cause}: {finding.message}")
        remedy = lookup(finding.cause)
        if remedy is not None:
            step = textwrap.shorten(remedy.steps[0], 300)
            lines.append(f"    what to do ({remedy.seed_section}): {step}")
    return "\n".join(lines)
