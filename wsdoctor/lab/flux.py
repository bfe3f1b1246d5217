"""One Flux (/v2/listen) stream as a sans-I/O model (model.StreamModel): what Flux says.

Connected first (sequence_id 0), then TurnInfo about the audio (turns.py); every
message numbered in the order it is sent. Configure is answered with the values in
force (ConfigureSuccess) or ConfigureFailure; ForceEndTurn with a manual EndOfTurn,
or a Warning when no turn is active. CloseStream: the remaining Updates, no EndOfTurn,
no Metadata, then a close without a status code. Any other text (a v1 KeepAlive, say)
is fatal, as reported: an Error message, then a close without status. What holds the
idle window is audio and WebSocket pings, never text (a report, not documentation:
see deepgram/profiles.py); when it runs out the lab closes as the profile says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..audio.pcm import AudioFormat
from ..deepgram import messages as kinds
from ..deepgram.closes import ServerClose, close_of
from ..deepgram.flux import parameter_problems
from ..deepgram.messages import json_object, type_of
from ..deepgram.profiles import FLUX
from ..observe.events import Event
from ..observe.record import ClientRecord
from . import flux_messages as say
from .actions import Action, EchoClose, SendJson
from .faults import Faults
from .flux_messages import Thresholds
from .model import StreamModel
from .turns import Turns

THRESHOLD_NAMES = ("eot_threshold", "eager_eot_threshold", "eot_timeout_ms")


class FluxStream(StreamModel):
    profile = FLUX

    def __init__(
        self,
        record: ClientRecord,
        fmt: AudioFormat | None,
        params: Mapping[str, str],
        keyterms: Sequence[str] = (),
        language_hints: Sequence[str] = (),
        *,
        faults: Faults | None = None,
        idle_timeout: float = FLUX.idle_window_s,
        finalize_s: float = 0.0,
    ) -> None:
        """`params` passed `parameter_problems` at the upgrade; `keyterms` and
        `language_hints` are the URL's repeated `keyterm=` and `language_hint=` values.
        `fmt` is None for container audio."""
        self.turns = Turns(record.request_id, fmt, thresholds_of(params))
        super().__init__(
            record,
            self.turns,
            params,
            faults=faults,
            idle_timeout=idle_timeout,
            finalize_s=finalize_s,
        )
        self.params = dict(params)
        self.keyterms = list(keyterms)
        self.language_hints = list(language_hints)
        self.connected = False
        self.sequence = 0

    def _handle(self, event: Event, now: float) -> list[Action]:
        """Connected comes first, before the answer to whatever happened first."""
        greeting = [] if self.connected or self.done else [SendJson(say.connected(self.rid))]
        self.connected = True
        return greeting + super()._handle(event, now)

    @property
    def rid(self) -> str:
        return self.record.request_id

    def _own_deadlines(self) -> list[float]:
        return [] if self.connected else [0.0]  # Connected at once, without waiting for a frame

    def _outgoing(self, actions: list[Action]) -> list[Action]:
        """Every message gets the next sequence_id, in the order it goes out."""
        numbered: list[Action] = []
        for action in actions:
            if isinstance(action, SendJson):
                action = SendJson({**action.message, "sequence_id": self.sequence})
                self.sequence += 1
            numbered.append(action)
        return numbered

    def _heard(self, now: float) -> list[Action]:
        return [SendJson(m) for m in self.turns.infos()]

    def _transcript_saying(self, text: str) -> dict[str, Any]:
        turns = self.turns
        update = say.turn_info(self.rid, kinds.UPDATE, turns.turn_index, (0.0, 0.0), [], 0.0)
        return {**update, "transcript": text}

    # -- client messages -----------------------------------------------------------

    def _on_text(self, text: str, now: float) -> list[Action]:
        """Text never holds the idle window on Flux; only audio and pings do."""
        message = json_object(text)
        kind = type_of(message)
        if kind == FLUX.close_request:
            return self._close_stream(now)
        if kind == kinds.CONFIGURE and message is not None:
            return [SendJson(self._configure(message))]
        if kind == kinds.FORCE_END_TURN:
            return [SendJson(self.turns.force_end() or say.no_active_turn(self.rid))]
        if not self.profile.unknown_text_is_fatal:
            return []
        named = f"A text frame of type {kind}" if kind else "A text frame that is no JSON message"
        return self._fatal(say.UNKNOWN_MESSAGE, f"{named} is not a /v2/listen message.")

    def _configure(self, message: Mapping[str, Any]) -> dict[str, Any]:
        problem, update = configure_update(message, self.turns.thresholds)
        keyterms = message.get("keyterms", self.keyterms)
        hints = message.get("language_hints", self.language_hints)
        if problem is None:
            query = {**self.params, **{k: str(v) for k, v in update.items()}}
            problem = next(iter(parameter_problems(query, keyterms, hints)), None)
        if problem is not None:
            return say.configure_failure(self.rid, problem)
        self.turns.configure(thresholds_of({k: str(v) for k, v in update.items()}))
        self.keyterms, self.language_hints = list(keyterms), list(hints)
        return say.configure_success(self.rid, self.turns.thresholds, self.keyterms, hints)

    # -- endings -------------------------------------------------------------------

    def _fatal(self, code: str, description: str) -> list[Action]:
        """Flux's fatal errors: an Error message, then a close without a status code."""
        error = say.error(code, self.faults.error_message(description))
        return [SendJson(error), *self._close(None, "")]

    def _fail(self, kind: ServerClose, now: float) -> list[Action]:
        default = (kinds.INTERNAL_SERVER_ERROR, "An internal server error occurred.")
        return self._fatal(*say.FAILURES.get(kind, default))

    def _idle_ending(self, now: float) -> list[Action]:
        return self._close(*close_of(FLUX.idle_close))

    def _final_answer(self, now: float) -> list[Action]:
        return [*(SendJson(m) for m in self.turns.flush()), *self._close(None, "")]

    def _echo(self, code: int | None) -> list[Action]:
        return [EchoClose(code)]  # the WebSocket's autoclose is off on Flux (see wire.py)


def thresholds_of(values: Mapping[str, str]) -> Thresholds:
    """The end-of-turn settings a URL (or a Configure, as strings) asks for; defaults else."""
    eager = values.get("eager_eot_threshold")
    return Thresholds(
        eot_threshold=float(values.get("eot_threshold", Thresholds.eot_threshold)),
        eager_eot_threshold=float(eager) if eager is not None else None,
        eot_timeout_ms=int(float(values.get("eot_timeout_ms", Thresholds.eot_timeout_ms))),
    )


def configure_update(
    message: Mapping[str, Any], current: Thresholds
) -> tuple[str | None, dict[str, Any]]:
    """(a problem with the message's shape, or None; the thresholds it leaves in force)."""
    given = message.get("thresholds") or {}
    keyterms = message.get("keyterms", [])
    hints = message.get("language_hints", [])
    in_force: dict[str, Any] = dict(current.as_message())
    if not isinstance(given, dict) or not all(k in THRESHOLD_NAMES for k in given):
        return f"thresholds must be an object of {', '.join(THRESHOLD_NAMES)}", in_force
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in given.values()):
        return "thresholds must be numbers", in_force
    for name, value in (("keyterms", keyterms), ("language_hints", hints)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{name} must be a list of strings", in_force
    return None, {**in_force, **given}
