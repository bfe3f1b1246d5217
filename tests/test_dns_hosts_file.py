"""dns: a name the hosts file answers is credited to the hosts file, not to the resolver.

Inside a network namespace whose hosts file lists the name and whose resolv.conf
points at dnsmasq on the namespace's own loopback, which says NXDOMAIN for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from intermediaries import dnsmasq
from netns import exec_argv, namespace

from wsdoctor.net.resolve import hosts_entries

pytestmark = pytest.mark.slow

HOSTS = {"stt.example.net": "93.184.216.34"}  # never connected to: only dns runs


def dns_in(ns: str, tmp_path, host: str) -> dict:
    out = tmp_path / f"{host}.json"
    argv = [sys.executable, "-m", "wsdoctor", "check", "--url", f"wss://{host}/v1/listen"]
    argv += ["--only", "dns", "--proxy", "none", "--no-save", "--json", str(out)]
    environ = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    done = subprocess.run(exec_argv(ns, *argv), capture_output=True, text=True, env=environ)
    assert out.exists(), done.stderr
    return next(c for c in json.loads(out.read_text())["checks"] if c["id"] == "dns")


@pytest.fixture
def resolver_ns():
    records = {"dns.example.net": "93.184.216.35"}
    with namespace(HOSTS) as ns, dnsmasq(records, ("example.net",), netns=ns, port=53):
        yield ns


def test_a_hosts_file_answer_is_not_credited_to_the_resolver(resolver_ns, tmp_path):
    result = dns_in(resolver_ns, tmp_path, "stt.example.net")
    assert result["status"] == "pass", result["summary"]
    assert result["evidence"]["answered_by"] == (
        "hosts file /etc/hosts; DNS 127.0.0.1 says NXDOMAIN"
    )
    assert "stt.example.net -> 93.184.216.34 (hosts file" in result["summary"]


def test_a_dns_answer_is_credited_to_the_resolver(resolver_ns, tmp_path):
    result = dns_in(resolver_ns, tmp_path, "dns.example.net")
    assert result["status"] == "pass", result["summary"]
    assert result["evidence"]["answered_by"] == "resolver 127.0.0.1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.9 stt.example.net stt # lab\n", ["127.0.0.9"]),
        ("# 10.0.0.1 stt.example.net\n::1 STT.Example.NET.\n", ["::1"]),
        ("10.0.0.1 other.example.net\n", []),
    ],
)
def test_hosts_entries(text, expected):
    assert hosts_entries("stt.example.net", text) == expected
