"""The knowledge base: every cause a check can emit is explained and traced to the article."""

from __future__ import annotations

import re

import pytest

from wsdoctor import causes
from wsdoctor.registry import AUTOLOAD_OFF_ENV, Registry

# The minimum set from ARCHITECTURE.md section 3: a contract, so spelled out here.
CONTRACT_CAUSES = [
    "sdk.outdated_websockets",
    "sdk.legacy_client_ignores_proxy",
    "sdk.outdated_deepgram_sdk",
    "dns.nxdomain",
    "dns.no_answer",
    "dns.timeout",
    "dns.servfail",
    "dns.private_answer",
    "proxy.unreachable",
    "proxy.connect_denied",
    "proxy.auth_required",
    "proxy.bad_config",
    "tcp.refused",
    "tcp.timeout",
    "tcp.unreachable",
    "tls.handshake_failed",
    "tls.verify_failed",
    "tls.intercepted",
    "tls.expired",
    "tls.hostname_mismatch",
    "tls.old_protocol",
    "handshake.unauthorized",
    "handshake.bad_request",
    "handshake.upgrade_rejected",
    "handshake.rate_limited",
    "handshake.timeout",
    "handshake.server_error",
    "rest.unreachable",
    "rest.unauthorized",
    "idle_timeout.intermediary_drop",
    "idle_timeout.server_timeout",
    "keepalive.not_honoured",
    "keepalive.intermediary_drop",
    "close_frame.no_close_frame",
    "close_frame.no_close_reply",
    "close_frame.timeout",
    "close_frame.unexpected_code",
    "close_frame.no_metadata",
    "stability.dropped",
    "stability.high_latency",
    "stability.jitter",
    "stability.pong_loss",
]


def test_every_cause_a_registered_check_declares_has_an_entry():
    known = causes.all_causes()
    for entry in Registry.discover({AUTOLOAD_OFF_ENV: "1"}):  # wsdoctor's own checks
        for cause in getattr(entry.check, "causes", ()):
            assert cause in known, f"{entry.id} declares {cause} with no entry in causes.toml"
            assert cause.startswith(f"{entry.id}."), f"{cause} is not named after {entry.id}"


def test_the_contract_cause_set_is_present():
    missing = set(CONTRACT_CAUSES) - set(causes.all_causes())
    assert not missing


@pytest.mark.parametrize("cause", sorted(causes.all_causes()))
def test_entry_is_complete_and_cites_a_seed_section(cause):
    entry = causes.lookup(cause)
    assert entry is not None
    assert re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", cause)
    assert entry.seed_section in causes.SEED_SECTIONS
    assert entry.title and entry.meaning and len(entry.steps) >= 1
    assert entry.links and all(link.startswith("https://") for link in entry.links)


def test_unknown_cause_has_no_remediation():
    assert causes.lookup("nope.nothing") is None
    assert causes.lookup(None) is None
