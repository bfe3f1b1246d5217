"""dns: can the client find the host it must connect to, and is the answer believable?

The system's own lookup (getaddrinfo, which honours /etc/hosts) decides what the
client will connect to; dnspython explains failures and timing. Through a proxy
the proxy resolves the target, so the proxy's own name is what must resolve here.
"""

from __future__ import annotations

from ..context import CheckContext
from ..model import CheckResult
from ..net.dnsquery import DnsAnswers, query
from ..net.errors import NetError
from ..net.resolve import (
    HOSTS_FILE,
    Resolved,
    from_hosts_file,
    ip_literal,
    is_non_public_address,
    is_public_name,
    resolve,
)
from ..plugin import Check, Details

NXDOMAIN = "dns.nxdomain"
NO_ANSWER = "dns.no_answer"
TIMEOUT = "dns.timeout"
SERVFAIL = "dns.servfail"
PRIVATE_ANSWER = "dns.private_answer"
ADDRESSES = "dns.addresses"  # fact: the addresses the tcp check connects to

_FAILURE_TEXT = {
    NXDOMAIN: "does not exist",
    NO_ANSWER: "has no addresses",
    TIMEOUT: "got no answer in time",
    SERVFAIL: "could not be resolved (server failure)",
}


def host_to_resolve(ctx: CheckContext) -> tuple[str, int, str]:
    """(host, port, note): the target, or the proxy's host when a proxy resolves the target."""
    hop = ctx.route.first_hop
    if hop.role == "proxy":
        note = f"the proxy resolves {ctx.target.host}; checked the proxy host {hop.host}"
        return hop.host, hop.port, note
    return hop.host, hop.port, ""


def _dns_evidence(answers: DnsAnswers, system: Resolved | None) -> dict[str, str | float]:
    evidence: dict[str, str | float] = {"resolver": answers.resolver}
    for kind, found in answers.addresses.items():
        evidence[kind] = ", ".join(found) or "(none)"
    for kind, error in answers.errors.items():
        evidence[f"{kind}_error"] = f"{type(error).__name__}: {error}"
    if system is not None:
        evidence["system_lookup"] = ", ".join(system.addresses)
    return evidence


DNS_SAID = {
    "nxdomain": "says NXDOMAIN",
    "no_answer": "has no address for it",
    "timeout": "did not answer in time",
    "servfail": "says SERVFAIL",
}


def cause_of(errors: list[NetError]) -> str:
    """The most telling error's cause; an empty answer with no error has no addresses."""
    causes = [f"dns.{e.suffix}" for e in errors if f"dns.{e.suffix}" in _FAILURE_TEXT]
    return next(iter(causes), NO_ANSWER)


def answering_source(host: str, system: Resolved | None, answers: DnsAnswers) -> str:
    """Who gave the addresses the client will use: the hosts file or the DNS resolver.

    When the hosts file answered, what DNS said (often NXDOMAIN for a name that only
    lives there) is kept beside it, so the resolver is not credited with the answer.
    """
    if system is None or not from_hosts_file(host, system.addresses):
        return f"resolver {answers.resolver}"
    error = answers.error_for_verdict()
    if answers.all_addresses or error is None:
        dns_said = "answers too"
    else:
        dns_said = DNS_SAID.get(error.suffix, f"failed ({error.suffix})")
    return f"hosts file {HOSTS_FILE}; DNS {answers.resolver} {dns_said}"


class DnsCheck(Check):
    id = "dns"
    title = "Name resolution"
    tags = ("network",)
    causes = (NXDOMAIN, NO_ANSWER, TIMEOUT, SERVFAIL, PRIVATE_ANSWER)
    provides = (ADDRESSES,)

    async def run(self, ctx: CheckContext) -> CheckResult:
        host, port, note = host_to_resolve(ctx)
        if ip_literal(host) is not None:
            ctx.share(ADDRESSES, (host.strip("[]"),))
            return self.passed(f"{host} is an IP address; nothing to resolve")
        budget = ctx.route.timeouts.dns
        server = ctx.route.dns_server
        system, system_error = None, None
        if server is None:  # with --dns-server, only that resolver is asked
            system, system_error = await self._system_lookup(host, port, budget)
        answers = await query(host, server, budget)
        evidence = _dns_evidence(answers, system)
        measurements = {f"{k.lower()}_query_ms": v for k, v in answers.elapsed_ms.items()}
        if server is not None:
            addresses = answers.all_addresses
        elif system is not None:
            addresses = list(system.addresses)
            measurements["getaddrinfo_ms"] = system.elapsed_ms
        else:
            addresses = []
        if not addresses:
            return self._failure(host, answers, system_error, evidence)
        ctx.share(ADDRESSES, tuple(addresses))
        source = answering_source(host, system, answers)
        evidence["answered_by"] = source
        summary = f"{host} -> {', '.join(addresses[:4])} ({source})"
        summary += f"; {note}" if note else ""
        details: Details = {"measurements": measurements, "evidence": evidence}
        if is_public_name(host) and any(is_non_public_address(a) for a in addresses):
            listed = ", ".join(addresses)
            text = f"public name {host} resolved to a non-public address: {listed} ({source})"
            return self.warned(PRIVATE_ANSWER, text, **details)
        return self.passed(summary, **details)

    async def _system_lookup(
        self, host: str, port: int, budget: float
    ) -> tuple[Resolved | None, NetError | None]:
        try:
            return await resolve(host, port, budget), None
        except NetError as exc:
            return None, exc

    def _failure(
        self,
        host: str,
        answers: DnsAnswers,
        system_error: NetError | None,
        evidence: dict[str, str | float],
    ) -> CheckResult:
        errors = [e for e in (answers.error_for_verdict(), system_error) if e is not None]
        if system_error is not None:
            evidence["getaddrinfo_error"] = str(system_error)
        cause = cause_of(errors)
        summary = f"{host} {_FAILURE_TEXT[cause]} (resolver {answers.resolver})"
        return self.failed(cause, summary, evidence=evidence)


check = DnsCheck()
