"""Fidelity proof: the real deepgram-sdk (7.x) against the lab, as a user's code would run it."""

from __future__ import annotations

import pytest
from deepgram import DeepgramClient
from deepgram.environment import DeepgramClientEnvironment
from websockets.exceptions import ConnectionClosedError

from wsdoctor.audio.pcm import LINEAR16_16K, chunked, tone
from wsdoctor.deepgram import closes


def sdk_client(lab, api_key: str = "sdk-test-key-0123456789") -> DeepgramClient:
    environment = DeepgramClientEnvironment(
        base=lab.http_url,
        production=f"ws://{lab.base}",
        agent=f"ws://{lab.base}",
        agent_rest=lab.http_url,
    )
    return DeepgramClient(api_key=api_key, environment=environment)


def open_stream(client):
    return client.listen.v1.connect(model="nova-3", encoding="linear16", sample_rate=16000)


def send_audio(socket, seconds=1.5):
    for chunk in chunked(tone(seconds), LINEAR16_16K, 0.1):
        socket.send_media(chunk)


def test_sdk_stream_ends_cleanly_with_metadata_and_1000(serve_lab):
    lab = serve_lab()
    with open_stream(sdk_client(lab)) as socket:
        send_audio(socket)
        socket.send_close_stream()
        received = list(socket)  # iteration ends on a clean 1000 close
    record = lab.records[-1]
    assert [m.type for m in received] == ["Results", "Results", "Metadata"]
    assert received[0].channel.alternatives[0].transcript == "hello from"
    assert (record.server_close_code, record.tcp_end, record.close_stream_sent) == (
        1000,
        "close-handshake",
        True,
    )


def test_sdk_surfaces_no_close_frame_with_drop_on_close(serve_lab):
    lab = serve_lab("drop-on-close")
    with open_stream(sdk_client(lab)) as socket:
        send_audio(socket)
        socket.send_close_stream()
        with pytest.raises(ConnectionClosedError) as info:
            list(socket)
    assert str(info.value) == "no close frame received or sent"


@pytest.mark.slow
def test_official_example_pattern_ends_in_net0001(serve_lab):
    # The official example stops sending and never sends CloseStream.
    lab = serve_lab(idle=1.0)
    with open_stream(sdk_client(lab)) as socket:
        send_audio(socket, 0.5)
        with pytest.raises(ConnectionClosedError) as info:
            list(socket)
    record = lab.records[-1]
    assert info.value.rcvd.code == 1011
    assert info.value.rcvd.reason == closes.NET0001_REASON
    assert not record.close_stream_sent and record.server_close_code == 1011


def test_sdk_rest_key_check_and_bad_key(serve_lab):
    from deepgram.core.api_error import ApiError

    lab = serve_lab(key="sdk-test-key-0123456789")
    projects = sdk_client(lab).manage.v1.projects.list()
    assert projects.projects[0].name == "wsdoctor lab"
    with pytest.raises(ApiError) as info:
        sdk_client(lab, "wrong-key-0000000000").manage.v1.projects.list()
    assert info.value.status_code == 401
