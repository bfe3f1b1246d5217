"""Flux on the lab's /v2/listen against real clients on loopback: python-websockets and the
official deepgram-sdk 7 `listen.v2` client, as a user's code would run them."""

from __future__ import annotations

import asyncio
import json

import pytest
from deepgram import DeepgramClient
from deepgram.environment import DeepgramClientEnvironment
from labkit import AUTH, CLOSE_STREAM, KEEP_ALIVE, decode, with_lab
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK, InvalidStatus

from wsdoctor.audio.pcm import LINEAR16_16K, chunked, silence, tone
from wsdoctor.audio.speech import clip, speech
from wsdoctor.deepgram import closes
from wsdoctor.deepgram import messages as dg
from wsdoctor.deepgram.hosts import FLUX_URL

SENTENCE = " ".join(w.word for w in clip().words)
TAKE = speech(clip().seconds) + silence(1.0)  # the clip, then enough silence to end the turn


def flux_url(lab, query: str = "") -> str:
    url = lab.serving(FLUX_URL)
    return f"{url}&{query}" if query else url


def opener(lab, query: str = "", **kwargs):
    kwargs.setdefault("ping_interval", None)
    kwargs.setdefault("close_timeout", 2)
    return connect(flux_url(lab, query), additional_headers=AUTH, **kwargs)


async def send_audio(ws, audio: bytes) -> None:
    for chunk in chunked(audio, LINEAR16_16K, 0.08):
        await ws.send(chunk)


def test_a_stream_gets_connected_turns_with_the_clip_and_ends_without_status():
    async def scenario(lab):
        async with opener(lab) as ws:
            await send_audio(ws, TAKE)
            await ws.send(CLOSE_STREAM)
            received = decode([m async for m in ws])
            return received, ws.close_code, lab.records

    received, code, records = with_lab(scenario)
    assert received[0]["type"] == dg.CONNECTED and received[0]["sequence_id"] == 0
    assert [m["sequence_id"] for m in received] == list(range(len(received)))
    turn = [m["event"] for m in received[1:] if m["event"] != dg.UPDATE]
    assert turn == [dg.START_OF_TURN, dg.END_OF_TURN]  # none after CloseStream
    end = next(m for m in received if m.get("event") == dg.END_OF_TURN)
    assert (end["transcript"], end["trigger"]) == (SENTENCE, dg.TRIGGER_MODEL)
    assert code == closes.NO_STATUS  # a close frame without a status code
    record = records[-1]
    assert (record.path, record.first_close, record.server_close_code, record.tcp_end) == (
        "/v2/listen",
        "server",
        None,
        "close-handshake",
    )


def test_close_stream_ends_with_1005_as_python_websockets_reports_it():
    async def scenario(lab):
        async with opener(lab) as ws:
            await send_audio(ws, tone(0.5))
            await ws.send(CLOSE_STREAM)
            with pytest.raises(ConnectionClosedOK) as info:
                while True:
                    await ws.recv()
            return info.value

    closed = with_lab(scenario)
    assert closed.rcvd is not None and closed.rcvd.code == 1005
    assert closed.sent is not None and closed.sent.code == 1005  # the client echoed it


def test_a_keepalive_is_an_error_then_a_close_without_status():
    async def scenario(lab):
        async with opener(lab) as ws:
            await ws.send(KEEP_ALIVE)
            received = decode([m async for m in ws])
            return received, ws.close_code, lab.records[-1]

    received, code, record = with_lab(scenario)
    assert [m["type"] for m in received] == [dg.CONNECTED, dg.ERROR]
    assert code == 1005 and record.unknown_texts == 1


def test_a_client_close_is_echoed_at_once():
    async def scenario(lab):
        loop = asyncio.get_running_loop()
        async with opener(lab) as ws:
            await ws.recv()  # Connected
            started = loop.time()
            await ws.close(1000, "done")
            return ws.close_code, loop.time() - started, lab

    code, took, lab = with_lab(scenario)
    assert code == 1000 and took < 0.5
    record = lab.records[-1]
    assert (record.client_close_code, record.first_close) == (1000, "client")


