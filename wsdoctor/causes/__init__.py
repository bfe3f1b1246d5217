"""Cause ids -> what they mean and what to do, traced to the seed article's sections.

The built-in prose lives beside this module (checks.py, network.py, client.py, watch.py,
platform.py); plugins ship entries of the same
shape with their checks. A Catalogue is the union a run reports with.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

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
REQUIRED_FIELDS = ("title", "meaning", "steps", "section")


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


def entry_problems(entry: object) -> list[str]:
    """Why a cause entry (built-in or from a plugin) cannot be shown, if it cannot."""
    if not isinstance(entry, Mapping):
        return ["the entry must be a mapping with title, meaning, steps, section and links"]
    problems = [f"missing {name!r}" for name in REQUIRED_FIELDS if not entry.get(name)]
    if entry.get("section") and entry["section"] not in SEED_SECTIONS:
        problems.append(f"section must be one of: {', '.join(SEED_SECTIONS)}")
    if not isinstance(entry.get("steps", []), list | tuple):
        problems.append("steps must be a list of strings")
    return problems


def remediation_from(cause: str, entry: Mapping[str, Any], links: Mapping[str, str]) -> Remediation:
    return Remediation(
        cause=cause,
        title=entry["title"],
        meaning=entry["meaning"],
        steps=tuple(entry["steps"]),
        seed_section=entry["section"],
        links=tuple(links.get(link, link) for link in entry.get("links", ())),
        explains=tuple(entry.get("explains", ())),
    )


@functools.cache
def _builtin() -> dict[str, Remediation]:
    from .checks import CAUSES
    from .client import CLIENT_CAUSES
    from .entry import LINKS
    from .network import NETWORK_CAUSES
    from .platform import PLATFORM_CAUSES
    from .watch import WATCH_CAUSES

    entries = {**CAUSES, **NETWORK_CAUSES, **CLIENT_CAUSES, **WATCH_CAUSES, **PLATFORM_CAUSES}
    return {cause: remediation_from(cause, entry, LINKS) for cause, entry in entries.items()}


def unlisted(cause: str, check_title: str) -> Remediation:
    """Advice for a cause no catalogue describes (a plugin's undeclared cause, or a failure
    that named none): a root cause is never shown without a title or a next step."""
    return Remediation(
        cause=cause,
        title=f"{check_title} failed",
        meaning=(
            f"The check reported {cause}, which no installed cause list describes, so "
            "wsdoctor has no specific advice: the check's message and evidence are what is known."
        ),
        steps=(
            "Run wsdoctor check -v and read this check's message, measurements and evidence.",
            "If a plugin made this check, ask its authors to declare the cause with advice.",
        ),
        seed_section=CONCLUSION,
    )


def lookup(cause: str | None) -> Remediation | None:
    """A built-in cause's entry (explain and tests); a run uses its Catalogue."""
    return _builtin().get(cause) if cause else None


def all_causes() -> dict[str, Remediation]:
    return dict(_builtin())


class Catalogue:
    """The causes one run can report: the built-ins plus those the loaded plugins ship."""

    def __init__(self, extra: Iterable[Remediation] = ()) -> None:
        self._entries = {**_builtin(), **{r.cause: r for r in extra}}

    def __contains__(self, cause: object) -> bool:
        return cause in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def get(self, cause: str | None) -> Remediation | None:
        return self._entries.get(cause) if cause else None

    def explanations(self) -> dict[str, tuple[str, ...]]:
        """cause -> the causes it explains, for trimming consequences out of the root causes."""
        return {cause: rem.explains for cause, rem in self._entries.items() if rem.explains}
