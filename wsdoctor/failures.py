"""The one table that turns expected network exceptions into verdicts.

Checks just let network exceptions escape; the runner asks `classify_exception`
what they mean. Classes are matched by qualified name, so this module (like the
rest of the engine) imports no network library.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    """One row: exceptions of these classes (and errnos) mean `<check>.<suffix>`."""

    names: tuple[str, ...]
    suffix: str
    meaning: str
    errnos: tuple[int, ...] = ()


_UNREACHABLE_ERRNOS = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.ENETDOWN)

# First match wins, so specific classes come before their bases.
EXPECTED: tuple[Expected, ...] = (
    Expected(("ssl.SSLCertVerificationError",), "verify_failed", "certificate verification failed"),
    Expected(("ssl.SSLError",), "handshake_failed", "TLS handshake failed"),
    Expected(("dns.resolver.NXDOMAIN",), "nxdomain", "the name does not exist"),
    Expected(("dns.resolver.NoAnswer",), "no_answer", "no address records"),
    Expected(("dns.resolver.NoNameservers",), "servfail", "no resolver could answer"),
    Expected(("dns.exception.Timeout",), "timeout", "the resolver did not answer in time"),
    Expected(("socket.gaierror",), "timeout", "the resolver did not answer", (socket.EAI_AGAIN,)),
    Expected(("socket.gaierror",), "servfail", "the resolver failed", (socket.EAI_FAIL,)),
    Expected(
        ("socket.gaierror",),
        "no_answer",
        "no address records",
        (getattr(socket, "EAI_NODATA", -5),),
    ),
    Expected(("socket.gaierror",), "nxdomain", "the name could not be resolved"),
    Expected(("builtins.ConnectionRefusedError",), "refused", "connection refused"),
    Expected(
        ("builtins.ConnectionResetError", "builtins.BrokenPipeError"),
        "dropped",
        "connection reset by the peer or a hop in between",
    ),
    Expected(("builtins.TimeoutError",), "timeout", "no answer in time"),
    Expected(
        ("httpx.TimeoutException", "aiohttp.client_exceptions.ServerTimeoutError"),
        "timeout",
        "no answer in time",
    ),
    Expected(("builtins.OSError",), "unreachable", "network unreachable", _UNREACHABLE_ERRNOS),
    Expected(
        (
            "httpx.ConnectError",
            "httpx.ProxyError",
            "aiohttp.client_exceptions.ClientConnectorError",
            "websockets.exceptions.InvalidProxy",
            "websockets.exceptions.ProxyError",
        ),
        "unreachable",
        "could not connect",
    ),
    Expected(
        ("websockets.exceptions.InvalidHandshake", "websockets.exceptions.InvalidMessage"),
        "upgrade_rejected",
        "the WebSocket upgrade was not accepted",
    ),
    Expected(("builtins.ConnectionError", "builtins.EOFError"), "dropped", "connection lost"),
)


def _class_names(exc: BaseException) -> set[str]:
    names = set()
    for cls in type(exc).__mro__:
        names.add(f"{cls.__module__}.{cls.__qualname__}")
        # Libraries often re-export exceptions from private modules; match the public name too.
        names.add(f"{cls.__module__.split('.')[0]}.{cls.__qualname__}")
    return names


def classify_exception(exc: BaseException) -> Expected | None:
    """The table row for an expected network exception, or None if it is a bug in wsdoctor."""
    names = _class_names(exc)
    for row in EXPECTED:
        if names.isdisjoint(row.names):
            continue
        if row.errnos and getattr(exc, "errno", None) not in row.errnos:
            continue
        return row
    return None


def cause_in(check_id: str, declared: Iterable[str], exc: BaseException) -> str | None:
    """`<check>.<suffix>` for an expected exception, if that check declares such a cause."""
    row = classify_exception(exc)
    cause = f"{check_id}.{row.suffix}" if row else None
    return cause if cause in set(declared) else None
