"""Which proxy a client would use for a URL - decided as python-websockets decides it.

Stdlib only, and driven by an explicit environment mapping, so the choice can be
unit-tested and reproduced for the environment a report was made in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]

from ..model import Target


@dataclass(frozen=True)
class ProxyChoice:
    url: str | None  # None: connect directly
    source: str  # e.g. "--proxy", "WSS_PROXY", "direct (NO_PROXY)", "direct"


def environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """Like urllib's getproxies_environment(), but over any mapping; lowercase names win."""
    proxies: dict[str, str] = {}
    for name, value in environ.items():
        if value and name.upper().endswith("_PROXY") and name.isupper():
            proxies[name[:-6].lower()] = value
    for name, value in environ.items():
        if value and name.endswith("_proxy") and name.islower():
            proxies[name[:-6]] = value
    return proxies


def _variable(scheme: str, environ: Mapping[str, str]) -> str:
    lower = f"{scheme}_proxy"
    return lower if environ.get(lower) else lower.upper()


def _choose(
    environ: Mapping[str, str],
    override: str | None,
    bypass_host: str,
    schemes: tuple[str, ...],
) -> ProxyChoice:
    """The common rules: --proxy wins, then NO_PROXY, then the first scheme that is set."""
    if override == "none":
        return ProxyChoice(None, "direct (--proxy none)")
    if override:
        return ProxyChoice(override, "--proxy")
    proxies = environment_proxies(environ)
    if proxies.get("no") and proxy_bypass_environment(bypass_host, proxies):
        return ProxyChoice(None, "direct (NO_PROXY)")
    for scheme in schemes:
        proxy = proxies.get(scheme)
        if proxy:
            if scheme == "socks" and proxy.startswith("http://"):
                proxy = "socks5h://" + proxy[len("http://") :]
            return ProxyChoice(proxy, _variable(scheme, environ).upper())
    return ProxyChoice(None, "direct")


def websockets_proxy(
    target: Target, environ: Mapping[str, str], override: str | None = None
) -> ProxyChoice:
    """The proxy `websockets.asyncio.client.connect(proxy=True)` would pick (websockets >= 15).

    Its order: a ws/wss-specific proxy, then SOCKS, then the HTTPS proxy (and for ws://
    the HTTP proxy last). It never reads ALL_PROXY.
    """
    schemes = ("wss", "socks", "https") if target.secure else ("ws", "socks", "https", "http")
    return _choose(environ, override, f"{target.host}:{target.port}", schemes)


def httpx_proxy(
    target: Target, environ: Mapping[str, str], override: str | None = None
) -> ProxyChoice:
    """The proxy httpx (and so deepgram-sdk's REST calls) would pick: it also reads ALL_PROXY."""
    scheme = "https" if target.secure else "http"
    return _choose(environ, override, target.host, (scheme, "all"))
