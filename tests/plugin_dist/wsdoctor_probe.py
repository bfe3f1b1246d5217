"""A third-party check plugin, as someone outside wsdoctor would ship it.

It is found through its own distribution's entry point (wsdoctor_probe-1.0.dist-info
beside this file), ships its own cause entry, and contributes a waterfall phase.
"""

from __future__ import annotations

from wsdoctor import Check, CheckContext, CheckResult, Finding, Level, Phase

SLOW_GATEWAY = "probe.slow_gateway"


class GatewayProbe(Check):
    id = "probe"
    title = "Company gateway probe"
    causes = {  # noqa: RUF012 - the plugin's own knowledge base
        SLOW_GATEWAY: {
            "title": "The company gateway is slow to greet",
            "meaning": "The gateway in front of the speech service took long to answer its hello.",
            "steps": ["Ask the gateway team about hello latency.", "Retry from another office."],
            "section": "Proxy or Firewall Restrictions",
            "links": ["https://gateway.example.invalid/runbook"],
        }
    }

    async def run(self, ctx: CheckContext) -> CheckResult:
        message = "gateway hello took 812 ms (limit 500 ms)"
        return self.verdict(
            message,
            [Finding(Level.FAIL, SLOW_GATEWAY, message)],
            phases=[Phase("Gateway hello", 812.0)],
        )


check = GatewayProbe()
