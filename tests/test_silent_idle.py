"""A path that silently forgets an idle stream: no close frame ever comes, and pings go unanswered.

The pure parts (bounds from probes, the lab model's silent-idle fault) run without
sockets; the rest drives the real idle_timeout check against the lab's fault, against a
server that is slow to end TCP after its close frame, and against a real conntrack
timeout in a network namespace of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from checkkit import FAST, run_against, run_against_lab
from hostile_peers import hostile_server
from netns import require_netns

from wsdoctor.audio.pcm import LINEAR16_16K
from wsdoctor.checks import idle_timeout
from wsdoctor.checks.silence import describe_probes, probe_times, silent_bounds
from wsdoctor.lab.actions import GoSilent, Pong
from wsdoctor.lab.faults import Faults
from wsdoctor.lab.stream import LiveStream
from wsdoctor.net.probe import Probe
from wsdoctor.observe.events import Audio, Ping, Tick
from wsdoctor.observe.record import ClientRecord

TESTS = Path(__file__).resolve().parent
SCALED = dataclasses.replace(FAST, server_idle_s=1.0)  # the lab's 1 s idle window


# ------------------------------------------------------------------ pure: bounds from probes


def test_bounds_lie_between_the_longest_answered_and_the_shortest_unanswered_silence():
    probes = [
        Probe(0.3, 0.3, answered=True),
        Probe(0.6, 0.6, answered=True),
        Probe(0.9, 0.9, answered=False),
        Probe(4.0, 4.0, answered=False),
    ]
    bounds = silent_bounds(probes)
    assert bounds is not None and (bounds.alive_s, bounds.dead_by_s) == (0.6, 0.9)
    assert bounds.text() == "it still answered 0.6 s after the last exchange and was dead by 0.9 s"


def test_silence_counts_from_the_last_exchange_not_from_the_stream_start():
    # Sent 5 s into the stream, but the server's last frame came 3 s in: 2 s of silence.
    bounds = silent_bounds([Probe(sent_at_s=5.0, idle_s=2.0, answered=False)])
    assert bounds is not None and (bounds.alive_s, bounds.dead_by_s) == (0.0, 2.0)
    assert bounds.text() == "it was dead 2.0 s after the last exchange"


def test_an_answer_after_a_longer_silence_does_not_widen_the_bounds():
    probes = [Probe(0.5, 0.5, answered=False), Probe(0.9, 0.9, answered=True)]
    bounds = silent_bounds(probes)
    assert bounds is not None and (bounds.alive_s, bounds.dead_by_s) == (0.0, 0.5)


def test_closed_or_answered_streams_are_no_silent_drop():
    assert silent_bounds([Probe(1.0, 1.0, answered=True)]) is None
    assert silent_bounds([Probe(1.0, 1.0, answered=False, closed=True)]) is None


def test_side_probes_fall_inside_the_watch():
    assert probe_times(10.0, 15.0) == [3.0, 6.0, 9.0, 12.0]
    assert probe_times(10.0, 8.0) == [3.0, 6.0]


def test_probe_evidence_reads_in_order_of_silence():
    text = describe_probes([Probe(4, 4, False), Probe(1, 1, True), Probe(2, 2, False, True)])
    assert text == (
        "after 1.00 s idle: answered, after 2.00 s idle: stream already closed, "
        "after 4.00 s idle: no pong"
    )


# ------------------------------------------------------------- pure: the lab's stream model


def stream(*faults: str) -> LiveStream:
    record = ClientRecord("rid-1", "/v1/listen", "", "token")
    query = {"encoding": "linear16", "sample_rate": "16000", "channels": "1"}
    return LiveStream(record, LINEAR16_16K, query, faults=Faults.parse(faults), idle_timeout=1.0)


def test_silent_idle_loses_net0001_and_then_every_pong():
    model = stream("silent-idle")
    assert model.handle(Ping(b"p"), 0.5) == [Pong(b"p")]  # alive inside the window
    assert model.next_deadline() == 1.0
    assert model.handle(Tick(), 1.0) == [GoSilent()]  # instead of Metadata and NET-0001
    assert model.handle(Ping(b"q"), 1.5) == []
    assert model.next_deadline() is None  # nothing more, ever: no close, no FIN


def test_silent_idle_counts_idleness_from_the_last_audio():
    model = stream("silent-idle=0.4")
    model.handle(Audio(b"\0\0" * 1600), 2.0)
    assert model.next_deadline() == pytest.approx(2.4)
    assert model.handle(Tick(), 2.4) == [GoSilent()]


def test_without_the_fault_the_idle_window_ends_in_net0001():
    model = stream()
    actions = model.handle(Tick(), 1.0)
    assert actions[-1].reason.startswith("NET-0001")  # type: ignore[union-attr]


# ------------------------------------------------------------------ real streams, the lab

slow = pytest.mark.slow


def idle_result(*faults: str, idle: float = 1.0, settings=SCALED):
    report = run_against_lab(*faults, only=("idle_timeout",), idle=idle, settings=settings)
    return report.entry("idle_timeout").result, report


@slow
@pytest.mark.parametrize("forget_after", [0.5, None])
def test_a_silently_forgotten_idle_stream_is_a_silent_drop(forget_after):
    fault = "silent-idle" if forget_after is None else f"silent-idle={forget_after}"
    result, report = idle_result(fault)
    assert (result.status.value, result.cause) == ("fail", idle_timeout.SILENT_DROP)
    assert report.root_causes == (idle_timeout.SILENT_DROP,)
    alive, dead = result.measurements["alive_after_idle_s"], result.measurements["dead_by_idle_s"]
    configured = forget_after or 1.0  # the default forgets at the server's window
    assert alive < configured <= dead < SCALED.idle_max_s  # a side probe bounded it
    assert "never arrived" in result.summary and f"dead by {dead:.1f} s" in result.summary
    assert "no pong" in result.evidence["probes"]


@slow
def test_the_documented_net0001_is_not_a_silent_drop():
    result, report = idle_result()
    assert (result.status.value, result.cause) == ("pass", idle_timeout.SERVER_TIMEOUT)
    assert report.root_causes == ()


@slow
def test_a_longer_window_that_still_answers_pings_is_no_silent_drop():
    settings = dataclasses.replace(SCALED, idle_max_s=1.5)
    result, report = idle_result(idle=3.0, settings=settings)  # the watch ends first
    assert (result.status.value, result.cause) == ("warn", idle_timeout.NO_CLOSE_SEEN)
    assert "answered" in result.evidence["probes"] and report.root_causes == ()


# ------------------------------------------------- close time: the frame, not the teardown

TEARDOWN_S = 2.5


async def closes_then_holds_tcp(connection) -> None:
    """NET-0001 after 0.3 s of silence, then TCP held open: a slow teardown the client
    waits out (close_timeout) before its socket is really gone."""
    try:
        await asyncio.wait_for(connection.recv(), 0.3)
    except TimeoutError:
        connection.transport.pause_reading()  # the client's echo goes unread for a while
        connection.transport.write(b"\x88\x0a\x03\xf3NET-0001")  # close 1011 NET-0001
        await asyncio.sleep(TEARDOWN_S)
        connection.transport.abort()
        return
    await connection.wait_closed()


@slow
def test_close_time_is_the_close_frames_not_the_slow_tcp_teardown():
    settings = dataclasses.replace(FAST, server_idle_s=0.3, proxy="none")
    with hostile_server(closes_then_holds_tcp) as url:
        report = run_against(url, only=("idle_timeout",), settings=settings)
    result = report.entry("idle_timeout").result
    assert result.cause == idle_timeout.SERVER_TIMEOUT, result.summary
    assert result.measurements["idle_close_s"] < TEARDOWN_S  # about 0.3, not 0.3 + 2.5


# ------------------------------------------- a real stateful hop: conntrack in a namespace

DRIVER = """
import dataclasses, json, sys
sys.path.insert(0, {tests!r})
from checkkit import FAST, run_against_lab
settings = dataclasses.replace(FAST, server_idle_s={idle}, idle_max_s={watch})
report = run_against_lab(only=("idle_timeout",), idle={idle}, settings=settings)
result = report.entry("idle_timeout").result
print(json.dumps({{"cause": result.cause, "status": result.status.value,
                   "measurements": result.measurements, "roots": report.root_causes}}))
