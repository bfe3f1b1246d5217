"""The audit relay between a real client and the lab as upstream: frames unchanged, refusals
and endings passed through as they were, never invented, and the app's key kept out."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from labkit import AUTH, CLOSE_STREAM
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from wsdoctor.audit.judge import Policy, judge_connection
from wsdoctor.audit.relay import Relay
from wsdoctor.lab.server import serving
from wsdoctor.observe.record import ClientRecord

QUERY = "/v1/listen?encoding=linear16&sample_rate=16000"


def relayed(upstream_lab, scenario):
    """Run `scenario(url, records)` against a relay in front of `upstream_lab`."""
    records: list[ClientRecord] = []

    async def main():
        relay = Relay(f"ws://{upstream_lab.base}", records.append)
        async with serving(relay.app(), "127.0.0.1", 0) as port:
            result = await scenario(f"ws://127.0.0.1:{port}{QUERY}")
            await asyncio.sleep(0.1)  # the relay files its record as the handler ends
            return result, records

    return asyncio.run(main())


def test_audio_arrives_upstream_byte_for_byte_and_the_stream_ends_cleanly(serve_lab):
    lab = serve_lab()
    sent = hashlib.sha256()

    async def scenario(url):
        async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            for _ in range(10):
                chunk = os.urandom(3200)
                sent.update(chunk)
                await ws.send(chunk)
            await ws.send(CLOSE_STREAM)
            messages = [json.loads(m) async for m in ws]
            return messages[-1], ws.close_code

    (metadata, code), (record,) = relayed(lab, scenario)
    assert metadata["type"] == "Metadata" and metadata["sha256"] == sent.hexdigest()
    assert code == 1000
    assert record.request_id == metadata["request_id"]  # the upstream's dg-request-id
    assert (record.audio_s, record.close_stream_sent, judge_connection(record, Policy())) == (
        1.0,
        True,
        [],
    )
    assert "lab-test-key" not in record.to_json()  # the key went upstream, not into records


def test_the_apps_close_code_reaches_upstream(serve_lab):
    lab = serve_lab()

    async def scenario(url):
        async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            await ws.send(bytes(3200))
            await ws.close(4000, "bye")

    relayed(lab, scenario)
    assert lab.records[-1].client_close_code == 4000


def test_an_upstream_close_reaches_the_app_with_its_code_and_reason(serve_lab):
    lab = serve_lab("net0000")

    async def scenario(url):
        async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            await ws.send(bytes(3200))
            with pytest.raises(ConnectionClosedError) as info:
                await ws.recv()
            return info.value.rcvd

    rcvd, (record,) = relayed(lab, scenario)
    upstream_record = lab.records[-1]
    assert (rcvd.code, rcvd.reason) == (1011, upstream_record.server_close_reason)
    assert record.server_close_code == 1011
    # NET-0000 is the server's own silence, not the app's idleness: nothing is the app's fault
    # (any 1011 used to read as NET-0001: client.idle_gap and client.no_close_stream).
    assert judge_connection(record, Policy()) == []


def test_an_app_using_configure_is_not_told_it_sent_unknown_text(serve_lab):
    lab = serve_lab()

    async def scenario(url):
        async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            await ws.send(bytes(3200))
            await ws.send(json.dumps({"type": "Configure", "features": {"keyterms": ["lab"]}}))
            await ws.send(bytes(3200))
            await ws.send(CLOSE_STREAM)
            return [json.loads(m)["type"] async for m in ws]

    types, (record,) = relayed(lab, scenario)
    assert types[-1] == "Metadata" and record.unknown_texts == 0
    assert judge_connection(record, Policy()) == []


def test_an_upstream_drop_reaches_the_app_as_a_drop_not_a_close_frame(serve_lab):
    lab = serve_lab("drop-after=0.3")

    async def scenario(url):
        async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            await ws.send(bytes(3200))
            with pytest.raises(ConnectionClosedError) as info:
                await ws.recv()
            return info.value

    closed, (record,) = relayed(lab, scenario)
    assert closed.rcvd is None  # no close frame was invented
    assert record.tcp_end == "lab-drop"
    assert judge_connection(record, Policy()) == []  # the server's drop is not the app's fault


def test_a_refused_upgrade_comes_back_with_its_status_and_dg_error(serve_lab):
    lab = serve_lab("auth")

    async def scenario(url):
        with pytest.raises(InvalidStatus) as info:
            async with connect(url, additional_headers=AUTH):
                pass
        return info.value.response

    response, (record,) = relayed(lab, scenario)
    assert response.status_code == 401
    assert response.headers["dg-error"] == "Invalid credentials."
    assert json.loads(response.body)["err_code"] == "INVALID_AUTH"
    assert record.status == 401


def test_audit_cli_relays_a_redirected_app_to_the_upstream(serve_lab):
    lab = serve_lab()
    app = Path(__file__).parent / "audit_apps" / "ws_app.py"
    app_argv = [sys.executable, str(app), "no-close-stream"]
    argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", "--json", "-",
            "--upstream", f"ws://{lab.base}", "--", *app_argv]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    report = json.loads(done.stdout)
    found = {f["cause"] for check in report["checks"] for f in check["findings"]}
    assert found == {"client.no_close_stream"}, done.stderr
    assert len(lab.records) == 1  # the stream really went through to the upstream
    (conn,) = [c for c in report["checks"] if c["id"] == "connection_1"]
    assert conn["evidence"]["dg_request_id"] == lab.records[0].request_id


def test_an_app_that_leaves_without_a_close_frame_is_the_apps_ending_not_a_server_drop(serve_lab):
    lab = serve_lab()

    async def scenario(url):
        ws = await connect(url, additional_headers=AUTH, ping_interval=None)
        await ws.send(bytes(3200))
        ws.transport.abort()  # a killed process: no close frame, no CloseStream

    _, (record,) = relayed(lab, scenario)
    assert record.tcp_end == "client-eof"
    causes = {f.cause for f in judge_connection(record, Policy())}
    assert causes == {"client.no_close_stream", "client.no_close_frame"}


def test_a_close_frame_without_a_code_is_relayed_and_recorded(serve_lab):
    lab = serve_lab()

    async def scenario(url):
        async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
            await ws.send(bytes(3200))
            ws.protocol.send_close()  # no status code at all, as browsers' close() sends
            ws.send_data()
            await ws.wait_closed()

    _, (record,) = relayed(lab, scenario)
    assert record.tcp_end == "close-handshake" and record.duration_s > 0
    assert lab.records[-1].first_close == "client"  # the upstream got the app's close


def test_the_apps_key_on_the_command_line_is_masked_in_the_audit_report(serve_lab):
    app = Path(__file__).parent / "audit_apps" / "ws_app.py"
    key = "app-test-key-0123456789"  # ws_app presents this key; here it is also an argument
    argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", "--json", "-",
            "--", sys.executable, str(app), "good", key]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert key not in done.stdout + done.stderr
    assert json.loads(done.stdout)["command"].count("app-test") == 0


def test_fluxs_close_without_status_reaches_the_app_as_it_came(serve_lab):
    lab = serve_lab()

    async def scenario(url):
        flux = url.replace("/v1/listen?", "/v2/listen?model=flux-general-en&")
        async with connect(flux, additional_headers=AUTH, ping_interval=None) as ws:
            await ws.send(bytes(3200))
            await ws.send(CLOSE_STREAM)
            types = [json.loads(m)["type"] async for m in ws]  # ends cleanly: no exception
            return types, ws.close_code

    (types, code), (record,) = relayed(lab, scenario)
    assert types[0] == "Connected" and code == 1005  # an empty close frame, as Flux sends it
    assert record.server_close_code == 1005 and judge_connection(record, Policy()) == []
