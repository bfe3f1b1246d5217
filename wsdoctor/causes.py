"""Cause ids -> what they mean and what to do, traced to the seed article's sections.

The prose lives in causes.toml so it can be reviewed as text; this module only
loads it (once, on first use) and resolves link names to URLs.
"""

from __future__ import annotations

import functools
import tomllib
from importlib.resources import files

from .model import Remediation

IMPROPER_HANDLING = "Improper Connection Handling"
NETWORK_INSTABILITY = "Network Instability"
PROXY_FIREWALL = "Proxy or Firewall Restrictions"
SDK_LIBRARIES = "SDK and Libraries"
REST_FALLBACK = "Alternative Solution: REST API"
CONCLUSION = "Conclusion"
SEED_SECTIONS = (
    IMPROPER_HANDLING,
    NETWORK_INSTABILITY,
    PROXY_FIREWALL,
    SDK_LIBRARIES,
    REST_FALLBACK,
    CONCLUSION,
)
SUPPORT_ADVICE = (
    "If problems persist, contact Deepgram support (or the community) with this report "
    "and the dg-request-id values it lists."
)


@functools.cache
def _load() -> dict[str, Remediation]:
    data = tomllib.loads(files(__package__).joinpath("causes.toml").read_text("utf-8"))
    links: dict[str, str] = data.pop("links")
    return {
        cause: Remediation(
            cause=cause,
            title=entry["title"],
            meaning=entry["meaning"],
            steps=tuple(entry["steps"]),
            seed_section=entry["section"],
            links=tuple(links.get(link, link) for link in entry.get("links", ())),
        )
        for cause, entry in data.items()
    }


def lookup(cause: str | None) -> Remediation | None:
    return _load().get(cause) if cause else None


def all_causes() -> dict[str, Remediation]:
    return dict(_load())
