"""Scheduling overhead: checks with known sleeps and dependencies, wall time vs critical path.

Goal: wall / critical path <= 1.05, i.e. each check starts as soon as its dependencies finish.
Run: python benchmarks/concurrency.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_checks import Fake

from wsdoctor import CheckContext, Settings, Target
from wsdoctor.runner import Runner

# (id, depends_on, sleep seconds): shaped like the real check graph.
GRAPH = [
    ("sdk", (), 0.05),
    ("dns", (), 0.20),
    ("proxy", (), 0.10),
    ("tcp", ("dns", "proxy"), 0.15),
    ("tls", ("tcp",), 0.25),
    ("rest", ("dns", "proxy"), 0.40),
    ("handshake", ("tls",), 0.20),
    ("idle_timeout", ("handshake",), 1.20),
    ("keepalive", ("handshake",), 1.00),
    ("close_frame", ("handshake",), 0.60),
    ("stability", ("handshake",), 0.90),
]


def critical_path_s() -> float:
    finish: dict[str, float] = {}
    for check_id, deps, sleep in GRAPH:
        finish[check_id] = max((finish[d] for d in deps), default=0.0) + sleep
    return max(finish.values())


def main() -> None:
    checks = [Fake(i, deps, sleep=s) for i, deps, s in GRAPH]
    ctx = CheckContext(Target.parse("ws://127.0.0.1:9/v1/listen"), Settings(environ={}))
    started = time.perf_counter()
    asyncio.run(Runner(checks, ctx).run())
    wall = time.perf_counter() - started
    ideal = critical_path_s()
    serial = sum(s for _, _, s in GRAPH)
    print(f"checks: {len(GRAPH)}, serial sum {serial:.2f} s, critical path {ideal:.2f} s")
    print(f"wall time {wall:.3f} s   wall / critical path {wall / ideal:.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
