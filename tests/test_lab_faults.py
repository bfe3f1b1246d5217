"""Fault specs: parsing, validation, and the fault objects behind them (pure)."""

from __future__ import annotations

import pytest

from wsdoctor.errors import BadInput
from wsdoctor.lab.faults import FAULTS, Faults
from wsdoctor.lab.faults.kinds import OVERSIZED_HEADER_BYTES, Fault


def test_parse_names_and_values():
    faults = Faults.parse(["drop-after=2.5", "no-pong", "hostile=frame"])
    assert faults.seconds("drop-after") == 2.5
    assert "no-pong" in faults and "auth" not in faults
    assert faults.value("hostile") == "frame"
    assert faults.describe() == "drop-after=2.5, no-pong, hostile=frame"


def test_defaults_apply_when_no_value_is_given():
    faults = Faults.parse(["slow-handshake", "hostile"])
    assert faults.seconds("slow-handshake") == float(FAULTS["slow-handshake"].default)
    assert faults.value("hostile") == "payloads"


def test_tls_faults_need_tls():
    assert Faults.parse(["tls-expired"]).needs_tls
    assert not Faults.parse(["auth"]).needs_tls


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gremlins", "unknown lab fault"),
        ("drop-after=soon", "expected seconds"),
        ("drop-after=-1", "expected seconds"),
        ("auth=yes", "takes no value"),
        ("hostile=everything", "expected one of"),
    ],
)
def test_bad_specs_are_bad_input(spec, message):
    with pytest.raises(BadInput, match=message):
        Faults.parse([spec])


# -- faults as objects ----------------------------------------------------------------


@pytest.mark.parametrize("spec", FAULTS.values(), ids=lambda spec: spec.name)
def test_every_row_names_a_fault_class_that_bends_something(spec):
    assert issubclass(spec.kind, Fault) and spec.kind is not Fault
    own_hooks = {name for name in vars(spec.kind) if not name.startswith("_")}
    assert own_hooks & {name for name in vars(Fault) if not name.startswith("_")}


def test_no_faults_is_the_faithful_lab():
    faults = Faults()
    assert faults.hooks == ()
    assert faults.refusal() is None and faults.replacement_page() is None
    assert faults.answers_pings() and faults.answers_close_frames()
    assert faults.response_headers({"dg-request-id": "r"}) == {"dg-request-id": "r"}
    assert faults.close_reason("why") == "why" and faults.timers() == []


def test_hooks_follow_the_table_not_the_order_typed():
    faults = Faults.parse(["no-pong", "auth"])
    assert [type(f).__name__ for f in faults.hooks] == ["Auth", "NoPong"]


@pytest.mark.parametrize("specs", [["rate-limit", "bad-request"], ["bad-request", "rate-limit"]])
def test_the_later_row_wins_when_two_faults_answer_the_same_hook(specs):
    assert Faults.parse(specs).refusal().status == 429


def test_the_later_tls_fault_picks_the_leaf():
    class FakeCA:
        def issue_cert(self, *hosts, **validity):
            return hosts, bool(validity)

    leaf = Faults.parse(["tls-wrong-host", "tls-expired"]).tls_leaf(FakeCA(), ("localhost",))
    assert leaf == (("wrong-host.wsdoctor.invalid",), False)
    expired = Faults.parse(["tls-expired"]).tls_leaf(FakeCA(), ("localhost",))
    assert expired == (("localhost",), True)


def test_handshake_hooks():
    assert Faults.parse(["slow-handshake=1.5"]).handshake_delay() == 1.5
    assert "<html" in Faults.parse(["upgrade-stripped"]).replacement_page()
    assert Faults.parse(["auth"]).rejects_key() and not Faults().rejects_key()
    assert not Faults.parse(["no-close-reply"]).answers_close_frames()


def test_hostile_rewrites_errors_and_headers():
    faults = Faults.parse(["hostile=headers"])
    assert faults.error_message("Invalid credentials.").startswith("Invalid credentials. <script>")
    headers = faults.response_headers({"dg-request-id": "rid-1"})
    assert headers["dg-request-id"].startswith("rid-1 <script>")
    assert len(headers["x-lab-oversized"]) == OVERSIZED_HEADER_BYTES
    assert "x-lab-oversized" not in Faults.parse(["hostile"]).response_headers(
        {"dg-request-id": "rid-1"}
    )
