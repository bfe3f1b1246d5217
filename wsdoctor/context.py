"""What a check gets to work with: the target, the route, the user's settings, shared facts.

Checks never read the environment or the CLI directly; everything they may
depend on is here, which is what makes them runnable against the lab in tests.
The environment itself is read once, by the CLI, into `Settings.environ`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .deepgram.hosts import DEFAULT_URL, REGION_HOSTS
from .deepgram.profiles import PROFILES, V1, ApiProfile, profile_for
from .model import CheckResult, Target
from .net.route import Route
from .redact import PROXY_VARIABLES, run_redactor
from .report.scope import ReportScope
from .secret import Secret

__all__ = ["DEFAULT_URL", "PROXY_VARIABLES", "REGION_HOSTS", "CheckContext", "Secret", "Settings"]


@dataclass(frozen=True)
class Settings:
    """The knobs a user can turn, with the defaults the CLI documents."""

    timeout_s: float = 60.0
    check_timeout_s: float = 10.0
    idle_max_s: float = 15.0
    server_idle_s: float | None = None  # the server's idle window (None: the API's own)
    proxy: str | None = None  # None: from the environment; "none": direct; else a URL
    dns_server: tuple[str, int] | None = None
    ca_file: str | None = None
    insecure: bool = False
    stability_s: float = 10.0
    transcript_stall_s: float | None = None  # None: the API's own threshold (checks/transcripts)
    slow_handshake_s: float = 2.0  # opening a stream (DNS to 101) slower than this warns
    quick: bool = False  # --quick: slow checks are skipped and close_frame streams less audio
    accept: frozenset[str] = frozenset()  # --accept: causes turned into info
    environ: Mapping[str, str] = field(default_factory=dict)  # filled by the CLI, once
    vantage: str = ""  # --vantage: where this run looks from (the CLI defaults it to the host)


def plan_route(target: Target, settings: Settings) -> Route:
    return Route.plan(
        target,
        settings.environ,
        proxy_override=settings.proxy,
        check_timeout_s=settings.check_timeout_s,
        dns_server=settings.dns_server,
        ca_file=settings.ca_file,
        insecure=settings.insecure,
    )


def idle_window(settings: Settings, profile: ApiProfile) -> float:
    """The idle window a stream's server keeps: the lab's or the user's, else the API's."""
    return settings.server_idle_s or profile.idle_window_s


def idle_window_reported(settings: Settings, profile: ApiProfile) -> bool:
    """The window is known only from a report (Flux's): measured, never waited out in full."""
    return settings.server_idle_s is None and not profile.idle_window_documented


def longest_idle_window(settings: Settings) -> float:
    """For deadlines decided before the target's API is known: the longest any API keeps."""
    return max(idle_window(settings, profile) for profile in PROFILES)


class UndeclaredFact(LookupError):
    """A check shared a fact no check declares in `provides`: a bug in that check."""


if TYPE_CHECKING:
    import httpx

    from .redact import Redactor


class CheckContext:
    """Everything a check may read and call during one run; a check needs nothing else.

    One context is shared by all checks of a run. Read:

    - `target` (`Target`): the WebSocket URL under test, parsed: `scheme`, `host`, `port`,
      `path`, `query`, `secure`, and `http_base`, the REST origin on the same host.
    - `settings` (`Settings`): the user's options (`check_timeout_s`, `quick`, `ca_file`,
      `insecure`, ...) and `environ`, the environment read once by the CLI. Never read
      `os.environ`: tests and the lab run checks with an environment of their own.
    - `route` (`Route`): how the target is reached, decided once: the proxy websockets and
      httpx would use, the first hop, `ca_file`, `insecure`, `dns_server`, and `timeouts`,
      a deadline per phase (dns, connect, proxy, tls, upgrade, close). Pass it to `net/`.
    - `api_key` (`Secret`): `reveal()` gives the key or None. Never put it in a message.
    - `redactor` (`Redactor`): results are redacted for you after `run` returns; use
      `redactor.text()` only to redact text before cutting it short (a cut could leave
      a prefix of a key that redaction no longer recognises).

    Call:

    - `http()`: an httpx client on the route (proxy, `--ca-file`, `--insecure`, deadlines)
      whose failures are NetErrors; a network request from a check goes through it.
    - `share(key, value)` / `fact(key)`: facts one check publishes for later ones; a check
      may share only the facts its `provides` declares (`<id>.<name>`).
    - `result(check_id)`: the finished result of another check (declare it in
      `depends_on` so it has finished), or None.
    """

    target: Target
    settings: Settings
    route: Route
    api_key: Secret
    redactor: Redactor
    facts: dict[str, Any]
    results: dict[str, CheckResult]

    def __init__(
        self,
        target: Target,
        settings: Settings | None = None,
        api_key: str | None = None,
        provided: Iterable[str] | None = None,
    ) -> None:
        self.target = target
        self.settings = settings or Settings()
        self.route = plan_route(target, self.settings)
        self.profile = profile_for(target.url) or V1  # the API the target speaks
        self.api_key = Secret(api_key)
        self.redactor = run_redactor([api_key], self.settings.environ, self.settings.proxy)
        self.provided = None if provided is None else frozenset(provided)
        self.facts = {}
        self.results = {}

    def http(
        self,
        *,
        base_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = False,
        phase: str = "http",
    ) -> httpx.AsyncClient:
        """An `httpx.AsyncClient` that goes the way this run's streams go; use it as
        `async with ctx.http() as client: response = await client.get("/v1/projects")`.

        Relative URLs are on the target's REST origin (`target.http_base`) unless
        `base_url` says otherwise. The client uses the proxy httpx would use for the target
        (explicitly: it reads no environment), trusts certifi's store plus `--ca-file`
        (nothing is verified with `--insecure`), and gives each phase a step of the check's
        budget (`route.timeouts`). Every failure, from the request or from reading the
        body, is a `wsdoctor.net.errors.NetError` tagged with `phase`: a certificate that
        does not verify is `CertificateRejected`, a refused connection `Refused`. Let the
        ones you do not judge escape: the runner reports `<check>.<suffix>` if the check
        declares that cause, else `network.<suffix>`.
        """
        from .net.http import http_client  # httpx loads here, not at start-up

        return http_client(
            self.route,
            base_url=base_url,
            headers=headers,
            follow_redirects=follow_redirects,
            phase=phase,
        )

    @property
    def idle_window_s(self) -> float:
        return idle_window(self.settings, self.profile)

    def share(self, key: str, value: Any) -> None:
        """Publish a fact (e.g. `dns.addresses`) that this check declares in `provides`."""
        if self.provided is not None and key not in self.provided:
            raise UndeclaredFact(f"fact {key!r} is not declared in any check's `provides`")
        self.facts[key] = value

    def fact(self, key: str, default: Any = None) -> Any:
        """A fact an earlier check shared, or `default` (that check may have been skipped)."""
        return self.facts.get(key, default)

    def result(self, check_id: str) -> CheckResult | None:
        """The result of a check that has finished in this run, or None."""
        return self.results.get(check_id)

    def report_scope(self) -> ReportScope:
        """What the report of this run needs beyond the results."""
        return ReportScope(
            target=self.target,
            redactor=self.redactor,
            environ=self.settings.environ,
            accept=self.settings.accept,
            vantage=self.settings.vantage,
            server_idle_s=self.idle_window_s,
        )
