"""dns: can the client find the host it must connect to, and is the answer believable?

The system's own lookup (getaddrinfo, which honours /etc/hosts) decides what the
client will connect to; dnspython explains failures and timing. Through a proxy
the proxy resolves the target, so the proxy's own name is what must resolve here.
"""

from __future__ import annotations

from ..context import CheckContext
from ..failures import cause_in
from ..model import CheckResult
from ..net.dnsquery import DnsAnswers, query
from ..net.path import first_hop
from ..net.resolve import Resolved, ip_literal, is_non_public_address, is_public_name, resolve
from ..plugin import Check, CheckFailed, Details

NXDOMAIN = "dns.nxdomain"
NO_ANSWER = "dns.no_answer"
TIMEOUT = "dns.timeout"
SERVFAIL = "dns.servfail"
PRIVATE_ANSWER = "dns.private_answer"

_FAILURE_TEXT = {
    NXDOMAIN: "does not exist",
    NO_ANSWER: "has no addresses",
    TIMEOUT: "got no answer in time",
    SERVFAIL: "could not be resolved (server failure)",
}


def host_to_resolve(ctx: CheckContext) -> tuple[str, int, str]:
    """(host, port, note): the target, or the proxy's host when a proxy resolves the target."""
    host, port, role = first_hop(ctx)
    if role == "proxy":
        return host, port, f"the proxy resolves {ctx.target.host}; checked the proxy host {host}"
    return host, port, ""


def _dns_evidence(answers: DnsAnswers, system: Resolved | None) -> dict[str, str | float]:
    evidence: dict[str, str | float] = {"resolver": answers.resolver}
    for kind, found in answers.addresses.items():
        evidence[kind] = ", ".join(found) or "(none)"
    for kind, error in answers.errors.items():
        evidence[f"{kind}_error"] = f"{type(error).__name__}: {error}"
    if system is not None:
        evidence["system_lookup"] = ", ".join(system.addresses)
    return evidence


class DnsCheck(Check):
    id = "dns"
    title = "Name resolution"
    tags = ("network",)
    causes = (NXDOMAIN, NO_ANSWER, TIMEOUT, SERVFAIL, PRIVATE_ANSWER)

    async def run(self, ctx: CheckContext) -> CheckResult:
        host, port, note = host_to_resolve(ctx)
        if ip_literal(host) is not None:
            ctx.share("dns.addresses", (host.strip("[]"),))
            return self.passed(f"{host} is an IP address; nothing to resolve")
        budget = ctx.settings.check_timeout_s * 0.8
        system, system_error = None, None
        if ctx.settings.dns_server is None:  # with --dns-server, only that resolver is asked
            system, system_error = await self._system_lookup(host, port, budget)
        answers = await query(host, ctx.settings.dns_server, budget)
        evidence = _dns_evidence(answers, system)
        measurements = {f"{k.lower()}_query_ms": v for k, v in answers.elapsed_ms.items()}
        if ctx.settings.dns_server is not None:
            addresses = answers.all_addresses
            if not addresses:
                raise self._failure(host, answers, None, evidence)
        elif system is not None:
            addresses = list(system.addresses)
            measurements["getaddrinfo_ms"] = system.elapsed_ms
        else:
            raise self._failure(host, answers, system_error, evidence)
        ctx.share("dns.addresses", tuple(addresses))
        summary = f"{host} -> {', '.join(addresses[:4])} (resolver {answers.resolver})"
        summary += f"; {note}" if note else ""
        details: Details = {"measurements": measurements, "evidence": evidence}
        if is_public_name(host) and any(is_non_public_address(a) for a in addresses):
            text = f"public name {host} resolved to a non-public address: {', '.join(addresses)}"
            return self.warned(text, PRIVATE_ANSWER, **details)
        return self.passed(summary, **details)

    async def _system_lookup(
        self, host: str, port: int, budget: float
    ) -> tuple[Resolved | None, BaseException | None]:
        try:
            return await resolve(host, port, budget), None
        except (OSError, TimeoutError) as exc:
            return None, exc

    def _failure(
        self,
        host: str,
        answers: DnsAnswers,
        system_error: BaseException | None,
        evidence: dict[str, str | float],
    ) -> CheckFailed:
        errors = [e for e in (answers.error_for_verdict(), system_error) if e is not None]
        if system_error is not None:
            evidence["getaddrinfo_error"] = str(system_error)
        causes = [cause_in(self.id, self.causes, error) for error in errors]
        cause = next((c for c in causes if c), NO_ANSWER)
        summary = f"{host} {_FAILURE_TEXT[cause]} (resolver {answers.resolver})"
        return CheckFailed(cause, summary, evidence=evidence)


check = DnsCheck()
