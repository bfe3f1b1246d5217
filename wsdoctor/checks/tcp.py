"""tcp: can a TCP connection be opened to the first hop, over IPv4 and IPv6?

The first hop is the proxy when the client would use one, else the target. Each
resolved address is tried separately, so a broken address family shows up even
when the other one hides it.
"""

from __future__ import annotations

import asyncio

from ..context import CheckContext
from ..model import CheckResult
from ..net.errors import NetError
from ..net.hop import connect_tcp
from ..net.resolve import resolve
from ..plugin import Check

REFUSED = "tcp.refused"
TIMEOUT = "tcp.timeout"
UNREACHABLE = "tcp.unreachable"
_WORDS = {REFUSED: "refused", TIMEOUT: "timed out", UNREACHABLE: "unreachable"}


def cause_of(error: NetError) -> str:
    """Refused and timed out are told apart; anything else that stops a connect is unreachable."""
    cause = f"tcp.{error.suffix}"
    return cause if cause in _WORDS else UNREACHABLE


def describe(error: NetError) -> str:
    return _WORDS[cause_of(error)]


def family(address: str) -> str:
    return "IPv6" if ":" in address else "IPv4"


class TcpCheck(Check):
    id = "tcp"
    title = "TCP connection to the first hop"
    depends_on = ("dns", "proxy")
    tags = ("network",)
    causes = (REFUSED, TIMEOUT, UNREACHABLE)

    async def run(self, ctx: CheckContext) -> CheckResult:
        hop = ctx.route.first_hop
        timeout = ctx.route.timeouts.connect
        addresses = (
            ctx.fact("dns.addresses") or (await resolve(hop.host, hop.port, timeout)).addresses
        )
        outcomes = await asyncio.gather(
            *(connect_tcp(a, hop.port, timeout) for a in addresses), return_exceptions=True
        )
        evidence: dict[str, str] = {"first_hop": f"{hop.role} {hop.host}:{hop.port}"}
        working: list[tuple[str, float]] = []
        failed: list[tuple[str, NetError]] = []
        for address, outcome in zip(addresses, outcomes, strict=True):
            if isinstance(outcome, NetError):
                failed.append((address, outcome))
                evidence[address] = describe(outcome)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                outcome[0].close()
                working.append((address, outcome[1]))
                evidence[address] = f"connected in {outcome[1]:.1f} ms"
        where = f"{hop.role} {hop.host}:{hop.port}"
        if not working:
            error = failed[0][1]
            return self.failed(
                cause_of(error), f"cannot connect to {where}: {describe(error)}", evidence=evidence
            )
        measurements = {"connect_ms": working[0][1]}
        summary = f"{where} via {working[0][0]} in {working[0][1]:.1f} ms"
        lost = {family(a) for a, _ in failed} - {family(a) for a, _ in working}
        if lost:
            error = failed[0][1]
            text = f"{summary}, but {' and '.join(sorted(lost))} fails ({describe(error)})"
            return self.warned(cause_of(error), text, measurements=measurements, evidence=evidence)
        return self.passed(summary, measurements=measurements, evidence=evidence)


check = TcpCheck()
