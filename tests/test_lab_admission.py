"""The lab as a shared service: stalled clients time out, connections are bounded, no log floods."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

from labkit import AUTH, CLOSE_STREAM, audio_chunks
from websockets.asyncio.client import connect

from wsdoctor.lab.admission import BUSY_MESSAGE, RepeatFilter

PARTIAL_REQUEST = b"GET /v1/listen HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websock"


def stalled_client(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(PARTIAL_REQUEST)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; socket.timeout if it never does."""
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


def test_a_client_stalled_mid_headers_is_closed_after_the_header_timeout(serve_lab):
    lab = serve_lab(header_timeout=0.3)
    with stalled_client(lab.port) as sock:
        assert read_until_closed(sock) == b""  # closed, not answered: no request arrived


async def stream_for(url: str, seconds: float) -> int:
    async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
        for chunk in audio_chunks(seconds):
            await ws.send(chunk)
            await asyncio.sleep(0.1)
        await ws.send(CLOSE_STREAM)
        _ = [m async for m in ws]
        return ws.close_code


def test_a_live_stream_outlasts_the_header_timeout(serve_lab):
    lab = serve_lab(header_timeout=0.3)
    assert asyncio.run(stream_for(lab.url, 1.0)) == 1000


def ask_projects(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /v1/projects HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
        return read_until_closed(sock).decode()


def answer_once_full(port: int) -> str:
    """The kernel accepts before the lab does: ask until the lab has counted the holders."""
    for _ in range(100):
        answer = ask_projects(port)
        if not answer.startswith("HTTP/1.1 401 "):
            return answer
        time.sleep(0.02)
    raise AssertionError("the lab kept admitting clients past its limit")


def test_connections_past_the_limit_get_a_503_and_room_frees_up(serve_lab):
    lab = serve_lab(max_connections=2, header_timeout=30)
    holders = [stalled_client(lab.port), stalled_client(lab.port)]
    try:
        answer = answer_once_full(lab.port)
        assert answer.startswith("HTTP/1.1 503 ")
        assert BUSY_MESSAGE in answer
    finally:
        for sock in holders:
            sock.close()
    assert asyncio.run(retry_stream(lab.url)) == 1000


async def retry_stream(url: str) -> int:
    """The lab notices the holders' close a moment later; a 503 until then is fine."""
    for _ in range(50):
        try:
            return await stream_for(url, 0.2)
        except Exception:  # InvalidStatus 503 while the old sockets are still counted
            await asyncio.sleep(0.05)
    raise AssertionError("the lab never let a new client in")


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, args, None)


def test_repeated_log_messages_pass_once_per_interval_with_a_count():
    now = [0.0]
    repeat = RepeatFilter(interval_s=10.0, clock=lambda: now[0])
    assert repeat.filter(record("accept failed: %s", "EMFILE"))
    assert not any(repeat.filter(record("accept failed: %s", "EMFILE")) for _ in range(999))
    assert repeat.filter(record("another message"))  # other kinds are not held back
    now[0] = 10.5
    later = record("accept failed: %s", "EMFILE")
    assert repeat.filter(later)
    assert later.getMessage() == "accept failed: EMFILE (and 999 more like it since)"
