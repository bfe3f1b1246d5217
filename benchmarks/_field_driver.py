"""One wsdoctor run for field.py, in its own process (and namespace): JSON in, JSON out.

The CLI has no option for the server's idle window, so a scaled run (a lab window of a
few seconds instead of Deepgram's 10) goes through the in-process API, as the tests do.
Run: python _field_driver.py '{"url": ..., "settings": {...}}'; prints one JSON line:
the root causes, each check's status, and the causes of warnings.
"""

from __future__ import annotations

import asyncio
import json
import sys

from wsdoctor.commands.check import CheckOptions, CheckSession
from wsdoctor.context import Settings
from wsdoctor.model import Level
from wsdoctor.registry import Registry

API_KEY = "lab-test-key-0123456789"


def main() -> None:
    job = json.loads(sys.argv[1])
    knobs = dict(job.get("settings", {}))
    if "dns_server" in knobs:
        host, port = knobs["dns_server"]
        knobs["dns_server"] = (host, int(port))
    settings = Settings(environ={}, **knobs)
    options = CheckOptions(url=job["url"], api_key=API_KEY, settings=settings, save=False)
    session = CheckSession(options, Registry.discover())
    asyncio.run(session.run())
    report = session.report()
    warnings = [
        finding.cause
        for entry in report.checks
        for finding in entry.result.findings
        if finding.level is Level.WARN and finding.cause
    ]
    failing = {e.id: e.result.summary for e in report.checks if e.status.value in ("fail", "error")}
    print(
        json.dumps(
            {
                "root_causes": list(report.root_causes),
                "statuses": {e.id: e.status.value for e in report.checks},
                "warnings": warnings,
                "failing": failing,
            }
        )
    )


if __name__ == "__main__":
    main()
