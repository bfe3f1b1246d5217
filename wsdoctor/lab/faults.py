"""The lab's named faults: what each one does, and parsing `NAME[=VALUE]` specs.

Each fault reproduces on the wire what the real failure produces, so a client
under test (or a wsdoctor check) sees exactly the symptom a user would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import BadInput


@dataclass(frozen=True)
class FaultSpec:
    name: str
    help: str
    takes_seconds: bool = False
    default: str | None = None
    needs_tls: bool = False
    choices: tuple[str, ...] = ()


FAULTS: dict[str, FaultSpec] = {
    spec.name: spec
    for spec in (
        FaultSpec("auth", "401 with dg-error, as for a bad API key"),
        FaultSpec("bad-request", "400 with dg-error, as for invalid stream parameters"),
        FaultSpec("rate-limit", "429, as for too many concurrent streams"),
        FaultSpec("upgrade-stripped", "plain 200 HTTP page, as a proxy that drops Upgrade gives"),
        FaultSpec("slow-handshake", "wait S seconds before answering the upgrade", True, "5"),
        FaultSpec("drop-on-close", "on CloseStream, drop TCP without a close frame"),
        FaultSpec(
            "drop-after", "drop TCP (FIN, no close frame) S seconds into the stream", True, "2"
        ),
        FaultSpec("reset-after", "send a TCP RST S seconds into the stream", True, "2"),
        FaultSpec("no-close-reply", "never echo the client's close frame; ignore CloseStream"),
        FaultSpec("no-pong", "do not answer WebSocket pings"),
        FaultSpec("data-error", "close 1008 DATA-0000 on the first audio"),
        FaultSpec("net0000", "close 1011 NET-0000 after the first audio"),
        FaultSpec(
            "hostile",
            "script payloads in headers, results and close reason; =headers or =frame "
            "add an oversized header or frame",
            default="payloads",
            choices=("payloads", "headers", "frame"),
        ),
        FaultSpec("tls-expired", "serve an expired leaf certificate", needs_tls=True),
        FaultSpec("tls-wrong-host", "serve a certificate for another host", needs_tls=True),
    )
}


@dataclass(frozen=True)
class Faults:
    """The active faults of a lab: name -> value (or None)."""

    active: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, specs: Iterable[str]) -> Faults:
        active: dict[str, str | None] = {}
        for spec in specs:
            name, _, value = spec.strip().partition("=")
            active[name] = _validated(name, value or None)
        return cls(active)

    def __contains__(self, name: object) -> bool:
        return name in self.active

    def seconds(self, name: str) -> float | None:
        if name not in self.active:
            return None
        return float(self.active[name] or FAULTS[name].default or 0)

    def value(self, name: str) -> str | None:
        if name not in self.active:
            return None
        return self.active[name] or FAULTS[name].default

    @property
    def needs_tls(self) -> bool:
        return any(FAULTS[name].needs_tls for name in self.active)

    def describe(self) -> str:
        return ", ".join(n if v is None else f"{n}={v}" for n, v in self.active.items()) or "none"


def _validated(name: str, value: str | None) -> str | None:
    spec = FAULTS.get(name)
    if spec is None:
        raise BadInput(f"unknown lab fault {name!r} (known: {', '.join(FAULTS)})")
    if value is None:
        return None
    if spec.takes_seconds:
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= 3600:
            raise BadInput(f"lab fault {name}: expected seconds (0-3600), got {value!r}")
    elif spec.choices:
        if value not in spec.choices:
            raise BadInput(f"lab fault {name}: expected one of {', '.join(spec.choices)}")
    else:
        raise BadInput(f"lab fault {name} takes no value")
    return value
