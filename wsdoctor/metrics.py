"""wsdoctor's results as Prometheus metrics, for the monitoring teams already run.

prometheus_client does the exposition (an HTTP `/metrics` endpoint during `watch`,
or a node_exporter textfile written atomically after `check`). Labels stay bounded:
the check, the cause, the phase, how a stream ended, the target host and its region;
never a request id or anything else per connection, so a long run cannot explode
the series count.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from .deepgram.hosts import region_of
from .model import Report, Status

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

STATES = [s.value for s in Status]
RTT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def slug(label: str) -> str:
    """A phase label ("Upgrade (101)") as a metric label value ("upgrade_101")."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


class Metrics:
    def __init__(self, host: str) -> None:
        from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram

        self.registry: CollectorRegistry = CollectorRegistry()
        self.base = {"target": host, "region": region_of(host)}
        names = list(self.base)
        reg = self.registry
        self.check_status = Enum("wsdoctor_check_status", "The latest status of each check.",
                                 ["check", *names], states=STATES, registry=reg)  # fmt: skip
        self.cause = Gauge("wsdoctor_cause_active", "1 while a cause is reported, else 0.",
                           ["cause", *names], registry=reg)  # fmt: skip
        self.phase = Gauge("wsdoctor_phase_seconds", "How long each connection phase took.",
                           ["phase", *names], registry=reg)  # fmt: skip
        self.rtt = Histogram("wsdoctor_rtt_seconds", "WebSocket ping round-trip time.",
                             names, buckets=RTT_BUCKETS, registry=reg)  # fmt: skip
        self.drops = Counter("wsdoctor_stream_drops", "Streams that ended unasked, by ending.",
                             ["ending", *names], registry=reg)  # fmt: skip
        self.idle_window = Gauge("wsdoctor_idle_window_seconds",
                                 "When an idle stream was closed, as last measured.",
                                 names, registry=reg)  # fmt: skip
        self.last_success = Gauge("wsdoctor_last_success_timestamp_seconds",
                                  "Unix time of the last run in which no check failed.",
                                  names, registry=reg)  # fmt: skip
        self.streams_up = Gauge("wsdoctor_streams_up", "Watched streams open now.",
                                names, registry=reg)  # fmt: skip
        self._causes: set[str] = set()

    def observe_report(self, report: Report) -> None:
        """The checks' verdicts, causes, phase times and idle window from one run."""
        for entry in report.checks:
            self.check_status.labels(check=entry.id, **self.base).state(entry.status.value)
            for phase in entry.result.phases:
                self.phase.labels(phase=slug(phase.label), **self.base).set(phase.ms / 1000)
            idle = entry.result.measurements.get("idle_close_s")
            if idle is not None:
                self.idle_window.labels(**self.base).set(idle)
        active = {f.cause for e in report.checks for f in e.result.findings if f.level != "info"}
        for cause in self._causes | active:
            self.cause.labels(cause=cause, **self.base).set(1 if cause in active else 0)
        self._causes |= active
        if report.status not in (Status.FAIL, Status.ERROR, Status.SKIP):
            self.last_success.labels(**self.base).set(time.time())

    def observe_rtt(self, ms: float) -> None:
        self.rtt.labels(**self.base).observe(ms / 1000)

    def observe_drop(self, ending: str) -> None:
        self.drops.labels(ending=ending, **self.base).inc()

    def set_streams_up(self, count: int) -> None:
        self.streams_up.labels(**self.base).set(count)

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """/metrics on host:port from a daemon thread, for the whole run."""
        from prometheus_client import start_http_server

        start_http_server(port, addr=host, registry=self.registry)

    def write_textfile(self, path: str) -> None:
        """The node_exporter textfile format, written to a temporary file and renamed."""
        from prometheus_client import write_to_textfile

        write_to_textfile(path, self.registry)
