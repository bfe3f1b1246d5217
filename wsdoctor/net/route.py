"""How this run reaches the target, decided once: first hop, proxy, trust, per-phase deadlines.

Every network step takes the Route rather than the whole check context, so no
check re-derives the proxy or scales its own timeouts, and the environment is
read once (into Settings, by the CLI) instead of wherever a library looks.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..errors import BadInput
from ..model import Target
from ..redact import without_password
from .proxy import ProxyChoice, httpx_proxy, websockets_proxy

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")
# Each network step may take this share of a check's budget, leaving time to judge and close.
STEP_SHARE = 0.8


@dataclass(frozen=True)
class ProxyEndpoint:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> ProxyEndpoint:
        """Raises BadInput for a setting no client could use (proxy.bad_config)."""
        shown = without_password(url)
        try:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            port = parts.port
        except ValueError as exc:
            raise BadInput(f"proxy setting {shown!r} is not a URL: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in PROXY_SCHEMES:
            raise BadInput(f"proxy scheme {scheme!r} is not one of {', '.join(PROXY_SCHEMES)}")
        if not parts.hostname:
            raise BadInput(f"proxy setting {shown!r} has no host")
        default = {"http": 80, "https": 443}.get(scheme, 1080)
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(scheme, parts.hostname, port or default, username, password)

    @property
    def is_http(self) -> bool:
        return self.scheme == "http"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Timeouts:
    """A deadline per phase (as httpx's Timeout), derived from one budget in one place."""

    dns: float
    connect: float
    proxy: float
    tls: float
    upgrade: float
    close: float

    @classmethod
    def from_budget(cls, check_timeout_s: float) -> Timeouts:
        step = check_timeout_s * STEP_SHARE
        return cls(
            dns=step,
            connect=step,
            proxy=step,
            tls=step,
            upgrade=check_timeout_s,
            close=min(5.0, check_timeout_s / 2),
        )


@dataclass(frozen=True)
class Hop:
    host: str
    port: int
    role: str  # "proxy" or "target"


@dataclass(frozen=True)
class Route:
    target: Target
    websockets_choice: ProxyChoice = field(repr=False)
    httpx_choice: ProxyChoice = field(repr=False)
    proxy: ProxyEndpoint | None
    proxy_problem: str | None  # an unusable proxy setting (the proxy check reports it)
    timeouts: Timeouts
    dns_server: tuple[str, int] | None = None
    ca_file: str | None = None
    insecure: bool = False
    httpx_problem: str | None = None  # an unusable setting only httpx reads (ALL_PROXY)

    @classmethod
    def plan(
        cls,
        target: Target,
        environ: Mapping[str, str],
        *,
        proxy_override: str | None = None,
        check_timeout_s: float = 10.0,
        dns_server: tuple[str, int] | None = None,
        ca_file: str | None = None,
        insecure: bool = False,
    ) -> Route:
        ws_choice = websockets_proxy(target, environ, proxy_override)
        proxy, problem = None, None
        if ws_choice.url is not None:
            try:
                proxy = ProxyEndpoint.parse(ws_choice.url)
            except BadInput as exc:
                problem = f"{ws_choice.source}: {exc}"
        http_choice = httpx_proxy(target, environ, proxy_override)
        return cls(
            target=target,
            websockets_choice=ws_choice,
            httpx_choice=http_choice,
            httpx_problem=_problem_of(http_choice),
            proxy=proxy,
            proxy_problem=problem,
            timeouts=Timeouts.from_budget(check_timeout_s),
            dns_server=dns_server,
            ca_file=ca_file,
            insecure=insecure,
        )

    @property
    def first_hop(self) -> Hop:
        """The proxy a client would connect to, else the target (an unusable proxy: none)."""
        if self.proxy is not None:
            return Hop(self.proxy.host, self.proxy.port, "proxy")
        return Hop(self.target.host, self.target.port, "target")

    def proxy_ssl_context(self) -> ssl.SSLContext | None:
        """For an https:// proxy, the trust its own certificate is checked with: the same as
        the target's (the default store plus --ca-file; none with --insecure). Else None."""
        if self.proxy is None or self.proxy.scheme != "https":
            return None
        return self.client_ssl_context()

    def client_ssl_context(self) -> ssl.SSLContext:
        """What a websockets client uses by default, plus --ca-file; no checks with --insecure."""
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        if self.insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


def _problem_of(choice: ProxyChoice) -> str | None:
    """Why a proxy setting cannot be used, or None (also None for no proxy at all)."""
    if choice.url is None:
        return None
    if "://" not in choice.url:  # websockets guesses http://; httpx refuses it
        return f"{choice.source}: {without_password(choice.url)!r} has no scheme (http://...)"
    try:
        ProxyEndpoint.parse(choice.url)
    except BadInput as exc:
        return f"{choice.source}: {exc}"
    return None
