"""Deepgram's protocol facts (wsdoctor/deepgram/): the close classifier, the profiles, auth
and hosts as plain functions; and a guard that no other module writes the facts out again."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from wsdoctor.deepgram import V1, ServerClose, classify, is_deepgram_host, profile_for, region_of
from wsdoctor.deepgram.auth import authorization, presented_key
from wsdoctor.deepgram.closes import ERRORS, close_of, reason_tag
from wsdoctor.deepgram.hosts import region_url
from wsdoctor.deepgram.messages import control, message_type

# The reasons as users pasted them from the real service (deepgram-python-sdk #319, #509).
FIELD_NET0001 = (
    "Deepgram did not receive audio data or a text message within the timeout window. "
    "See https://dpgr.am/net0001"
)
FIELD_NET0000 = (
    "Deepgram did not provide a response message within the timeout window. "
    "See https://dpgr.am/net0000"
)


@pytest.mark.parametrize(
    ("code", "reason", "kind"),
    [
        (1000, "", ServerClose.NORMAL),
        (1011, FIELD_NET0001, ServerClose.NET0001),
        (1011, "NET-0001: nothing heard", ServerClose.NET0001),
        (1011, FIELD_NET0000, ServerClose.NET0000),
        (1011, "NET-0000", ServerClose.NET0000),
        (1008, "DATA-0000: The payload cannot be decoded as audio.", ServerClose.DATA0000),
        (1011, "DATA-0000", ServerClose.INTERNAL),  # a tag with the wrong code is no match
        (4000, "NET-0001", ServerClose.OTHER),
        (1011, "", ServerClose.INTERNAL),
        (1011, "upstream went away", ServerClose.INTERNAL),
        (1001, "going away", ServerClose.OTHER),
        (None, None, None),
    ],
)
def test_a_close_is_decided_by_its_code_and_its_reason(code, reason, kind):
    assert classify(code, reason) is kind


def test_the_reasons_the_lab_sends_classify_as_themselves():
    for kind, error in ERRORS.items():
        assert classify(*close_of(kind)) is kind
        assert len(error.reason.encode()) <= 123  # a close frame's reason must fit
    assert reason_tag("see dpgr.am/DATA0000") is ServerClose.DATA0000
    assert reason_tag("NET-0002") is None


def test_profiles_know_their_messages_and_paths():
    assert profile_for("wss://api.deepgram.com/v1/listen?model=nova-3") is V1
    assert profile_for("/v1/listen/") is V1
    assert profile_for("/v1/speak") is None
    assert all(V1.knows(k) for k in ("KeepAlive", "CloseStream", "Finalize", "Configure"))
    assert not V1.knows("Keepalive") and not V1.knows(None)
    assert V1.idle_window_s == 10.0 and V1.keepalive_every_s == (3.0, 5.0)
    assert (V1.clean_close_code, V1.final_message) == (1000, "Metadata")


def test_auth_as_clients_present_it():
    assert authorization("k3y") == {"Authorization": "Token k3y"}
    assert authorization("jwt", "bearer") == {"Authorization": "Bearer jwt"}
    assert authorization(None) == {}
    assert presented_key({"Authorization": "Token abc"}) == ("token", "abc")
    assert presented_key({"Authorization": "bearer eyJ.x.y"}) == ("bearer", "eyJ.x.y")
    assert presented_key({"Sec-WebSocket-Protocol": "token, abc"}) == ("subprotocol", "abc")
    assert presented_key({"Sec-WebSocket-Protocol": "chat"}) == ("none", None)
    assert presented_key({}) == ("none", None)


def test_hosts_and_regions():
    assert region_of("api.deepgram.com") == "us" and region_of("api.eu.deepgram.com") == "eu"
    assert region_of("example.test") == ""
    assert region_url("au").startswith("wss://api.au.deepgram.com/v1/listen?")
    assert is_deepgram_host("abc.eu.api.deepgram.com") and is_deepgram_host("API.deepgram.com.")
    assert not is_deepgram_host("deepgram.com.evil.test") and not is_deepgram_host("lab.test")


def test_flux_parameters_are_refused_as_deepgram_refuses_them():
    from wsdoctor.deepgram.flux import parameter_problems

    good = {"model": "flux-general-en", "encoding": "linear16", "sample_rate": "16000"}
    assert parameter_problems(good) == []
    assert parameter_problems({"model": "flux-general-en"}) == []  # a container
    assert parameter_problems({**good, "eot_threshold": "0.4"}) == [
        "eot_threshold=0.4 is outside 0.5-1"
    ]
    assert parameter_problems({**good, "eot_threshold": "0.6", "eager_eot_threshold": "0.8"}) == [
        "eager_eot_threshold=0.8 is above eot_threshold=0.6"
    ]
    assert parameter_problems({**good, "eot_timeout_ms": "100"})
    assert parameter_problems({**good, "sample_rate": "22050"})
    assert parameter_problems({**good, "model": "nova-3"})
    assert parameter_problems({**good, "language": "en"})
    assert parameter_problems(good, keyterms=["x" * 101])
    assert parameter_problems(good, keyterms=["k"] * 101)
    assert parameter_problems(good, keyterms=["k"] * 100) == []
    assert parameter_problems(good, language_hints=["de"]) == [
        "language hints need model=flux-general-multi"
    ]
    assert parameter_problems({**good, "model": "flux-general-multi", "language_hint": "de"}) == []
    assert parameter_problems({**good, "model": "flux-general-multi", "language_hint": ""})


def test_flux_is_a_second_profile():
    from wsdoctor.deepgram import FLUX

    assert profile_for("wss://api.eu.deepgram.com/v2/listen?model=flux-general-en") is FLUX
    assert FLUX.knows("ForceEndTurn") and not FLUX.knows("KeepAlive") and not FLUX.knows("Finalize")
    assert FLUX.held_by_pings and FLUX.keepalive is None and FLUX.clean_close_code is None
    assert not FLUX.idle_window_documented  # a report (about 60 s): measured, not trusted


def test_messages():
    assert message_type(control("KeepAlive")) == "KeepAlive"
    assert message_type('{"type": 5}') is None and message_type("[]") is None


# ------------------------------------------------------------- the facts live in one place

PACKAGE = Path(__file__).resolve().parent.parent / "wsdoctor"
# The protocol module itself, and the child-side redirection, which runs inside the user's
# app without wsdoctor installed.
EXEMPT = ("deepgram", "audit/redirect")
NAMES = {
    "Connected",
    "TurnInfo",
    "ForceEndTurn",
    "ConfigureSuccess",
    "ConfigureFailure",
    "StartOfTurn",
    "EndOfTurn",
    "KeepAlive",
    "CloseStream",
    "Finalize",
    "Configure",
    "Results",
    "Metadata",
    "SpeechStarted",
    "UtteranceEnd",
    "NET-0000",
    "NET-0001",
    "DATA-0000",
}
CODES = {1005, 1008, 1011}


def protocol_literals(tree: ast.AST) -> list[str]:
    """Protocol facts written as code: a message name or error tag as a whole string, a
    Deepgram close code, a 1000 compared with a close code, or an idle window of 10."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in NAMES and isinstance(node.value, str):
            found.append(f"{node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Constant) and type(node.value) is int and node.value in CODES:
            found.append(f"{node.lineno}: {node.value}")
        elif isinstance(node, ast.Compare) and "code" in ast.unparse(node):
            if any(isinstance(c, ast.Constant) and c.value == 1000 for c in node.comparators):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.AnnAssign | ast.Assign | ast.keyword | ast.arg):
            found += _idle_default(node)
    return found


def _idle_default(node: ast.AST) -> list[str]:
    if isinstance(node, ast.AnnAssign):
        name, value = ast.unparse(node.target), node.value
    elif isinstance(node, ast.keyword):
        name, value = node.arg or "", node.value
    else:
        return []
    if "idle" in name and isinstance(value, ast.Constant) and value.value == 10.0:
        return [f"{node.lineno}: {name} = 10.0"]
    return []


def test_no_protocol_fact_is_written_out_outside_the_protocol_module():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(EXEMPT):
            continue
        offenders += [f"{relative}:{hit}" for hit in protocol_literals(ast.parse(path.read_text()))]
    assert offenders == []


def test_the_guard_sees_what_it_looks_for():
    code = (
        'if kind == "KeepAlive": pass\n'
        "x = close(1011, reason)\n"
        "ok = outcome.rcvd_code == 1000\n"
        "idle_timeout: float = 10.0\n"
        'msg = "send KeepAlive every 3 s"\n'
    )
    assert len(protocol_literals(ast.parse(code))) == 4
