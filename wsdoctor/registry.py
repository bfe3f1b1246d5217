"""Finding checks: built-ins and third-party plugins load through one entry-point group.

Built-ins get no back door (as in pytest), so the plugin path is exercised on
every run. Each plugin is verified when it loads (as pluggy verifies hook
implementations), so a broken one is named at once rather than failing later,
and one plugin can be blocked by name (`--disable-plugin`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .causes import Catalogue, Remediation, entry_problems, remediation_from
from .errors import BadInput, RegistryError
from .plugin import CheckPlugin, contract_problems, own_cause_entries

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
    name: str = ""  # the entry point's name: what --disable-plugin takes

    @property
    def id(self) -> str:
        return self.check.id

    @property
    def builtin(self) -> bool:
        return _is_builtin(self.source)

    def origin(self) -> PluginOrigin | None:
        """Whom to name if this check crashes: None for wsdoctor's own (a wsdoctor bug)."""
        return None if self.builtin else PluginOrigin(self.source, self.name or self.id)


@dataclass(frozen=True)
class PluginOrigin:
    """Where a third-party check comes from, so its crash names the plugin, not wsdoctor."""

    distribution: str  # "wsdoctor-clock-skew 1.0"
    disable_as: str  # what --disable-plugin takes

    def crash_message(self, check_id: str, detail: str) -> str:
        return (
            f"check `{check_id}` from distribution {self.distribution} raised {detail} "
            f"(a bug in that plugin: report it to its authors; to run without it: "
            f"--disable-plugin {self.disable_as})"
        )


@dataclass(frozen=True)
class Selection:
    checks: tuple[Registered, ...]
    pulled_in: frozenset[str]

    @property
    def provided_facts(self) -> frozenset[str]:
        return frozenset(f for e in self.checks for f in getattr(e.check, "provides", ()))

    def origins(self) -> dict[str, PluginOrigin]:
        """check id -> the plugin to name if that check crashes; wsdoctor's own are absent."""
        return {e.id: origin for e in self.checks if (origin := e.origin()) is not None}


class Registry:
    """An ordered, validated set of checks: unique ids, known dependencies, no cycles."""

    def __init__(self, entries: Iterable[Registered]) -> None:
        by_id: dict[str, Registered] = {}
        own: list[Remediation] = []
        for entry in entries:
            if entry.id in by_id:
                first = by_id[entry.id]
                extra = entry if first.builtin else first
                raise RegistryError(
                    f"check id {entry.id!r} is registered twice: by {first.source} "
                    f"({first.entry_point}) and by {entry.source} ({entry.entry_point})"
                    + _remedy(extra)
                )
            by_id[entry.id] = entry
            own += _own_causes(entry)
        self.catalogue = Catalogue(own)
        for entry in by_id.values():
            _verify(entry, self.catalogue)
            for dep in entry.check.depends_on:
                if dep not in by_id:
                    raise RegistryError(
                        f"check {entry.id!r} from {entry.source} ({entry.entry_point}) "
                        f"depends on unknown check {dep!r}" + _remedy(entry)
                    )
        try:
            self._entries = {e.id: by_id[e.id] for e in _topological(by_id)}
        except _Cycle as cycle:
            plugins = [by_id[c] for c in cycle.ids if not by_id[c].builtin]
            remedy = _remedy(plugins[-1]) if plugins else ""
            raise RegistryError(
                f"checks depend on each other in a cycle: {cycle}{remedy}"
            ) from None

    @classmethod
    def from_entry_points(cls, entry_points: Iterable[EntryPoint]) -> Registry:
        return cls(_load(ep) for ep in entry_points)

    @classmethod
    def discover(
        cls, environ: Mapping[str, str] | None = None, disabled: Iterable[str] = ()
    ) -> Registry:
        from importlib.metadata import entry_points

        found = list(entry_points(group=GROUP))
        if (environ or {}).get(AUTOLOAD_OFF_ENV, "") not in ("", "0"):
            found = [ep for ep in found if _dist_name(ep) == BUILTIN_DIST]
        blocked = set(disabled)
        names = {ep.name for ep in found} | {_dist_name(ep) for ep in found}
        unknown = sorted(blocked - names)
        if unknown:
            known = ", ".join(sorted({ep.name for ep in found}))
            raise BadInput(f"--disable-plugin: no plugin named {unknown[0]!r} (known: {known})")
        kept = [ep for ep in found if ep.name not in blocked and _dist_name(ep) not in blocked]
        loaded = [_load(ep) for ep in kept]
        _refuse_orphans(loaded, blocked)
        return cls(loaded)

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
        if not chosen:
            raise BadInput("nothing to run: --only, --skip and --quick leave no check selected")
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