def test_a_bad_parameter_is_a_400_that_names_nothing_but_the_record_names_it():
    async def scenario(lab):
        with pytest.raises(InvalidStatus) as info:
            async with opener(lab, "eot_threshold=0.2"):
                pass
        return info.value.response, lab.records[-1]

    response, record = with_lab(scenario)
    assert response.status_code == 400 and response.headers["dg-request-id"]
    body = json.loads(response.body)
    assert "eot_threshold" not in body["err_msg"] and response.headers["dg-error"]
    assert (record.path, record.status) == ("/v2/listen", 400)
    assert record.refused_because == "eot_threshold=0.2 is outside 0.5-1"


def test_an_unknown_path_is_a_404_and_is_recorded_with_its_path():
    async def scenario(lab):
        url = lab.serving("wss://x/v3/listen?model=nova-3")
        with pytest.raises(InvalidStatus) as info:
            async with connect(url, additional_headers=AUTH):
                pass
        return info.value.response, lab.records[-1]

    response, record = with_lab(scenario)
    assert response.status_code == 404 and response.headers["dg-request-id"]
    assert (record.path, record.status) == ("/v3/listen", 404)
    assert "/v3/listen" in record.refused_because


@pytest.mark.slow
def test_mute_after_stalls_turn_info_while_pings_get_pongs():
    async def scenario(lab):
        async with opener(lab) as ws:
            await send_audio(ws, tone(0.5))
            await asyncio.sleep(1.1)  # past mute-after=1
            before = decode(await drain(ws))
            await send_audio(ws, tone(1.0))
            pong = await ws.ping()
            await asyncio.wait_for(pong, 1.0)
            after = await drain(ws)
            return before, after, ws.state.name

    before, after, state = with_lab(scenario, "mute-after=1", idle=5.0)
    assert any(m["type"] == dg.TURN_INFO for m in before)
    assert after == [] and state == "OPEN"


async def drain(ws, quiet_s: float = 0.3) -> list:
    out = []
    while True:
        try:
            out.append(await asyncio.wait_for(ws.recv(), quiet_s))
        except TimeoutError:
            return out


@pytest.mark.slow
def test_pings_hold_an_idle_flux_stream_and_without_them_it_closes():
    async def scenario(lab):
        loop = asyncio.get_running_loop()
        async with opener(lab) as ws:
            started = loop.time()
            for _ in range(4):  # 2 s of pings, twice the lab's 1 s window
                await asyncio.sleep(0.5)
                await asyncio.wait_for(await ws.ping(), 1.0)
            held = loop.time() - started
            with pytest.raises(ConnectionClosed) as info:
                while True:
                    await ws.recv()
            return held, info.value.rcvd

    held, rcvd = with_lab(scenario)
    assert held >= 2.0
    assert (rcvd.code, rcvd.reason) == closes.close_of(closes.ServerClose.NET0001)


# -- the official SDK -----------------------------------------------------------------


def sdk_client(lab) -> DeepgramClient:
    environment = DeepgramClientEnvironment(
        base=lab.http_url,
        production=f"ws://{lab.base}",
        agent=f"ws://{lab.base}",
        agent_rest=lab.http_url,
    )
    return DeepgramClient(api_key="sdk-test-key-0123456789", environment=environment)


def test_the_deepgram_sdk_v2_client_hears_the_clip_and_ends_cleanly(serve_lab):
    lab = serve_lab()
    client = sdk_client(lab)
    with client.listen.v2.connect(
        model="flux-general-en", encoding="linear16", sample_rate=16000
    ) as socket:
        for chunk in chunked(TAKE, LINEAR16_16K, 0.08):
            socket.send_media(chunk)
        socket.send_close_stream()
        received = list(socket)  # ends on the close without status: no exception
    assert type(received[0]).__name__ == "ListenV2Connected"
    turns = [m for m in received if type(m).__name__ == "ListenV2TurnInfo"]
    end = next(m for m in turns if m.event == dg.END_OF_TURN)
    assert end.transcript == SENTENCE and end.trigger == dg.TRIGGER_MODEL
    assert [w.word for w in end.words] == SENTENCE.split()
    record = lab.records[-1]
    assert record.close_stream_sent and record.server_close_code is None
