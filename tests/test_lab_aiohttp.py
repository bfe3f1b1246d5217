"""The lab against a real aiohttp client: each fault's symptom as aiohttp users see it."""

from __future__ import annotations

import json
import ssl

import aiohttp
import pytest
from labkit import AUTH, CLOSE_STREAM, audio_chunks, with_lab

from wsdoctor.deepgram import closes

TIMEOUT = aiohttp.ClientWSTimeout(ws_receive=None, ws_close=0.5)


async def exchange(lab, *, close_stream=True, client_close=False, heartbeat=None, max_msg=0):
    """Send audio, optionally CloseStream or close(), and read until the connection ends."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            lab.url, headers=AUTH, timeout=TIMEOUT, heartbeat=heartbeat, max_msg_size=max_msg
        ) as ws,
    ):
        await ws.send_bytes(audio_chunks(0.5, 0.5)[0])
        if close_stream:
            await ws.send_str(CLOSE_STREAM)
        if client_close:
            await ws.close()
        received = []
        while True:
            msg = await ws.receive(timeout=5)
            received.append(msg)
            if msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.ERROR,
            ):
                return received, ws.close_code, ws.exception()


def run(*faults, idle=0.5, **kwargs):
    return with_lab(lambda lab: exchange(lab, **kwargs), *faults, idle=idle)


def texts(received):
    return [json.loads(m.data)["type"] for m in received if m.type == aiohttp.WSMsgType.TEXT]


def test_faithful_close_stream():
    received, code, _ = run()
    assert texts(received) == ["Results", "Metadata"]
    assert (received[-1].type, code) == (aiohttp.WSMsgType.CLOSE, 1000)


@pytest.mark.parametrize(
    ("faults", "kwargs"),
    [
        (("drop-on-close",), {}),
        (("drop-after=0.2",), {"close_stream": False}),
        (("reset-after=0.2",), {"close_stream": False}),
    ],
)
def test_tcp_endings_without_close_frame_are_1006(faults, kwargs):
    received, code, _ = run(*faults, idle=5, **kwargs)
    assert received[-1].type == aiohttp.WSMsgType.CLOSED
    assert code == 1006


def test_no_close_reply_times_out_the_client_close():
    received, code, exc = run("no-close-reply", close_stream=False, client_close=True)
    assert received[-1].type == aiohttp.WSMsgType.CLOSED
    assert code == 1006 and isinstance(exc, TimeoutError)


def test_no_pong_trips_the_heartbeat():
    received, code, exc = run("no-pong", idle=5, close_stream=False, heartbeat=0.2)
    assert received[-1].type == aiohttp.WSMsgType.ERROR
    assert isinstance(exc, aiohttp.ServerTimeoutError) and code == 1006


@pytest.mark.parametrize(
    ("fault", "code", "reason"),
    [("data-error", 1008, "DATA-0000"), ("net0000", 1011, "NET-0000")],
)
def test_error_close_codes(fault, code, reason):
    received, close_code, _ = run(fault)
    assert close_code == code and received[-1].extra.startswith(reason)


def test_idle_stream_gets_metadata_then_net0001():
    received, code, _ = run(close_stream=False)
    assert texts(received) == ["Metadata"]
    assert code == 1011 and received[-1].extra == closes.NET0001_REASON


@pytest.mark.parametrize(
    ("fault", "status"),
    [("auth", 401), ("bad-request", 400), ("rate-limit", 429), ("upgrade-stripped", 200)],
)
def test_handshake_faults_raise_ws_server_handshake_error(fault, status):
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        run(fault)
    assert info.value.status == status


@pytest.mark.slow
def test_slow_handshake_hits_the_client_timeout():
    async def scenario(lab):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as session:
            with pytest.raises(TimeoutError):
                await session.ws_connect(lab.url, headers=AUTH)

    with_lab(scenario, "slow-handshake=2")


def test_hostile_headers_are_refused_by_the_parser():
    with pytest.raises(aiohttp.ClientResponseError, match="8190 bytes"):
        run("hostile=headers")


def test_hostile_frame_exceeds_the_client_limit():
    received, code, _ = run("hostile=frame", max_msg=1024 * 1024)
    assert received[-1].type == aiohttp.WSMsgType.ERROR
    assert "exceeds limit" in str(received[-1].data)
    assert code == 1009


def test_hostile_close_reason_reaches_the_client():
    received, _, _ = run("hostile")
    assert "<script>" in json.loads(received[0].data)["channel"]["alternatives"][0]["transcript"]
    assert "<script>" in received[-1].extra


@pytest.mark.parametrize(
    ("fault", "message"),
    [("tls-expired", "certificate has expired"), ("tls-wrong-host", "mismatch")],
)
def test_tls_faults_fail_aiohttp_verification(fault, message):
    async def scenario(lab):
        context = ssl.create_default_context(cafile=lab.ca_file)
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.ClientConnectorCertificateError, match=message):
                await session.ws_connect(lab.url, headers=AUTH, ssl=context)

    with_lab(scenario, fault)


def test_tls_lab_works_for_aiohttp_with_its_ca():
    async def scenario(lab):
        context = ssl.create_default_context(cafile=lab.ca_file)
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(lab.url, headers=AUTH, ssl=context) as ws,
        ):
            await ws.send_str(CLOSE_STREAM)
            while (await ws.receive()).type != aiohttp.WSMsgType.CLOSE:
                pass
            return ws.close_code

    assert with_lab(scenario, tls=True) == 1000
