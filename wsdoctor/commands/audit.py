"""What `wsdoctor audit` does once its options are parsed: serve, run the app, judge, report."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..audit.judge import Policy, judge_connection
from ..audit.results import audit_results, describe_connection
from ..audit.session import AuditPlan, AuditSession
from ..deepgram.profiles import V1
from ..display import neutralise
from ..model import Report, Target
from ..observe.record import ClientRecord
from ..redact import run_redactor
from ..report.build import build_report
from ..report.scope import ReportScope
from .emit import finish, run_to_the_end


@dataclass(frozen=True)
class AuditOptions:
    plan: AuditPlan = field(default_factory=AuditPlan)
    outputs: Mapping[str, str] = field(default_factory=dict)
    out_dir: str = "reports"
    save: bool = True
    fail_on: str = "fail"
    verbose: bool = False
    quiet: bool = False
    command: str = ""
    environ: Mapping[str, str] = field(default_factory=dict)
    color_env: Mapping[str, str] = field(default_factory=dict)


class Announcer:
    """One stderr line per connection as it ends, and the URL once the endpoint is up."""

    def __init__(self, policy: Policy, quiet: bool) -> None:
        self.policy, self.quiet, self.count = policy, quiet, 0

    def ready(self, url: str) -> None:
        if not self.quiet:
            print(f"wsdoctor audit: listening on {url} (WSDOCTOR_AUDIT_URL)", file=sys.stderr)

    def connection(self, record: ClientRecord) -> None:
        """Named by request id: the report numbers connections by when they opened."""
        self.count += 1
        if self.quiet:
            return
        causes = [f.cause for f in judge_connection(record, self.policy)]
        verdict = ", ".join(causes) if causes else "no findings"
        rid = record.request_id[:8]
        line = f"wsdoctor audit: connection {rid} ended ({describe_connection(record)})"
        print(neutralise(f"{line}: {verdict}"), file=sys.stderr, flush=True)


def run_audit(options: AuditOptions) -> int:
    plan = options.plan
    policy = Policy(idle_window_s=plan.idle_window_s)
    announcer = Announcer(policy, options.quiet)
    session = AuditSession(plan, options.environ, announcer.connection)
    started_at, t0 = datetime.now(UTC), time.monotonic()
    ended_by = run_to_the_end(session.run(announcer.ready))
    report = audit_report(session, policy, options, started_at, time.monotonic() - t0, ended_by)
    return finish(report, options, ended_by)


def audit_report(
    session: AuditSession,
    policy: Policy,
    options: AuditOptions,
    started_at: datetime,
    elapsed_s: float,
    ended_by: KeyboardInterrupt | None,
) -> Report:
    url = session.url or f"ws://{options.plan.host}:{options.plan.port}"
    results, titles = audit_results(
        session.records, policy, session.child, url, session.records_dropped
    )
    # the app's key from its environment, and whatever it presented, wherever they turn up
    keys = [options.environ.get("DEEPGRAM_API_KEY"), *session.keys]
    scope = ReportScope(
        target=Target.parse(f"{url}{V1.path}"),
        redactor=run_redactor(keys, options.environ),
        environ=options.environ,
        server_idle_s=options.plan.idle_window_s,
    )
    return build_report(
        results,
        scope,
        titles,
        started_at=started_at,
        duration_ms=elapsed_s * 1000,
        command=options.command,
        interrupted=ended_by is not None,
    )
