"""`wsdoctor lab serve` against abusive clients, on loopback: memory and stalled sockets.

Measures the lab process's RSS (from /proc) before, during and after one client sends
1 million tiny binary frames, and after 500 ordinary streams have come and gone; and how
long a client that stops halfway through its request headers keeps its socket.
Goals: RSS back within 20 MB of the starting figure once clients leave; a stalled
client's socket closed within the header timeout.

Run: .venv/bin/python benchmarks/lab_abuse.py [FRAMES] [STREAMS]   (default: 1000000 500)
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

from _proc import rss_mb
from websockets.asyncio.client import connect

HEADER_TIMEOUT_S = 2.0
AUTH = {"Authorization": "Token abuse-test-key"}
CLOSE_STREAM = json.dumps({"type": "CloseStream"})
MASK = b"\x01\x02\x03\x04"


def start_lab() -> tuple[subprocess.Popen, int]:
    argv = [sys.executable, "-m", "wsdoctor", "lab", "serve", "--port", "0",
            "--idle-timeout", "30", "--header-timeout", str(HEADER_TIMEOUT_S)]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.search(r"live stream: ws://127.0.0.1:(\d+)/", line)
        if match:
            return proc, int(match.group(1))
    raise RuntimeError("the lab printed no URL")


def tiny_frame() -> bytes:
    """A masked two-byte binary frame, as a client must send it (RFC 6455 5.3)."""
    payload = bytes(b ^ MASK[i % 4] for i, b in enumerate(b"\x00\x01"))
    return b"\x82\x82" + MASK + payload


def upgraded_socket(port: int) -> socket.socket:
    key = base64.b64encode(os.urandom(16)).decode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        f"GET /v1/listen?encoding=linear16&sample_rate=16000 HTTP/1.1\r\nHost: lab\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        f"Sec-WebSocket-Version: 13\r\nAuthorization: Token abuse-test-key\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 101"), head[:80]
    return sock


def flood(port: int, frames: int, pid: int) -> float:
    """Send the frames in 100k batches; the peak RSS seen while they arrive."""
    sock, peak, batch = upgraded_socket(port), 0.0, 100_000
    drain = _drain_in_background(sock)
    for start in range(0, frames, batch):
        sock.sendall(tiny_frame() * min(batch, frames - start))
        peak = max(peak, rss_mb(pid))
    sock.sendall(b"\x88\x82" + MASK + bytes(b ^ MASK[i] for i, b in enumerate(b"\x03\xe8")))
    drain.join(30)
    sock.close()
    return max(peak, rss_mb(pid))


def _drain_in_background(sock: socket.socket):  # type: ignore[no-untyped-def]
    """Read what the lab sends (Results), so its writes never block the flood."""
    import threading

    def run() -> None:
        try:
            while sock.recv(65536):
                pass
        except OSError:
            return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def ordinary_streams(port: int, count: int, concurrency: int = 50) -> None:
    url = f"ws://127.0.0.1:{port}/v1/listen?encoding=linear16&sample_rate=16000"
    chunk = bytes(3200)  # 100 ms of linear16 silence
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate, connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            for _ in range(20):
                await ws.send(chunk)
            await ws.send(CLOSE_STREAM)
            _ = [m async for m in ws]

    await asyncio.gather(*(one() for _ in range(count)))


def stalled_socket_lifetime(port: int) -> float:
    sock = socket.create_connection(("127.0.0.1", port), timeout=HEADER_TIMEOUT_S * 10)
    sock.sendall(b"GET /v1/listen HTTP/1.1\r\nHost: lab\r\nUpgrade: webs")
    started = time.monotonic()
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return float("inf")
    finally:
        sock.close()
    return time.monotonic() - started


def settle(pid: int, seconds: float = 2.0) -> float:
    time.sleep(seconds)
    return rss_mb(pid)


def main() -> None:
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    streams = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    proc, port = start_lab()
    try:
        start = settle(proc.pid, 0.5)
        print(f"lab RSS at start:                       {start:7.1f} MB")
        began = time.monotonic()
        peak = flood(port, frames, proc.pid)
        took = time.monotonic() - began
        print(f"during {frames:,} tiny frames ({took:.1f} s):  peak {peak:7.1f} MB")
        after_flood = settle(proc.pid)
        print(f"after the flood client left:            {after_flood:7.1f} MB  "
              f"({after_flood - start:+.1f} MB, goal within 20)")  # fmt: skip
        asyncio.run(ordinary_streams(port, streams))
        after_streams = settle(proc.pid)
        print(f"after {streams} ordinary streams:            {after_streams:7.1f} MB  "
              f"({after_streams - start:+.1f} MB, goal within 20)")  # fmt: skip
        lifetime = stalled_socket_lifetime(port)
        print(f"client stalled mid-headers held its socket {lifetime:.2f} s "
              f"(header timeout {HEADER_TIMEOUT_S:g} s)")  # fmt: skip
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)


if __name__ == "__main__":
    main()
