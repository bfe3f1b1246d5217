"""Cause ids -> what they mean and what to do, traced to the seed article's sections.

The prose lives in causes_data.py; this module turns it into Remediation values
(once, on first use) and resolves link names to URLs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Remediation:
    """What a cause means and what to do about it, traced to the seed document."""

    cause: str
    title: str
    meaning: str
    steps: tuple[str, ...]
    seed_section: str
    links: tuple[str, ...] = ()
    explains: tuple[str, ...] = ()  # causes that are consequences of this one


@functools.cache
def _load() -> dict[str, Remediation]:
    from .causes_data import CAUSES, LINKS

    return {
        cause: Remediation(
            cause=cause,
            title=entry["title"],
            meaning=entry["meaning"],
            steps=tuple(entry["steps"]),
            seed_section=entry["section"],
            links=tuple(LINKS.get(link, link) for link in entry["links"]),
            explains=tuple(entry.get("explains", ())),
        )
        for cause, entry in CAUSES.items()
    }


def lookup(cause: str | None) -> Remediation | None:
    return _load().get(cause) if cause else None


def all_causes() -> dict[str, Remediation]:
    return dict(_load())


def explanations() -> dict[str, tuple[str, ...]]:
    """cause -> the causes it explains, for trimming consequences out of the root causes."""
    return {cause: rem.explains for cause, rem in _load().items() if rem.explains}
