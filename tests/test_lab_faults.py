"""Fault specs: parsing and validation (pure)."""

from __future__ import annotations

import pytest

from wsdoctor.errors import BadInput
from wsdoctor.lab.faults import FAULTS, Faults


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
