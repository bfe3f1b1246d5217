"""`explain`: pasted error texts map to the causes that produce them."""

from __future__ import annotations

import pytest

from wsdoctor import causes
from wsdoctor.explain import SYMPTOMS, explain, render_explanation


def causes_for(text: str) -> set[str]:
    return {cause for symptom in explain(text) for cause in symptom.causes}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "websockets.exceptions.ConnectionClosedError: no close frame received or sent",
            "close_frame.no_close_frame",
        ),
        ("1006", "idle_timeout.intermediary_drop"),
        ("sent 1000 (OK); no close frame received", "close_frame.no_close_reply"),
        (
            "sent 1011 (internal error) keepalive ping timeout; no close frame received",
            "stability.pong_loss",
        ),
        ("1011", "idle_timeout.server_timeout"),
        ("received 1011 (internal error) NET-0001", "idle_timeout.server_timeout"),
        ("NET-0000", "close_frame.unexpected_code"),
        ("1008", "close_frame.unexpected_code"),
        ("DATA-0000", "close_frame.unexpected_code"),
        ("HTTP 401", "handshake.unauthorized"),
        ("server rejected WebSocket connection: HTTP 400", "handshake.upgrade_rejected"),
        ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", "tls.intercepted"),
        ("[Errno -2] Name or service not known", "dns.nxdomain"),
        ("[Errno 111] Connection refused", "tcp.refused"),
        ("407 Proxy Authentication Required", "proxy.auth_required"),
        ("HTTP 429 Too Many Requests", "handshake.rate_limited"),
    ],
)
def test_pasted_text_maps_to_causes(text, expected):
    assert expected in causes_for(text)


def test_every_symptom_names_known_causes_and_checks():
    known = causes.all_causes()
    for symptom in SYMPTOMS:
        assert set(symptom.causes) <= set(known), symptom.name
        assert symptom.checks


def test_rendering_lists_steps_and_checks_to_run():
    text = render_explanation("1006", explain("1006"))
    assert "close_frame.no_close_frame" in text
    assert "Run: wsdoctor check --only" in text


def test_unknown_text_says_so_and_suggests_check():
    assert explain("the printer is on fire") == []
    text = render_explanation("the printer is on fire", [])
    assert "does not recognise" in text and "wsdoctor check" in text
