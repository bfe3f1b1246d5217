"""dnsmasq on a loopback port as --dns-server: good answers, NXDOMAIN, hijack, and silence."""

from __future__ import annotations

import dataclasses

import pytest
from checkkit import FAST, run_against
from intermediaries import dnsmasq, silent_udp_server

pytestmark = pytest.mark.slow

RECORDS = {"stt.example.com": "93.184.216.34", "hijacked.example.com": "10.20.30.40"}


def dns_result(host: str, port: int, **changes):
    settings = dataclasses.replace(FAST, dns_server=("127.0.0.1", port), proxy="none", **changes)
    report = run_against(f"wss://{host}/v1/listen", only=("dns",), settings=settings)
    return report.entry("dns").result


def test_good_answer():
    with dnsmasq(RECORDS) as port:
        result = dns_result("stt.example.com", port)
    assert result.status.value == "pass"
    assert result.evidence["A"] == "93.184.216.34"
    assert result.evidence["resolver"] == f"127.0.0.1:{port}"
    assert "a_query_ms" in result.measurements


def test_nxdomain():
    with dnsmasq(RECORDS, local_domains=("example.net",)) as port:
        result = dns_result("missing.example.net", port)
    assert (result.status.value, result.cause) == ("fail", "dns.nxdomain")


def test_private_answer_for_a_public_name_is_flagged():
    with dnsmasq(RECORDS) as port:
        result = dns_result("hijacked.example.com", port)
    assert (result.status.value, result.cause) == ("warn", "dns.private_answer")
    assert "10.20.30.40" in result.summary


def test_silent_resolver_times_out():
    with silent_udp_server() as port:
        result = dns_result("stt.example.com", port, check_timeout_s=2.0)
    assert (result.status.value, result.cause) == ("fail", "dns.timeout")
