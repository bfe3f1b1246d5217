"""idle_timeout against a real WebSocket server that closes idle streams its own way.

A 1011 with a reason other than NET-0001 is described by that reason, and its time
is compared with the server's window honestly (not "2.0 s, before the 2 s window").
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from checkkit import FAST, run_against
from hostile_peers import hostile_server

from wsdoctor.checks import idle_timeout

pytestmark = pytest.mark.slow  # the server really waits out its window

WINDOW_S = 0.6  # the server's idle window, scaled down from Deepgram's 10 s


def closes_idle_streams(code: int, reason: str):
    async def behaviour(connection) -> None:
        try:
            await asyncio.wait_for(connection.recv(), WINDOW_S)
        except TimeoutError:
            await connection.close(code, reason)
            return
        await connection.wait_closed()  # the handshake check's own short stream

    return behaviour


def idle_result(code: int, reason: str):
    settings = dataclasses.replace(FAST, server_idle_s=WINDOW_S, proxy="none")
    with hostile_server(closes_idle_streams(code, reason)) as url:
        report = run_against(url, only=("idle_timeout",), settings=settings)
    return report.entry("idle_timeout").result


def test_an_unexpected_1011_reason_is_named_not_called_early():
    result = idle_result(1011, "UPSTREAM-0042")
    assert (result.status.value, result.cause) == ("fail", idle_timeout.UNEXPECTED_CLOSE)
    assert "1011 UPSTREAM-0042" in result.summary and "not 1011 NET-0001" in result.summary
    assert "the server's 0.6 s idle window" in result.summary, result.summary  # wording: unit tests


def test_deepgrams_own_idle_close_is_still_documented_behaviour():
    result = idle_result(1011, "NET-0001")
    assert (result.status.value, result.cause) == ("pass", idle_timeout.SERVER_TIMEOUT)
