"""tcp: can a TCP connection be opened to the first hop, over IPv4 and IPv6?

The first hop is the proxy when the client would use one, else the target. Each
resolved address is tried separately, so a broken address family shows up even
when the other one hides it.
"""

from __future__ import annotations

import asyncio

from ..context import CheckContext
from ..failures import cause_in
from ..model import CheckResult
from ..net.hop import connect_tcp
from ..net.path import first_hop
from ..net.resolve import resolve
from ..plugin import Check, CheckFailed

REFUSED = "tcp.refused"
TIMEOUT = "tcp.timeout"
UNREACHABLE = "tcp.unreachable"


def cause_of(error: BaseException) -> str:
    """From wsdoctor's one exception table; anything else that stops a connect is unreachable."""
    return cause_in("tcp", TcpCheck.causes, error) or UNREACHABLE


def describe(error: BaseException) -> str:
    return {REFUSED: "refused", TIMEOUT: "timed out", UNREACHABLE: "unreachable"}[cause_of(error)]


class TcpCheck(Check):
    id = "tcp"
    title = "TCP connection to the first hop"
    depends_on = ("dns", "proxy")
    tags = ("network",)
    causes = (REFUSED, TIMEOUT, UNREACHABLE)

    async def run(self, ctx: CheckContext) -> CheckResult:
        host, port, role = first_hop(ctx)
        timeout = ctx.settings.check_timeout_s * 0.8
        addresses = ctx.fact("dns.addresses") or (await resolve(host, port, timeout)).addresses
        outcomes = await asyncio.gather(
            *(connect_tcp(a, port, timeout) for a in addresses), return_exceptions=True
        )
        evidence: dict[str, str] = {"first_hop": f"{role} {host}:{port}"}
        working: list[tuple[str, float]] = []
        failed: list[tuple[str, BaseException]] = []
        for address, outcome in zip(addresses, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                failed.append((address, outcome))
                evidence[address] = describe(outcome)
            else:
                outcome[0].close()
                working.append((address, outcome[1]))
                evidence[address] = f"connected in {outcome[1]:.1f} ms"
        if not working:
            cause = cause_of(failed[0][1])
            text = f"cannot connect to {role} {host}:{port}: {describe(failed[0][1])}"
            raise CheckFailed(cause, text, evidence=evidence)
        ctx.share("tcp.address", working[0][0])
        measurements = {"connect_ms": working[0][1]}
        summary = f"{role} {host}:{port} via {working[0][0]} in {working[0][1]:.1f} ms"
        broken_families = {("IPv6" if ":" in a else "IPv4") for a, _ in failed}
        working_families = {("IPv6" if ":" in a else "IPv4") for a, _ in working}
        lost = broken_families - working_families
        if lost:
            family = " and ".join(sorted(lost))
            text = f"{summary}, but {family} fails ({describe(failed[0][1])})"
            return self.warned(
                text, cause_of(failed[0][1]), measurements=measurements, evidence=evidence
            )
        return self.passed(summary, measurements=measurements, evidence=evidence)


check = TcpCheck()
