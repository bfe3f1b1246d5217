"""Finding checks: built-ins and third-party plugins load through one entry-point group.

Built-ins get no back door (as in pytest), so the plugin path is exercised on
every run, and a broken plugin is named in the error rather than crashing later.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import BadInput, RegistryError
from .plugin import CheckPlugin

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "wsdoctor.checks"
BUILTIN_DIST = "wsdoctor"
AUTOLOAD_OFF_ENV = "WSDOCTOR_DISABLE_PLUGIN_AUTOLOAD"


@dataclass(frozen=True)
class Registered:
    check: CheckPlugin
    source: str  # the distribution that provides it, e.g. "wsdoctor 0.1.0"
    entry_point: str

    @property
    def id(self) -> str:
        return self.check.id


@dataclass(frozen=True)
class Selection:
    checks: tuple[Registered, ...]
    pulled_in: frozenset[str]


class Registry:
    """An ordered, validated set of checks: unique ids, known dependencies, no cycles."""

    def __init__(self, entries: Iterable[Registered]) -> None:
        by_id: dict[str, Registered] = {}
        for entry in entries:
            if entry.id in by_id:
                first = by_id[entry.id]
                raise RegistryError(
                    f"check id {entry.id!r} is registered twice: by {first.source} "
                    f"({first.entry_point}) and by {entry.source} ({entry.entry_point})"
                )
            by_id[entry.id] = entry
        for entry in by_id.values():
            for dep in entry.check.depends_on:
                if dep not in by_id:
                    raise RegistryError(
                        f"check {entry.id!r} from {entry.source} ({entry.entry_point}) "
                        f"depends on unknown check {dep!r}"
                    )
        self._entries = {e.id: by_id[e.id] for e in _topological(by_id)}

    @classmethod
    def from_entry_points(cls, entry_points: Iterable[EntryPoint]) -> Registry:
        return cls(_load(ep) for ep in entry_points)

    @classmethod
    def discover(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Registry:
        from importlib.metadata import entry_points

        environ = os.environ if environ is None else environ
        found: Iterable[EntryPoint] = entry_points(group=GROUP)
        if environ.get(AUTOLOAD_OFF_ENV, "") not in ("", "0"):
            found = [ep for ep in found if _dist_name(ep) == BUILTIN_DIST]
        return cls.from_entry_points(found)

    def __iter__(self) -> Iterator[Registered]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._entries

    def get(self, check_id: str) -> Registered:
        return self._entries[check_id]

    def select(
        self, only: Iterable[str] = (), skip: Iterable[str] = (), quick: bool = False
    ) -> Selection:
        """Apply --only/--skip/--quick; --only pulls in what the named checks need."""
        only, skip = list(only), list(skip)
        for check_id in [*only, *skip]:
            if check_id not in self._entries:
                known = ", ".join(self._entries)
                raise BadInput(f"unknown check id {check_id!r} (known: {known})")
        chosen = set(self._entries)
        pulled: set[str] = set()
        if only:
            chosen = self._with_dependencies(only)
            pulled = chosen - set(only)
        if quick:
            chosen = {c for c in chosen if "slow" not in self.get(c).check.tags or c in only}
        chosen -= set(skip)
        checks = tuple(e for e in self if e.id in chosen)
        return Selection(checks, frozenset(pulled & chosen))

    def _with_dependencies(self, ids: Iterable[str]) -> set[str]:
        needed: set[str] = set()
        stack = list(ids)
        while stack:
            check_id = stack.pop()
            if check_id not in needed:
                needed.add(check_id)
                stack.extend(self.get(check_id).check.depends_on)
        return needed


def _dist_name(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else "unknown"


def _load(ep: EntryPoint) -> Registered:
    dist = getattr(ep, "dist", None)
    source = f"{dist.name} {dist.version}" if dist is not None else "unknown distribution"
    try:
        obj = ep.load()
    except Exception as exc:
        raise RegistryError(
            f"plugin {ep.name!r} from {source} ({ep.value}) failed to load: {exc}"
        ) from exc
    check = obj() if isinstance(obj, type) else obj
    if not isinstance(check, CheckPlugin) or not isinstance(check.id, str):
        raise RegistryError(
            f"plugin {ep.name!r} from {source} ({ep.value}) is not a check "
            "(needs id, title, depends_on, tags and async run(ctx))"
        )
    return Registered(check=check, source=source, entry_point=ep.value)


def _topological(by_id: dict[str, Registered]) -> list[Registered]:
    """Dependencies first; among equals, shallower checks first, then by id."""
    depth: dict[str, int] = {}

    def depth_of(check_id: str, trail: tuple[str, ...]) -> int:
        if check_id in trail:
            cycle = " -> ".join((*trail, check_id))
            raise RegistryError(f"checks depend on each other in a cycle: {cycle}")
        if check_id not in depth:
            deps = by_id[check_id].check.depends_on
            depth[check_id] = 1 + max((depth_of(d, (*trail, check_id)) for d in deps), default=-1)
        return depth[check_id]

    return sorted(by_id.values(), key=lambda e: (depth_of(e.id, ()), e.id))