"""
NFT_RULES = (
    "add table inet wsd; "
    "add chain inet wsd out { type filter hook output priority 0; }; "
    "add rule inet wsd out ct state invalid drop"
)


def run_in_namespace(conntrack_timeout_s: int, idle: float, watch: float) -> dict:
    """The lab and the check inside a fresh namespace whose firewall drops packets of a flow
    conntrack has forgotten (strict tracking: no mid-stream pickup), after `timeout` idle."""
    require_netns()
    if shutil.which("nft") is None:
        pytest.skip("needs nft (Debian: nftables)")
    name = f"wsd-silent-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:

        def inside(*argv: str) -> subprocess.CompletedProcess:
            run = ["ip", "netns", "exec", name, *argv]
            return subprocess.run(run, check=True, capture_output=True, text=True, timeout=60)

        inside("ip", "link", "set", "lo", "up")
        timeout = f"net.netfilter.nf_conntrack_tcp_timeout_established={conntrack_timeout_s}"
        inside("sysctl", "-qw", timeout, "net.netfilter.nf_conntrack_tcp_loose=0")
        inside("nft", NFT_RULES)
        driver = DRIVER.format(tests=str(TESTS), idle=idle, watch=watch)
        return json.loads(inside(sys.executable, "-c", driver).stdout.splitlines()[-1])
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


@slow
def test_a_real_conntrack_timeout_is_diagnosed_with_its_bounds():
    found = run_in_namespace(conntrack_timeout_s=2, idle=5.0, watch=7.0)
    assert (found["status"], found["cause"]) == ("fail", idle_timeout.SILENT_DROP)
    assert found["roots"] == [idle_timeout.SILENT_DROP]
    measured = found["measurements"]
    assert measured["alive_after_idle_s"] < 2.0 <= measured["dead_by_idle_s"]


@slow
def test_a_conntrack_timeout_longer_than_the_window_lets_net0001_through():
    found = run_in_namespace(conntrack_timeout_s=30, idle=2.0, watch=4.0)
    assert (found["status"], found["cause"]) == ("pass", idle_timeout.SERVER_TIMEOUT)
    assert found["roots"] == []
