"""Lab under load: N concurrent real-time streams against `wsdoctor lab serve`, on loopback.

Each stream sends 10 s of 16 kHz linear16 audio in 100 ms chunks at real-time pace,
then CloseStream, and must end with Metadata and a 1000 close. The lab runs in its
own process so its CPU time and peak RSS can be read from /proc.

Run: python benchmarks/lab_load.py [N ...]      (default: 50 200)
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from _proc import cpu_seconds
from websockets.asyncio.client import connect

from wsdoctor.audio.pcm import LINEAR16_16K, chunked, tone

STREAM_S = 10.0
CHUNK_S = 0.1
AUTH = {"Authorization": "Token load-test-key"}
CLOSE_STREAM = json.dumps({"type": "CloseStream"})


def start_lab() -> tuple[subprocess.Popen, str]:
    argv = [sys.executable, "-m", "wsdoctor", "lab", "serve", "--port", "0", "--idle-timeout", "30"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        match = re.search(r"live stream: (\S+)", line)
        if match:
            return proc, match.group(1)
    raise RuntimeError("the lab printed no URL")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_stream(url: str, audio: list[bytes]) -> str:
    try:
        async with connect(url, additional_headers=AUTH, ping_interval=None, open_timeout=30) as ws:
            started = time.monotonic()
            for index, chunk in enumerate(audio):
                await asyncio.sleep(max(0.0, started + index * CHUNK_S - time.monotonic()))
                await ws.send(chunk)
            await ws.send(CLOSE_STREAM)
            types = [json.loads(m)["type"] async for m in ws]
            ok = types and types[-1] == "Metadata" and ws.close_code == 1000
            return "ok" if ok else f"bad ending {types[-1:]} {ws.close_code}"
    except Exception as exc:  # a benchmark counts failures rather than stopping at one
        return f"{type(exc).__name__}: {exc}"


async def run_load(url: str, streams: int) -> list[str]:
    audio = list(chunked(tone(STREAM_S), LINEAR16_16K, CHUNK_S))
    return await asyncio.gather(*(one_stream(url, audio) for _ in range(streams)))


def main() -> None:
    counts = [int(arg) for arg in sys.argv[1:]] or [50, 200]
    for streams in counts:
        proc, url = start_lab()
        try:
            cpu_before = cpu_seconds(proc.pid)
            started = time.monotonic()
            outcomes = asyncio.run(run_load(url, streams))
            wall = time.monotonic() - started
            cpu = cpu_seconds(proc.pid) - cpu_before
            rss = peak_rss_mib(proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        good = outcomes.count("ok")
        failures = sorted({o for o in outcomes if o != "ok"})
        stream_seconds = streams * STREAM_S
        print(
            f"N={streams:>4}: {good}/{streams} ended with Metadata + 1000, wall {wall:.1f} s, "
            f"lab CPU {cpu:.2f} s = {cpu / stream_seconds * 1000:.2f} ms per stream-second, "
            f"lab peak RSS {rss:.1f} MiB"
        )
        for failure in failures[:5]:
            print(f"         failure: {failure}")


if __name__ == "__main__":
    main()
