"""`wsdoctor lab serve` as a user runs it: a real process, a real client, Ctrl-C, a record file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import subprocess
import sys

from labkit import AUTH, CLOSE_STREAM, audio_chunks
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


def start_lab(*args: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "wsdoctor", "lab", "serve", "--port", "0", *args]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def live_url(proc: subprocess.Popen) -> str:
    for line in proc.stdout:  # the banner comes first
        match = re.search(r"live stream: (\S+)", line)
        if match:
            return match.group(1)
    raise AssertionError(f"no URL printed: {proc.stderr.read()}")


async def one_stream(url: str) -> int:
    async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
        for chunk in audio_chunks(0.5):
            await ws.send(chunk)
        await ws.send(CLOSE_STREAM)
        _ = [m async for m in ws]
        return ws.close_code


def test_serve_records_connections_and_stops_on_ctrl_c(tmp_path):
    record_file = tmp_path / "records.jsonl"
    proc = start_lab("--record", str(record_file), "--idle-timeout", "2")
    try:
        assert asyncio.run(one_stream(live_url(proc))) == 1000
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "CloseStream yes" in err and "lab stopped" in err
    assert "Traceback" not in err
    (record,) = [json.loads(line) for line in record_file.read_text().splitlines()]
    assert record["close_stream_sent"] and record["server_close_code"] == 1000


def test_serve_refuses_unknown_faults():
    proc = start_lab("--fault", "gremlins")
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 2
    assert err.strip().startswith("wsdoctor: error: unknown lab fault 'gremlins'")


def test_serve_reports_a_busy_port_in_one_line():
    first = start_lab()
    try:
        port = live_url(first).split(":")[2].split("/")[0]
        second = subprocess.run(
            [sys.executable, "-m", "wsdoctor", "lab", "serve", "--port", port],
            capture_output=True,
            text=True,
            timeout=15,
        )
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=15)
    assert second.returncode == 2
    assert second.stderr.strip().startswith(f"wsdoctor: error: cannot listen on 127.0.0.1:{port}")


def test_sigterm_stops_the_lab_like_ctrl_c_and_keeps_the_open_streams_record(tmp_path):
    record_file = tmp_path / "records.jsonl"
    proc = start_lab("--record", str(record_file), "--idle-timeout", "30")
    try:
        url = live_url(proc)

        async def hold_open() -> None:
            async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
                await ws.send(audio_chunks(0.2)[0])
                await asyncio.sleep(0.3)
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(ConnectionClosed):  # a stopping lab drops its streams
                    _ = [m async for m in ws]

        asyncio.run(hold_open())
    finally:
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "lab stopped" in err and "Traceback" not in err
    assert len(record_file.read_text().splitlines()) == 1


def test_serve_logs_and_records_refusals_with_their_path(tmp_path):
    record_file = tmp_path / "records.jsonl"
    proc = start_lab("--record", str(record_file))
    try:
        url = live_url(proc)  # the v1 URL; Flux and a wrong path are on the same host
        base = url.split("/v1/")[0]

        async def refused(path: str) -> int:
            with contextlib.suppress(InvalidStatus):
                async with connect(base + path, additional_headers=AUTH):
                    return 101
            return 0

        asyncio.run(refused("/v2/listen?model=flux-general-en&eot_threshold=2"))
        asyncio.run(refused("/v3/listen"))
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert "/v2/listen status 400: eot_threshold=2 is outside 0.5-1" in err
    assert "/v3/listen status 404: GET /v3/listen: Not Found" in err
    records = [json.loads(line) for line in record_file.read_text().splitlines()]
    assert [(r["path"], r["status"]) for r in records] == [("/v2/listen", 400), ("/v3/listen", 404)]
