"""classify_close: the close-frame record -> what happened (pure, no sockets)."""

from __future__ import annotations

import pytest

from wsdoctor.checks.closure import Closure, against_window, classify_close, describe
from wsdoctor.net.session import Outcome


def ended(**kwargs) -> Outcome:
    return Outcome(closed=True, closed_at_s=1.0, **kwargs)


@pytest.mark.parametrize(
    ("outcome", "closure"),
    [
        (Outcome(), Closure.STILL_OPEN),
        (
            ended(underlying="EOFError", message="no close frame received or sent"),
            Closure.NO_CLOSE_FRAME,
        ),
        (ended(underlying="ConnectionResetError"), Closure.NO_CLOSE_FRAME),
        (
            ended(sent_code=1000, message="sent 1000 (OK); no close frame received"),
            Closure.NO_CLOSE_REPLY,
        ),
        (ended(sent_code=1011, sent_reason="keepalive ping timeout"), Closure.PING_TIMEOUT),
        (ended(sent_code=1009, sent_reason="over size limit"), Closure.CLIENT_ERROR),
        (
            ended(
                rcvd_code=1000,
                sent_code=1000,
                server_closed_first=True,
                message_types=["Results", "Metadata"],
            ),
            Closure.CLEAN,
        ),
        (
            ended(
                rcvd_code=1000, sent_code=1000, server_closed_first=True, message_types=["Results"]
            ),
            Closure.BARE_1000,
        ),
        (
            ended(
                rcvd_code=1011,
                rcvd_reason="NET-0001: idle",
                server_closed_first=True,
                message_types=["Metadata"],
            ),
            Closure.NET0001,
        ),
        (
            ended(rcvd_code=1008, rcvd_reason="DATA-0000", server_closed_first=True),
            Closure.SERVER_ERROR,
        ),
        (
            ended(rcvd_code=1011, rcvd_reason="NET-0000", server_closed_first=True),
            Closure.SERVER_ERROR,
        ),
        (ended(rcvd_code=1000, sent_code=1000, server_closed_first=False), Closure.CLIENT_CLOSED),
    ],
)
def test_classify_close(outcome, closure):
    assert classify_close(outcome) is closure


def test_describe_prefers_the_servers_close_frame():
    assert describe(ended(rcvd_code=1011, rcvd_reason="NET-0001")) == "server closed 1011 NET-0001"
    assert describe(ended(message="no close frame received or sent")) == (
        "no close frame received or sent"
    )


@pytest.mark.parametrize(
    ("status", "headers", "cause"),
    [
        (401, {"dg-request-id": "r"}, "handshake.unauthorized"),
        (403, {"server": "corp-filter"}, "handshake.intermediary_refused"),
        (502, {"server": "nginx"}, "handshake.gateway_error"),
        (504, {"x-squid-error": "ERR_DNS_FAIL 0"}, "handshake.gateway_error"),
        (503, {"dg-request-id": "r"}, "handshake.server_error"),
        (426, {}, "handshake.upgrade_rejected"),
        (200, {}, "handshake.upgrade_rejected"),
        (400, {}, "handshake.upgrade_rejected"),
        (400, {"dg-error": "bad model"}, "handshake.bad_request"),
        (404, {"dg-request-id": "r"}, "handshake.wrong_path"),
        (404, {"server": "nginx"}, "handshake.upgrade_rejected"),  # not Deepgram: in between
    ],
)
def test_who_answered_a_failed_upgrade(status, headers, cause):
    from wsdoctor.checks.handshake import rejection

    assert rejection(status, headers, b"<html>", has_key=True)[0] == cause


def test_a_wrong_path_names_deepgrams_live_endpoints():
    from wsdoctor.checks.handshake import rejection

    _, summary = rejection(404, {"dg-request-id": "r"}, b"", True, "/v3/listen")
    assert "/v3/listen" in summary and "/v1/listen" in summary and "/v2/listen (flux)" in summary


@pytest.mark.parametrize(
    ("seconds", "window", "expected"),
    [
        (1.96, 2.0, "at about the server's 2 s idle window"),
        (2.04, 2.0, "at about the server's 2 s idle window"),
        (1.2, 2.0, "0.8 s before the server's 2 s idle window"),
        (9.6, 10.0, "at about the server's 10 s idle window"),
        (4.0, 10.0, "6.0 s before the server's 10 s idle window"),
        (12.5, 10.0, "2.5 s after the server's 10 s idle window"),
    ],
)
def test_against_window_claims_no_more_precision_than_it_has(seconds, window, expected):
    assert against_window(seconds, window) == expected