def _refuse_orphans(loaded: list[Registered], blocked: set[str]) -> None:
    """Disabling a check that others need is a usage error, not a broken plugin set."""
    ids = {entry.id for entry in loaded}
    for entry in loaded:
        missing = [d for d in entry.check.depends_on if d not in ids and d in blocked]
        if missing:
            raise BadInput(
                f"--disable-plugin {missing[0]}: check {entry.id!r} depends on it "
                "(disable that too, or use --skip to leave checks out of one run)"
            )


def _remedy(entry: Registered) -> str:
    return _remedy_for(entry.source, entry.name or entry.id)


def _remedy_for(source: str, name: str) -> str:
    """The end of an error that names a plugin: how to run without it."""
    if _is_builtin(source):
        return " (wsdoctor's own check: reinstall wsdoctor)"
    return (
        f"; to run without it: --disable-plugin {name}, or {AUTOLOAD_OFF_ENV}=1 to load "
        "only wsdoctor's own checks"
    )


def _is_builtin(source: str) -> bool:
    return source.split(" ")[0] == BUILTIN_DIST


def _load(ep: EntryPoint) -> Registered:
    dist = getattr(ep, "dist", None)
    source = f"{dist.name} {dist.version}" if dist is not None else "unknown distribution"
    try:
        obj = ep.load()
    except Exception as exc:
        raise RegistryError(
            f"plugin {ep.name!r} from {source} ({ep.value}) failed to load: {exc}"
            + _remedy_for(source, ep.name)
        ) from exc
    check = obj() if isinstance(obj, type) else obj
    if not isinstance(check, CheckPlugin) or not isinstance(check.id, str):
        raise RegistryError(
            f"plugin {ep.name!r} from {source} ({ep.value}) is not a check "
            "(needs id, title, depends_on, tags and async run(ctx))" + _remedy_for(source, ep.name)
        )
    return Registered(check=check, source=source, entry_point=ep.value, name=ep.name)


def _own_causes(entry: Registered) -> list[Remediation]:
    own = []
    for cause, data in own_cause_entries(entry.check).items():
        problems = entry_problems(data)
        if problems:
            raise RegistryError(
                f"plugin {entry.name or entry.id!r} from {entry.source}: cause {cause!r}: "
                + "; ".join(problems)
                + _remedy(entry)
            )
        own.append(remediation_from(cause, data, {}))
    return own


def _verify(entry: Registered, catalogue: Catalogue) -> None:
    problems = contract_problems(entry.check, catalogue)
    if problems:
        raise RegistryError(
            f"plugin {entry.name or entry.id!r} from {entry.source} ({entry.entry_point}) "
            "breaks the check contract: " + "; ".join(problems) + _remedy(entry)
        )


class _Cycle(Exception):
    def __init__(self, ids: tuple[str, ...]) -> None:
        super().__init__(" -> ".join(ids))
        self.ids = ids


def _topological(by_id: dict[str, Registered]) -> list[Registered]:
    """Dependencies first; among equals, shallower checks first, then by id."""
    depth: dict[str, int] = {}

    def depth_of(check_id: str, trail: tuple[str, ...]) -> int:
        if check_id in trail:
            raise _Cycle((*trail, check_id))
        if check_id not in depth:
            deps = by_id[check_id].check.depends_on
            depth[check_id] = 1 + max((depth_of(d, (*trail, check_id)) for d in deps), default=-1)
        return depth[check_id]

    return sorted(by_id.values(), key=lambda e: (depth_of(e.id, ()), e.id))
