"""Stream-lifecycle timing against the in-process lab (loopback only).

(1) full `check --lab` wall time / the slowest single check      goal <= 1.10
(2) handshake check vs a bare websockets connect+close, median of 20  goal <= 1.3
(3) measured idle window vs the lab's configured 1, 2 and 5 s     goal error <= 50 ms
(4) `check --lab --quick` wall time                               goal <= 1 s

Run: python benchmarks/lifecycle.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time

from websockets.asyncio.client import connect

from wsdoctor.checks.handshake import check as handshake
from wsdoctor.commands.check import CheckOptions, CheckSession
from wsdoctor.context import CheckContext, Settings
from wsdoctor.lab.config import LabConfig
from wsdoctor.lab.server import running_lab
from wsdoctor.model import Target
from wsdoctor.registry import Registry

KEY = "benchmark-key-0123456789"
RUNS = 20


def full_run(quick: bool) -> tuple[float, float, float]:
    """(process wall s, run duration s, slowest check s) of `wsdoctor check --lab`."""
    argv = [sys.executable, "-m", "wsdoctor", "check", "--lab", "--no-save", "--json", "-"]
    argv += ["--quick"] if quick else []
    started = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
    wall = time.perf_counter() - started
    report = json.loads(out)
    slowest = max(c["duration_ms"] for c in report["checks"]) / 1000
    return wall, report["duration_ms"] / 1000, slowest


async def handshake_vs_bare() -> tuple[float, float]:
    async with running_lab(LabConfig()) as lab:
        ctx = CheckContext(Target.parse(lab.url), Settings(proxy="none", environ={}), KEY)
        bare, check = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            async with connect(lab.url, additional_headers={"Authorization": f"Token {KEY}"}):
                pass
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            await handshake.run(ctx)
            check.append(time.perf_counter() - started)
    return statistics.median(check) * 1000, statistics.median(bare) * 1000


def idle_error_ms(window: float) -> float:
    settings = Settings(idle_max_s=window + 3, environ={})
    options = CheckOptions(
        url="ws://127.0.0.1:9/",
        only=("idle_timeout",),
        settings=settings,
        lab_faults=(),
        lab_idle_s=window,
    )
    session = CheckSession(options, Registry.discover())
    asyncio.run(session.run())
    measured = session.report().entry("idle_timeout").result.measurements["idle_close_s"]
    return (measured - window) * 1000


def main() -> None:
    wall, run, slowest = full_run(quick=False)
    print(
        f"(1) check --lab: process wall {wall:.2f} s, run {run:.2f} s, "
        f"slowest check {slowest:.2f} s; "
        f"ratio run/slowest {run / slowest:.3f}, wall/slowest {wall / slowest:.3f} (goal <= 1.10)"
    )
    check_ms, bare_ms = asyncio.run(handshake_vs_bare())
    print(
        f"(2) handshake check median {check_ms:.2f} ms vs bare connect+close {bare_ms:.2f} ms, "
        f"ratio {check_ms / bare_ms:.2f} (goal <= 1.3; n={RUNS})"
    )
    for window in (1.0, 2.0, 5.0):
        error = idle_error_ms(window)
        print(f"(3) idle window {window:g} s: measured error {error:+.1f} ms (goal |e| <= 50 ms)")
    wall, run, _ = full_run(quick=True)
    print(f"(4) check --lab --quick: process wall {wall:.2f} s, run {run:.2f} s (goal <= 1 s)")


if __name__ == "__main__":
    main()
