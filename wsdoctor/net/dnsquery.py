"""DNS-level answers from dnspython: A and AAAA records, timings, and which resolver answered.

getaddrinfo says what a client will connect to; this says why, when it fails.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import NameNotFound, NetError, ResolverFailed, TimedOut, translate

if TYPE_CHECKING:
    import dns.asyncresolver


@dataclass
class DnsAnswers:
    resolver: str
    addresses: dict[str, list[str]] = field(default_factory=dict)  # "A"/"AAAA" -> answers
    elapsed_ms: dict[str, float] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)

    @property
    def all_addresses(self) -> list[str]:
        return [*self.addresses.get("A", []), *self.addresses.get("AAAA", [])]

    def error_for_verdict(self) -> NetError | None:
        """The error that explains an empty answer, most telling first."""
        mapped = [e for e in map(translate, self.errors.values()) if e is not None]
        for kind in (NameNotFound, ResolverFailed, TimedOut):
            found = next((e for e in mapped if isinstance(e, kind)), None)
            if found is not None:
                return found
        return next(iter(mapped), None)


def make_resolver(server: tuple[str, int] | None, timeout: float) -> dns.asyncresolver.Resolver:
    import dns.asyncresolver

    if server is None:
        resolver = dns.asyncresolver.Resolver(configure=True)
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [server[0]]
        resolver.port = server[1]
    resolver.lifetime = timeout
    resolver.timeout = min(2.0, timeout)
    return resolver


async def query(host: str, server: tuple[str, int] | None, timeout: float) -> DnsAnswers:
    import dns.exception
    import dns.resolver

    try:
        resolver = make_resolver(server, timeout)
    except dns.resolver.NoResolverConfiguration as exc:
        answers = DnsAnswers(resolver="none configured")
        answers.errors["config"] = exc
        return answers
    port = f":{resolver.port}" if resolver.port != 53 else ""
    answers = DnsAnswers(
        resolver=f"{resolver.nameservers[0]}{port}" if resolver.nameservers else "none"
    )

    async def one(kind: str) -> None:
        started = time.monotonic()
        try:
            result = await resolver.resolve(host, kind, lifetime=timeout, search=False)
            answers.addresses[kind] = [r.to_text() for r in result]
        except dns.resolver.NoAnswer as exc:
            answers.addresses[kind] = []
            answers.errors[kind] = exc
        except dns.exception.DNSException as exc:
            answers.errors[kind] = exc
        answers.elapsed_ms[kind] = round((time.monotonic() - started) * 1000, 2)

    await asyncio.gather(one("A"), one("AAAA"))
    return answers
