"""`explain`: pasted error texts map to the causes that produce them."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsdoctor import causes, cli
from wsdoctor.explain import SYMPTOMS, explain, looks_like_cause_id, render_explanation
from wsdoctor.registry import AUTOLOAD_OFF_ENV


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


def explain_cli(capsys, *text: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["explain", *text])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_a_cause_id_prints_that_causes_entry(capsys):
    out = explain_cli(capsys, "tls.intercepted")
    rem = causes.lookup("tls.intercepted")
    assert out.startswith(f"{rem.title} [tls.intercepted]\n")
    assert "What to do:\n    1. Ask the network team" in out
    assert f"Section of Deepgram's troubleshooting article: {rem.seed_section}" in out
    assert "Likely causes" not in out  # the entry itself, not a symptom's list


def test_a_plugins_cause_id_is_explained_from_the_plugin(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "plugin_dist"))
    monkeypatch.delenv(AUTOLOAD_OFF_ENV, raising=False)
    out = explain_cli(capsys, "probe.slow_gateway")
    assert out.startswith("The company gateway is slow to greet [probe.slow_gateway]")
    assert "1. Ask the gateway team about hello latency." in out
    assert "Section of Deepgram's troubleshooting article: Proxy or Firewall Restrictions" in out


def test_an_unknown_cause_id_falls_back_to_symptoms(capsys):
    assert "does not recognise 'tls.no_such_cause'" in explain_cli(capsys, "tls.no_such_cause")
    # Id-shaped but unknown, and it carries a close code: the symptom is explained.
    assert "close code 1006 (no close frame received or sent)" in explain_cli(capsys, "ws.1006")


def test_only_id_shaped_text_is_looked_up_as_a_cause():
    assert looks_like_cause_id("tls.intercepted") and looks_like_cause_id(" a.b_c.d ")
    for text in ("1006", "HTTP 401", "tls", "TLS.intercepted", "tls.intercepted now"):
        assert not looks_like_cause_id(text), text
