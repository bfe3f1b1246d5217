"""sdk: the client libraries in this Python, and the pitfalls of their versions.

Answers the article's "SDK and Libraries" section. It inspects installed
distributions and source files without importing the SDK, so it is fast and
cannot be broken by a half-installed package.
"""

from __future__ import annotations

import importlib.util
import platform
import re
from importlib import metadata
from pathlib import Path

from ..context import CheckContext
from ..model import CheckResult
from ..plugin import Check

OUTDATED_WEBSOCKETS = "sdk.outdated_websockets"
LEGACY_CLIENT_IGNORES_PROXY = "sdk.legacy_client_ignores_proxy"
OUTDATED_DEEPGRAM_SDK = "sdk.outdated_deepgram_sdk"

MIN_WEBSOCKETS = (15, 0)  # the first release whose client honours proxy settings
MIN_DEEPGRAM_MAJOR = 5  # v5 onwards is built on the current websockets client
PACKAGES = ("websockets", "aiohttp", "httpx", "deepgram-sdk")
# websockets.client.* is the pre-14 (legacy) client; websockets.legacy.* names it explicitly.
_LEGACY_IMPORTS = re.compile(r"websockets\.legacy|websockets\.client\b")


def installed_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def deepgram_uses_legacy_websockets() -> bool:
    """True if the installed SDK's async live client imports the proxy-less legacy client."""
    spec = importlib.util.find_spec("deepgram")
    if spec is None or not spec.submodule_search_locations:
        return False
    if importlib.util.find_spec("websockets.legacy") is None:
        return False  # the SDK falls back to the proxy-aware client
    root = Path(next(iter(spec.submodule_search_locations)))
    sources = [p for p in root.rglob("*.py") if {"listen", "live"} & set(p.parts)]
    return any(_LEGACY_IMPORTS.search(p.read_text("utf-8", "replace")) for p in sources)


class SdkCheck(Check):
    id = "sdk"
    title = "Client libraries and versions"
    tags = ("local",)
    causes = (OUTDATED_WEBSOCKETS, LEGACY_CLIENT_IGNORES_PROXY, OUTDATED_DEEPGRAM_SDK)

    async def run(self, ctx: CheckContext) -> CheckResult:
        versions = {name: installed_version(name) for name in PACKAGES}
        evidence: dict[str, str | bool | None] = {"python": platform.python_version(), **versions}
        proxy = ctx.route.websockets_choice.url
        evidence["proxy_configured"] = proxy is not None
        listing = ", ".join(f"{name} {v}" for name, v in versions.items() if v)
        summary = f"Python {evidence['python']}, {listing}"

        ws_version = versions["websockets"]
        if ws_version and version_tuple(ws_version) < MIN_WEBSOCKETS:
            text = f"websockets {ws_version} is older than 15.0 and ignores proxy settings"
            if proxy:
                return self.failed(
                    OUTDATED_WEBSOCKETS, f"{text}, and a proxy is configured", evidence=evidence
                )
            return self.warned(OUTDATED_WEBSOCKETS, text, evidence=evidence)

        dg_version = versions["deepgram-sdk"]
        if dg_version:
            legacy = deepgram_uses_legacy_websockets()
            evidence["deepgram_async_uses_legacy_websockets"] = legacy
            if legacy and proxy:  # a fact about installed code, not a failure seen on the path
                return self.warned(
                    LEGACY_CLIENT_IGNORES_PROXY,
                    f"deepgram-sdk {dg_version}'s async live client uses websockets.legacy, "
                    "which ignores the proxy configured here",
                    evidence=evidence,
                )
            if version_tuple(dg_version)[:1] < (MIN_DEEPGRAM_MAJOR,):
                return self.warned(
                    OUTDATED_DEEPGRAM_SDK,
                    f"deepgram-sdk {dg_version} is an old major version",
                    evidence=evidence,
                )
        return self.passed(summary, evidence=evidence)


check = SdkCheck()
