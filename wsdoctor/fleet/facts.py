"""What a report says about its place, reduced to values two places can be compared on.

The fleet view asks "what differs between the places that pass and the places that
fail?". That needs like-for-like values: the resolver, the proxy settings, the TLS
issuer, the first hop, the platform, library versions (categorical), and the timings
of opening a stream (numeric). Everything is read defensively: reports are untrusted
input, and a missing part is simply not a fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_FACT = 200  # a value longer than this is cut: it is a table cell, not evidence

# (fact name, check id, evidence key)
EVIDENCE_FACTS = (
    ("TLS issuer", "tls", "issuer"),
    ("first hop", "tcp", "first_hop"),
    ("websockets proxy", "proxy", "websockets_proxy"),
    ("DNS answered by", "dns", "resolver"),
)
# (timing name, check id, measurement key): numbers compared by their medians
MEASURED_TIMINGS = (
    ("open to 101 ms", "handshake", "to_101_ms"),
    ("RTT p50 ms", "stability", "rtt_p50_ms"),
)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _checks(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {c["id"]: c for c in report.get("checks", ()) if isinstance(c, dict) and "id" in c}


def _cut(value: object) -> str:
    text = str(value)
    return text if len(text) <= MAX_FACT else text[: MAX_FACT - 1] + "…"


def environment_facts(environment: Mapping[str, Any]) -> dict[str, str]:
    resolver = environment.get("resolver")
    servers = [
        str(line).removeprefix("nameserver").strip()
        for line in (resolver if isinstance(resolver, list) else [])
        if str(line).startswith("nameserver")
    ]
    proxies = _mapping(environment.get("proxy_env"))
    platforms = environment.get("platforms")
    titles = [
        str(p.get("title"))
        for p in (platforms if isinstance(platforms, list) else [])
        if isinstance(p, dict)
    ]
    packages = _mapping(environment.get("packages"))
    return {
        "resolver": ", ".join(servers) or "none listed",
        "proxy env": ", ".join(f"{k}={v}" for k, v in sorted(proxies.items())) or "none",
        "platform": ", ".join(titles) or "none detected",
        "websockets version": str(packages.get("websockets") or "not installed"),
        "python": str(environment.get("python") or "unknown"),
    }


def facts_of(report: Mapping[str, Any]) -> dict[str, str]:
    """Categorical facts: the environment's, then what the path checks recorded."""
    facts = environment_facts(_mapping(report.get("environment")))
    checks = _checks(report)
    for name, check_id, key in EVIDENCE_FACTS:
        value = _mapping(checks.get(check_id, {}).get("evidence")).get(key)
        if value not in (None, ""):
            facts[name] = str(value)
    return {name: _cut(value) for name, value in facts.items()}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def timings_of(report: Mapping[str, Any]) -> dict[str, float]:
    """Numeric route timings: each handshake phase, time to 101, and the stream's RTT."""
    checks = _checks(report)
    timings: dict[str, float] = {}
    phases = checks.get("handshake", {}).get("phases")
    for phase in phases if isinstance(phases, list) else []:
        ms = _number(_mapping(phase).get("ms"))
        if ms is not None:
            timings[f"{_cut(_mapping(phase).get('label'))} ms"] = ms
    for name, check_id, key in MEASURED_TIMINGS:
        value = _number(_mapping(checks.get(check_id, {}).get("measurements")).get(key))
        if value is not None:
            timings[name] = value
    return timings
