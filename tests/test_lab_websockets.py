"""The lab against a real python-websockets client: the faithful flow and every fault's symptom."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl

import pytest
from labkit import AUTH, CLOSE_STREAM, FINALIZE, KEEP_ALIVE, audio_chunks, decode, with_lab
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidMessage, InvalidStatus

from wsdoctor.audio.pcm import silence
from wsdoctor.deepgram import closes


def opener(lab, headers=AUTH, **kwargs):
    kwargs.setdefault("ping_interval", None)
    kwargs.setdefault("close_timeout", 1)
    return connect(lab.url, additional_headers=headers, **kwargs)


async def stream_then_close(lab, **kwargs):
    async with opener(lab, **kwargs) as ws:
        for chunk in audio_chunks():
            await ws.send(chunk)
        await ws.send(CLOSE_STREAM)
        received = [m async for m in ws]
        return ws.response.headers["dg-request-id"], decode(received), ws.close_code


def test_faithful_stream_results_metadata_then_1000():
    rid, received, code = with_lab(stream_then_close)
    assert [m["type"] for m in received] == ["Results", "Results", "Metadata"]
    assert code == 1000
    first, last, meta = received
    assert first["channel"]["alternatives"][0]["transcript"] == "hello from"
    assert (first["start"], first["duration"], first["is_final"]) == (0.0, 1.0, True)
    assert (last["start"], last["duration"], last["speech_final"]) == (1.0, 0.5, True)
    assert meta["request_id"] == rid == first["metadata"]["request_id"]
    assert (meta["duration"], meta["channels"], meta["transaction_key"]) == (1.5, 1, "deprecated")


def test_record_describes_the_client():
    async def scenario(lab):
        await stream_then_close(lab)
        return lab.records[-1]

    record = with_lab(scenario)
    assert record.close_stream_sent and record.audio_s == 1.5
    assert (record.first_close, record.server_close_code, record.tcp_end) == (
        "server",
        1000,
        "close-handshake",
    )
    assert record.auth == "token"
    assert json.loads(record.to_json())["request_id"] == record.request_id


@pytest.mark.parametrize(
    ("headers", "subprotocols", "auth"),
    [
        ({"Authorization": "Bearer a.jwt.token"}, None, "bearer"),
        ({}, ["token", "browser-key-123"], "subprotocol"),
    ],
)
def test_other_auth_forms_are_accepted(headers, subprotocols, auth):
    async def scenario(lab):
        async with opener(lab, headers=headers, subprotocols=subprotocols) as ws:
            await ws.send(CLOSE_STREAM)
            _ = [m async for m in ws]
            return ws.subprotocol, lab.records

    subprotocol, records = with_lab(scenario)
    assert subprotocol == (subprotocols[0] if subprotocols else None)
    assert records[-1].auth == auth


def rejected(*faults, headers=AUTH, key=None, url_suffix=""):
    async def scenario(lab):
        with pytest.raises(InvalidStatus) as info:
            async with connect(lab.url + url_suffix, additional_headers=headers):
                pass
        return info.value.response

    return with_lab(scenario, *faults, key=key)


@pytest.mark.parametrize(
    ("faults", "headers", "key", "status", "err_code"),
    [
        ((), {}, None, 401, "INVALID_AUTH"),
        ((), AUTH, "another-key", 401, "INVALID_AUTH"),
        (("auth",), AUTH, None, 401, "INVALID_AUTH"),
        (("bad-request",), AUTH, None, 400, "Bad Request"),
        (("rate-limit",), AUTH, None, 429, "TOO_MANY_REQUESTS"),
    ],
)
def test_handshake_refusals_carry_dg_headers_and_body(faults, headers, key, status, err_code):
    response = rejected(*faults, headers=headers, key=key)
    assert response.status_code == status
    body = json.loads(response.body)
    assert body["err_code"] == err_code
    assert response.headers["dg-error"] == body["err_msg"]
    assert response.headers["dg-request-id"] == body["request_id"]


def test_raw_encoding_without_sample_rate_is_400():
    async def scenario(lab):
        with pytest.raises(InvalidStatus) as info:
            url = lab.url.split("?")[0] + "?encoding=linear16"
            async with connect(url, additional_headers=AUTH):
                pass
        return info.value.response

    response = with_lab(scenario)
    assert response.status_code == 400
    assert "sample_rate" in response.headers["dg-error"]


def test_upgrade_stripped_is_a_plain_200_page():
    response = rejected("upgrade-stripped")
    assert response.status_code == 200
    assert b"<html" in response.body and "upgrade" not in response.headers


@pytest.mark.slow
def test_slow_handshake_times_out_the_opening_handshake():
    async def scenario(lab):
        with pytest.raises(TimeoutError):
            async with connect(lab.url, additional_headers=AUTH, open_timeout=0.3):
                pass

    with_lab(scenario, "slow-handshake=2")


def test_drop_on_close_is_exactly_no_close_frame_received_or_sent():
    async def scenario(lab):
        with pytest.raises(ConnectionClosedError) as info:
            await stream_then_close(lab)
        return info.value, lab.records

    exc, records = with_lab(scenario, "drop-on-close")
    assert str(exc) == "no close frame received or sent"
    assert exc.rcvd is None and exc.sent is None
    assert records[-1].tcp_end == "lab-drop" and records[-1].close_stream_sent


async def stream_until_closed(lab, seconds=5.0):
    async with opener(lab) as ws:
        for chunk in audio_chunks(seconds):
            await ws.send(chunk)
            await asyncio.sleep(0.1)
        await ws.recv()


def test_drop_after_is_a_fin_without_close_frame():
    async def scenario(lab):
        with pytest.raises(ConnectionClosedError) as info:
            while True:
                await stream_until_closed(lab)
        return info.value

    exc = with_lab(scenario, "drop-after=0.3")
    assert str(exc) == "no close frame received or sent"
    assert exc.rcvd is None


def test_reset_after_is_a_real_tcp_rst():
    async def scenario(lab):
        with pytest.raises(ConnectionClosedError) as info:
            await stream_until_closed(lab)
        return info.value, lab.records

    exc, records = with_lab(scenario, "reset-after=0.3")
    assert str(exc) == "no close frame received or sent"
    assert isinstance(exc.__cause__, ConnectionResetError)
    assert records[-1].tcp_end == "lab-reset"


def test_no_close_reply_leaves_the_client_close_unanswered():
    async def scenario(lab):
        async with opener(lab, close_timeout=0.3) as ws:
            await ws.send(audio_chunks()[0])
            await ws.close()
            with pytest.raises(ConnectionClosedError) as info:
                await ws.recv()
        return info.value, lab.records

    exc, records = with_lab(scenario, "no-close-reply")
    assert str(exc) == "sent 1000 (OK); no close frame received"
    assert records[-1].client_close_code == 1000
    assert records[-1].server_close_code is None


@pytest.mark.slow
def test_no_close_reply_ignores_close_stream():
    async def scenario(lab):
        async with opener(lab, close_timeout=0.2) as ws:
            await ws.send(audio_chunks()[0])
            await ws.send(CLOSE_STREAM)
            with pytest.raises(TimeoutError):
                while True:
                    await asyncio.wait_for(ws.recv(), 0.5)

    with_lab(scenario, "no-close-reply", idle=5)


def test_no_pong_ends_in_keepalive_ping_timeout():
    async def scenario(lab):
        async with opener(lab, ping_interval=0.2, ping_timeout=0.2) as ws:
            with pytest.raises(ConnectionClosedError) as info:
                while True:
                    await ws.send(audio_chunks()[0])
                    await asyncio.sleep(0.05)
        return info.value

    exc = with_lab(scenario, "no-pong", idle=5)
    assert str(exc) == "sent 1011 (internal error) keepalive ping timeout; no close frame received"


def test_pings_are_answered_by_default():
    async def scenario(lab):
        async with opener(lab) as ws:
            latency = await asyncio.wait_for(await ws.ping(), 1)
            await ws.send(CLOSE_STREAM)
            _ = [m async for m in ws]
        return latency, lab.records

    latency, records = with_lab(scenario)
    assert latency >= 0 and records[-1].pings == 1


@pytest.mark.parametrize(
    ("fault", "code", "reason"),
    [("data-error", 1008, "DATA-0000"), ("net0000", 1011, "NET-0000")],
)
def test_error_closes(fault, code, reason):
    async def scenario(lab):
        with pytest.raises(ConnectionClosedError) as info:
            await stream_then_close(lab)
        return info.value

    exc = with_lab(scenario, fault)
    assert exc.rcvd.code == code and exc.rcvd.reason.startswith(reason)


def test_idle_stream_gets_metadata_then_net0001():
    async def scenario(lab):
        async with opener(lab) as ws:
            received = []
            with pytest.raises(ConnectionClosedError) as info:
                while True:
                    received.append(await ws.recv())
        return decode(received), info.value

    received, exc = with_lab(scenario, idle=0.5)
    assert [m["type"] for m in received] == ["Metadata"]
    assert exc.rcvd.code == 1011 and exc.rcvd.reason == closes.NET0001_REASON
    assert len(closes.NET0001_REASON.encode()) <= 123


def test_keepalive_without_audio_does_not_hold_the_stream():
    async def scenario(lab):
        async with opener(lab) as ws:
            with pytest.raises(ConnectionClosedError) as info:
                for _ in range(30):
                    await ws.send(KEEP_ALIVE)
                    await asyncio.sleep(0.1)
        return info.value

    assert with_lab(scenario, idle=0.5).rcvd.code == 1011


@pytest.mark.slow
def test_keepalive_after_audio_holds_the_stream_past_the_idle_window():
    async def scenario(lab):
        async with opener(lab) as ws:
            await ws.send(audio_chunks()[0])
            for _ in range(10):  # 1.5 s of KeepAlive against a 0.5 s idle window
                await ws.send(KEEP_ALIVE)
                await asyncio.sleep(0.15)
            await ws.send(CLOSE_STREAM)
            received = decode([m async for m in ws])
        return received, ws.close_code, lab.records

    received, code, records = with_lab(scenario, idle=0.5)
    assert code == 1000 and received[-1]["type"] == "Metadata"
    assert len(records[-1].keepalive_at) == 10
    assert all(0.1 < gap < 1.0 for gap in records[-1].keepalive_gaps_s)


def test_finalize_flushes_with_from_finalize():
    async def scenario(lab):
        async with opener(lab) as ws:
            for chunk in audio_chunks(0.5):
                await ws.send(chunk)
            await ws.send(FINALIZE)
            flushed = json.loads(await ws.recv())
            await ws.send(CLOSE_STREAM)
            _ = [m async for m in ws]
        return flushed

    flushed = with_lab(scenario)
    assert flushed["from_finalize"] is True and flushed["is_final"] is True
    assert flushed["duration"] == 0.5


def test_empty_binary_frame_is_the_legacy_close():
    async def scenario(lab):
        async with opener(lab) as ws:
            await ws.send(audio_chunks()[0])
            await ws.send(b"")
            received = decode([m async for m in ws])
        return received, ws.close_code

    received, code = with_lab(scenario)
    assert code == 1000 and received[-1]["type"] == "Metadata"


@pytest.mark.slow
def test_interims_speech_started_and_utterance_end():
    async def scenario(lab):
        url = lab.url + "&interim_results=true&vad_events=true&utterance_end_ms=1000"
        async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            await ws.send(audio_chunks(0.5, 0.5)[0])
            received = []
            for _ in range(30):  # 3 s of silence, in real time
                await ws.send(silence(0.1))
                with contextlib.suppress(TimeoutError):
                    received.append(json.loads(await asyncio.wait_for(ws.recv(), 0.1)))
            return received

    received = with_lab(scenario, idle=5)
    types = [m["type"] for m in received]
    assert types[0] == "SpeechStarted"
    assert "UtteranceEnd" in types
    interims = [m for m in received if m["type"] == "Results" and not m["is_final"]]
    assert 2 <= len(interims) <= 4  # about one a second over ~3 s


def test_hostile_payloads_reach_the_client_verbatim():
    async def scenario(lab):
        with pytest.raises(ConnectionClosedError) as info:
            async with opener(lab) as ws:
                header = ws.response.headers["dg-request-id"]
                await ws.send(audio_chunks()[0])
                first = json.loads(await ws.recv())
                while True:
                    await ws.recv()
        return header, first, info.value

    header, first, exc = with_lab(scenario, "hostile", idle=0.3)
    assert "<script>" in header
    assert "<script>" in first["channel"]["alternatives"][0]["transcript"]
    assert "<script>" in exc.rcvd.reason and "\u202e" in exc.rcvd.reason


def test_hostile_headers_break_the_handshake():
    async def scenario(lab):
        with pytest.raises(InvalidMessage):
            async with opener(lab):
                pass

    with_lab(scenario, "hostile=headers")


def test_hostile_frame_exceeds_the_client_limit():
    async def scenario(lab):
        with pytest.raises(ConnectionClosedError) as info:
            async with opener(lab) as ws:
                await ws.send(audio_chunks()[0])
                while True:
                    await ws.recv()
        return info.value

    assert with_lab(scenario, "hostile=frame").sent.code == 1009


def tls_scenario(lab):
    async def scenario():
        context = ssl.create_default_context(cafile=lab.ca_file)
        async with connect(lab.url, additional_headers=AUTH, ssl=context) as ws:
            await ws.send(CLOSE_STREAM)
            _ = [m async for m in ws]
            return ws.close_code

    return scenario()


def test_tls_lab_is_trusted_with_its_ca_file():
    assert with_lab(tls_scenario, tls=True) == 1000


@pytest.mark.parametrize(
    ("fault", "message"),
    [("tls-expired", "certificate has expired"), ("tls-wrong-host", "mismatch")],
)
def test_tls_faults_fail_verification(fault, message):
    async def scenario(lab):
        assert lab.url.startswith("wss://")
        with pytest.raises(ssl.SSLCertVerificationError, match=message):
            await tls_scenario(lab)

    with_lab(scenario, fault)
