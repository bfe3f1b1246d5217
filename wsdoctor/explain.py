"""`wsdoctor explain`: from the text a user pasted to the causes worth checking.

People arrive with an error message, not a diagnosis. Each symptom below says
what the message means on the wire, which causes produce it, and which checks
tell those causes apart. People also arrive with a report that names a cause id
(`tls.intercepted`, or a plugin's); `render_cause` prints that cause's entry.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from . import causes
from .causes import Remediation

# What a cause id looks like: `<check>.<name>`, lower case (a close code or prose never is).
CAUSE_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")


@dataclass(frozen=True)
class Symptom:
    pattern: str  # a regular expression, matched case-insensitively
    name: str
    meaning: str
    causes: tuple[str, ...]
    checks: tuple[str, ...]


SYMPTOMS: tuple[Symptom, ...] = (
    Symptom(
        r"no close frame received or sent|\b1006\b|abnormal closure",
        "close code 1006 (no close frame received or sent)",
        "The TCP connection ended with no WebSocket close frame in either direction. "
        "Either the client stopped without closing, or something on the path cut it.",
        (
            "close_frame.no_close_frame",
            "idle_timeout.intermediary_drop",
            "idle_timeout.below_keepalive_interval",
            "stability.dropped",
            "sdk.legacy_client_ignores_proxy",
            "client.closed_before_final",
            "client.no_close_frame",
        ),
        ("close_frame", "idle_timeout", "stability", "proxy", "sdk"),
    ),
    Symptom(
        r"sent 1000 \(OK\); no close frame received",
        "sent 1000 (OK); no close frame received",
        "Your client closed cleanly, but nothing echoed its close frame before the close timeout.",
        ("close_frame.no_close_reply",),
        ("close_frame", "proxy"),
    ),
    Symptom(
        r"keepalive ping timeout|ping timeout",
        "keepalive ping timeout",
        "The client's own WebSocket ping got no pong in time: a dead or lossy path, or an "
        "event loop blocked by your code so pongs could not be processed.",
        (
            "stability.pong_loss",
            "stability.uplink_too_slow",
            "stability.dropped",
            "idle_timeout.silent_drop",  # only after a pause: a hop forgot the idle flow
        ),
        ("stability", "idle_timeout"),
    ),
    Symptom(
        r"NET-0001|dpgr\.am/net0001",
        "1011 NET-0001",
        "Deepgram received no audio or KeepAlive for about 10 seconds and closed the stream.",
        ("idle_timeout.server_timeout", "keepalive.not_honoured", "client.idle_gap"),
        ("idle_timeout", "keepalive"),
    ),
    Symptom(
        r"NET-0000|dpgr\.am/net0000",
        "1011 NET-0000",
        "The server produced no response within its window.",
        ("close_frame.unexpected_code",),
        ("close_frame", "stability"),
    ),
    Symptom(
        r"\b1011\b|internal error",
        "close code 1011 (internal error)",
        "The server (or your client, for keepalive timeouts) ended the stream with an error. "
        "The reason text says which: NET-0001 is an idle timeout.",
        ("idle_timeout.server_timeout", "close_frame.unexpected_code", "stability.pong_loss"),
        ("idle_timeout", "close_frame", "stability"),
    ),
    Symptom(
        r"DATA-0000|\b1008\b|policy violation",
        "1008 DATA-0000",
        "The audio could not be decoded: encoding or sample_rate do not match the bytes sent.",
        ("close_frame.unexpected_code", "client.audio_mismatch"),
        ("close_frame",),
    ),
    Symptom(
        r"HTTP 401|\b401\b|unauthori[sz]ed|INVALID_AUTH|invalid credentials",
        "HTTP 401",
        "The API key was missing or rejected during the handshake.",
        ("handshake.unauthorized", "rest.unauthorized"),
        ("handshake", "rest"),
    ),
    Symptom(
        r"HTTP 429|\b429\b|too many requests",
        "HTTP 429",
        "Too many concurrent streams for the project.",
        ("handshake.rate_limited", "client.no_backoff"),
        ("handshake",),
    ),
    Symptom(
        r"HTTP 400\b|\b400\b bad request",
        "HTTP 400",
        "The stream parameters were rejected.",
        ("handshake.bad_request",),
        ("handshake",),
    ),
    Symptom(
        r"server rejected WebSocket connection|InvalidStatus|InvalidUpgrade|"
        r"did not receive a valid HTTP response|\b426\b|upgrade required",
        "server rejected WebSocket connection",
        "The upgrade request got an HTTP answer instead of 101: a bad key or parameters "
        "(401/400), or a proxy that does not pass WebSocket upgrades.",
        ("handshake.upgrade_rejected", "handshake.unauthorized", "handshake.bad_request"),
        ("handshake", "proxy"),
    ),
    Symptom(
        r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|self[- ]signed certificate",
        "CERTIFICATE_VERIFY_FAILED",
        "TLS verification failed: often a TLS-inspecting proxy re-signing traffic, or an old "
        "CA bundle.",
        ("tls.intercepted", "tls.verify_failed", "tls.expired", "tls.hostname_mismatch"),
        ("tls",),
    ),
    Symptom(
        r"Name or service not known|nodename nor servname|getaddrinfo failed|"
        r"Temporary failure in name resolution|NXDOMAIN",
        "name resolution failed",
        "The host name could not be resolved.",
        ("dns.nxdomain", "dns.timeout", "dns.servfail"),
        ("dns",),
    ),
    Symptom(
        r"Connection refused|ECONNREFUSED",
        "connection refused",
        "Nothing accepted the TCP connection at the first hop.",
        ("tcp.refused", "proxy.unreachable"),
        ("tcp", "proxy"),
    ),
    Symptom(
        r"timed out during opening handshake|timed out|ETIMEDOUT",
        "timed out",
        "A connection step got no answer in time: a silent firewall, a stuck proxy or a dead path.",
        ("tcp.timeout", "handshake.timeout", "dns.timeout"),
        ("tcp", "handshake", "dns"),
    ),
    Symptom(
        r"407|Proxy Authentication Required",
        "407 Proxy Authentication Required",
        "The proxy wants credentials.",
        ("proxy.auth_required",),
        ("proxy",),
    ),
    Symptom(
        r"Connection reset|ECONNRESET",
        "connection reset",
        "A peer or a hop in between sent a TCP reset.",
        ("stability.dropped", "idle_timeout.intermediary_drop"),
        ("stability", "idle_timeout"),
    ),
)


def explain(text: str) -> list[Symptom]:
    return [s for s in SYMPTOMS if re.search(s.pattern, text, re.IGNORECASE)]


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, 100, initial_indent=indent, subsequent_indent=indent)


def render_explanation(text: str, symptoms: list[Symptom]) -> str:
    if not symptoms:
        return (
            f"wsdoctor does not recognise {text!r}.\n"
            "Run `wsdoctor check` to test the whole path to Deepgram, "
            "or `wsdoctor explain` with the exact error message, close code or cause id."
        )
    lines: list[str] = []
    for symptom in symptoms:
        lines += [symptom.name, *_wrap(symptom.meaning, "  "), "", "  Likely causes:"]
        for cause_id in symptom.causes:
            rem = causes.lookup(cause_id)
            if rem is not None:
                lines.append(f"    - {rem.title} [{cause_id}] ({rem.seed_section})")
                lines += _wrap(rem.steps[0], "      ")
        lines += ["", f"  Run: wsdoctor check --only {','.join(symptom.checks)}"]
        if any(cause.startswith("client.") for cause in symptom.causes):
            lines.append("  And to watch your own app: wsdoctor audit -- python your_app.py")
        lines.append("")
    lines.append(causes.SUPPORT_ADVICE)
    return "\n".join(lines)


def looks_like_cause_id(text: str) -> bool:
    return CAUSE_ID.fullmatch(text.strip()) is not None


def render_cause(rem: Remediation) -> str:
    """One cause's entry as a report shows it: what it means, what to do, where in the article."""
    lines = [f"{rem.title} [{rem.cause}]", *_wrap(rem.meaning, "  "), "", "  What to do:"]
    for number, step in enumerate(rem.steps, 1):
        lines += textwrap.wrap(
            f"{number}. {step}", 100, initial_indent="    ", subsequent_indent="       "
        )
    lines += ["", f"  Section of Deepgram's troubleshooting article: {rem.seed_section}"]
    lines += [f"  See: {link}" for link in rem.links]
    if rem.explains:
        lines.append(f"  Also explains (not reported separately): {', '.join(rem.explains)}")
    return "\n".join([*lines, "", causes.SUPPORT_ADVICE])
