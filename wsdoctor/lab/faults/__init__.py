"""The lab's named faults: the table, parsing `NAME[=VALUE]` specs, and combining the active ones.

Each fault reproduces on the wire what the real failure produces, so a client
under test (or a wsdoctor check) sees exactly the symptom a user would. What a
fault does is its class in kinds.py; this module only names it. Stdlib
only: the CLI validates specs before anything loads aiohttp.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, reduce
from typing import TYPE_CHECKING, Any, TypeVar

from ...deepgram.closes import ServerClose
from ...errors import BadInput
from ..actions import Action
from .kinds import (
    Auth,
    BadRequest,
    DataError,
    DropAfter,
    DropOnClose,
    Fault,
    Hostile,
    MuteAfter,
    Net0000,
    NoCloseReply,
    NoFinalizeReply,
    NoPong,
    RateLimit,
    Refusal,
    ResetAfter,
    SilentIdle,
    SlowHandshake,
    SlowUplink,
    TlsExpired,
    TlsWrongHost,
    UpgradeStripped,
)

if TYPE_CHECKING:
    import trustme

T = TypeVar("T")


@dataclass(frozen=True)
class FaultSpec:
    name: str
    kind: type[Fault]
    help: str
    takes_seconds: bool = False
    default: str | None = None
    needs_tls: bool = False
    choices: tuple[str, ...] = ()
    takes_rate: bool = False  # a value in kB/s
    flux: str = ""  # how it shows on Flux (/v2/listen), where that differs from /v1/listen

    @property
    def value_hint(self) -> str:
        """How the value is written in `lab faults`: =S, =KBPS, [=a|b], or nothing."""
        if self.takes_seconds:
            return "=S"
        if self.takes_rate:
            return "=KBPS"
        return "[=" + "|".join(self.choices) + "]" if self.choices else ""


# One row per fault: its name, its class, its help. Row order is also precedence:
# when two active faults answer the same hook (say drop-on-close and
# no-close-reply on CloseStream), the later row wins.
FAULTS: dict[str, FaultSpec] = {
    spec.name: spec
    for spec in (
        FaultSpec("auth", Auth, "401 with dg-error, as for a bad API key"),
        FaultSpec(
            "bad-request",
            BadRequest,
            "400 with dg-error, as for invalid stream parameters",
            flux="the same 400; a real bad Flux parameter is refused so without this fault",
        ),
        FaultSpec("rate-limit", RateLimit, "429, as for too many concurrent streams"),
        FaultSpec(
            "upgrade-stripped",
            UpgradeStripped,
            "plain 200 HTTP page, as a proxy that drops Upgrade gives",
        ),
        FaultSpec(
            "slow-handshake",
            SlowHandshake,
            "wait S seconds before answering the upgrade",
            takes_seconds=True,
            default="5",
        ),
        FaultSpec(
            "drop-on-close",
            DropOnClose,
            "on CloseStream, drop TCP without a close frame",
            flux="the same: no Updates and no close without status",
        ),
        FaultSpec(
            "drop-after",
            DropAfter,
            "drop TCP (FIN, no close frame) S seconds into the stream",
            takes_seconds=True,
            default="2",
        ),
        FaultSpec(
            "reset-after",
            ResetAfter,
            "send a TCP RST S seconds into the stream",
            takes_seconds=True,
            default="2",
        ),
        FaultSpec(
            "no-close-reply",
            NoCloseReply,
            "never echo the client's close frame; ignore CloseStream",
        ),
        FaultSpec(
            "no-finalize-reply",
            NoFinalizeReply,
            "answer Finalize with nothing, as Deepgram may when little audio is buffered",
            flux="does not apply: Flux has no Finalize (ForceEndTurn is always answered)",
        ),
        FaultSpec("no-pong", NoPong, "do not answer WebSocket pings"),
        FaultSpec(
            "mute-after",
            MuteAfter,
            "stop sending Results S seconds into the stream, which stays open: a silent stall",
            takes_seconds=True,
            default="2",
            flux="TurnInfo stops (ForceEndTurn's EndOfTurn too); Configure, Warnings and "
            "pongs still answer",
        ),
        FaultSpec(
            "silent-idle",
            SilentIdle,
            "after S seconds idle (default: the idle window) go silent, pings and NET-0001 "
            "included, with TCP left open: a NAT or firewall that forgot the flow",
            takes_seconds=True,
        ),
        FaultSpec(
            "slow-uplink",
            SlowUplink,
            "read the client's frames at only KBPS kB/s, so TCP backpressure builds in the "
            "client as behind a thin uplink",
            default="16",
            takes_rate=True,
        ),
        FaultSpec(
            "data-error",
            DataError,
            "close 1008 DATA-0000 on the first audio",
            flux="an Error message, then a close without status (Flux's code for undecodable "
            "audio is undocumented; the lab says UNDECODABLE_AUDIO)",
        ),
        FaultSpec(
            "net0000",
            Net0000,
            "close 1011 NET-0000 after the first audio",
            flux="no NET-0000 is documented for Flux: an Error INTERNAL_SERVER_ERROR, then a "
            "close without status, as Flux users report a failing stream",
        ),
        FaultSpec(
            "hostile",
            Hostile,
            "script payloads in headers, results and close reason; =headers or =frame "
            "add an oversized header or frame",
            default="payloads",
            choices=("payloads", "headers", "frame"),
            flux="payloads in a TurnInfo transcript and Error descriptions; Flux's own close "
            "carries no status, so no reason either (the idle close still has one)",
        ),
        FaultSpec("tls-expired", TlsExpired, "serve an expired leaf certificate", needs_tls=True),
        FaultSpec(
            "tls-wrong-host", TlsWrongHost, "serve a certificate for another host", needs_tls=True
        ),
    )
}


@dataclass(frozen=True)
class Faults:
    """The active faults of a lab (name -> value or None), answering each hook for all of them."""

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

    @cached_property
    def hooks(self) -> tuple[Fault, ...]:
        """The active faults as objects, in table order (not the order they were typed)."""
        return tuple(spec.kind(self.value(n)) for n, spec in FAULTS.items() if n in self.active)

    # -- combined hooks: see Fault for what each one means --------------

    @staticmethod
    def _last(answers: list[T]) -> T | None:
        """The last answer given: later table rows override earlier ones."""
        given = [a for a in answers if a is not None]
        return given[-1] if given else None

    def _chain(self, value: T, step: Callable[[Fault, T], T]) -> T:
        return reduce(lambda acc, fault: step(fault, acc), self.hooks, value)

    def handshake_delay(self) -> float:
        return max((f.handshake_delay() for f in self.hooks), default=0.0)

    def replacement_page(self) -> str | None:
        return self._last([f.replacement_page() for f in self.hooks])

    def rejects_key(self) -> bool:
        return any(f.rejects_key() for f in self.hooks)

    def refusal(self) -> Refusal | None:
        return self._last([f.refusal() for f in self.hooks])

    def error_message(self, message: str) -> str:
        return self._chain(message, lambda f, text: f.error_message(text))

    def response_headers(self, headers: dict[str, str]) -> dict[str, str]:
        return self._chain(headers, lambda f, sofar: f.response_headers(sofar))

    def answers_close_frames(self) -> bool:
        return all(f.answers_close_frames() for f in self.hooks)

    def rejects_audio(self) -> ServerClose | None:
        return self._last([f.rejects_audio() for f in self.hooks])

    def after_audio(self) -> ServerClose | None:
        return self._last([f.after_audio() for f in self.hooks])

    def first_audio(self, transcript: Callable[[str], dict[str, Any]]) -> list[Action]:
        return [action for f in self.hooks for action in f.first_audio(transcript)]

    def ignores_close_stream(self) -> bool:
        return any(f.ignores_close_stream() for f in self.hooks)

    def on_close_stream(self) -> Action | None:
        return self._last([f.on_close_stream() for f in self.hooks])

    def on_client_close(self) -> Action | None:
        return self._last([f.on_client_close() for f in self.hooks])

    def answers_finalize(self) -> bool:
        return all(f.answers_finalize() for f in self.hooks)

    def timers(self) -> list[tuple[float, Action]]:
        return [timer for f in self.hooks if (timer := f.timer()) is not None]

    def answers_pings(self) -> bool:
        return all(f.answers_pings() for f in self.hooks)

    def mutes_results(self, now: float) -> bool:
        return any(f.mutes_results(now) for f in self.hooks)

    def forgets_idle_flow_after(self, window_s: float) -> float | None:
        given = [s for f in self.hooks if (s := f.forgets_idle_flow_after(window_s)) is not None]
        return min(given, default=None)

    def read_rate(self) -> float | None:
        rates = [rate for f in self.hooks if (rate := f.read_rate()) is not None]
        return min(rates, default=None)

    def listen_options(self) -> tuple[tuple[int, int, int], ...]:
        return tuple(option for f in self.hooks for option in f.listen_options())

    def close_reason(self, reason: str) -> str:
        return self._chain(reason, lambda f, text: f.close_reason(text))

    def tls_leaf(self, ca: trustme.CA, hosts: tuple[str, ...]) -> trustme.LeafCert | None:
        return self._last([f.tls_leaf(ca, hosts) for f in self.hooks])


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
    elif spec.takes_rate:
        try:
            rate = float(value)
        except ValueError:
            rate = 0.0
        if not 0.1 <= rate <= 1_000_000:
            raise BadInput(f"lab fault {name}: expected kB/s (0.1-1000000), got {value!r}")
    elif spec.choices:
        if value not in spec.choices:
            raise BadInput(f"lab fault {name}: expected one of {', '.join(spec.choices)}")
    else:
        raise BadInput(f"lab fault {name} takes no value")
    return value
