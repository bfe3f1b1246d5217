"""wsdoctor's peak memory against hostile servers on loopback: a frame flood and a 100 MB frame.

Goal: peak RSS under 100 MB whatever the server sends (counts and a bounded sample are
kept, never every frame; an oversized frame is refused by its header, unread), and with
every check flooded at once, the process ends within 0.5 s of --timeout.
Run: .venv/bin/python benchmarks/hostile.py [SECONDS]
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

from websockets.asyncio.server import ServerConnection, serve

FLOOD_FRAME = '{"type":"Results","is_final":false,"channel":{"alternatives":[{"transcript":""}]}}'


async def flood(connection: ServerConnection) -> None:
    sent = 0
    try:
        while True:
            await connection.send(FLOOD_FRAME)
            sent += 1
            if sent % 200 == 0:
                await asyncio.sleep(0)
    except Exception:  # the client went away: the benchmark is over for this stream
        return


async def huge_frame(connection: ServerConnection) -> None:
    try:
        await connection.send("x" * (100 * 1024 * 1024))
        await connection.wait_closed()
    except Exception:
        return


def serve_in_thread(behaviour) -> tuple[str, threading.Event]:  # type: ignore[no-untyped-def]
    ready, stop, ports = threading.Event(), threading.Event(), []

    async def main() -> None:
        async with serve(behaviour, "127.0.0.1", 0, max_size=None) as server:
            ports.append(server.sockets[0].getsockname()[1])
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.1)

    threading.Thread(target=asyncio.run, args=(main(),), daemon=True).start()
    ready.wait(10)
    return f"ws://127.0.0.1:{ports[0]}/v1/listen?encoding=linear16&sample_rate=16000", stop


def peak_rss_mb(url: str, extra: list[str], timeout: float) -> tuple[float, float, int]:
    """(peak RSS of the wsdoctor process in MB, wall seconds, exit code)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wsdoctor", "check", "--url", url, "--api-key", "bench-key-0000",
         *extra, "--timeout", str(timeout), "--no-save", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    # VmHWM, the child's own high-water mark since exec, polled until it exits: wait4's
    # ru_maxrss also counts the forked copy of this process before exec, which here holds
    # the flood servers' buffers.
    peak_kb = 0
    while proc.poll() is None:
        peak_kb = max(peak_kb, _high_water_kb(proc.pid))
        time.sleep(0.05)
    return peak_kb / 1024, time.monotonic() - started, proc.returncode


def _high_water_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:  # it just exited
        pass
    return 0


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 40.0
    idle = ["--only", "idle_timeout", "--idle-max", str(seconds)]
    for label, behaviour, extra in (
        (f"frame flood for {seconds:g} s (idle_timeout)", flood, idle),
        ("one 100 MB frame (close_frame)", huge_frame, ["--only", "close_frame"]),
    ):
        url, stop = serve_in_thread(behaviour)
        rss, wall, code = peak_rss_mb(url, extra, seconds + 15)
        stop.set()
        verdict = "ok" if rss < 100 else "OVER GOAL"
        print(f"{label:<40} peak RSS {rss:6.1f} MB  wall {wall:5.1f} s  exit {code}  {verdict}")
    # Every check at once against the flood, cut by --timeout: the process must end by then.
    url, stop = serve_in_thread(flood)
    for timeout in (5.0, 10.0):
        rss, wall, code = peak_rss_mb(url, ["--skip", "rest"], timeout)
        verdict = "ok" if wall <= timeout + 0.5 and rss < 100 else "OVER GOAL"
        print(f"frame flood, all checks, --timeout {timeout:g}    peak RSS {rss:6.1f} MB  "
              f"wall {wall:5.2f} s  exit {code}  {verdict}")  # fmt: skip
    stop.set()


if __name__ == "__main__":
    main()
