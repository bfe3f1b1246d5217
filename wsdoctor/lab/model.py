"""One live stream after the 101, as a pure state machine: client events in, server actions out.

Like python-websockets' sans-I/O Protocol, nothing here reads a socket or a clock:
the caller passes each event with the time it happened (seconds since the 101),
performs the actions it gets back, in order, and asks `next_deadline()` when to come
back with a Tick if no frame arrives. So a documented ordering (v1: final Results,
then Metadata, then the close frame) holds by construction, and tests drive a whole
stream with fake times in microseconds. The same model can be fed frames recorded
from a real client.

This base is what Deepgram's live APIs share: the phases of a stream, the faults'
timers and hooks, the idle window, CloseStream's wait, the endings and what the
observer hears. Each API is a subclass that says what the server sends: LiveStream
(stream.py, /v1/listen) and FluxStream (flux.py, /v2/listen).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, ClassVar

from ..deepgram.closes import ServerClose
from ..deepgram.profiles import V1, ApiProfile
from ..observe.events import Audio, ClientClose, ClientGone, Event, Ping, Text, Tick
from ..observe.observer import ClientObserver
from ..observe.record import ClientRecord
from .actions import Action, Close, Drop, GoSilent, Pong, SendJson
from .faults import Faults
from .timeline import AudioTimeline

DUE_SLACK_S = 1e-3  # event loops wake a hair early; a timer this close is due


class Phase(enum.Enum):
    OPEN = "open"
    FINALIZING = "finalizing"  # CloseStream heard: the final answer comes at final_at
    IGNORING = "ignoring"  # CloseStream ignored (no-close-reply): frames read, own timers off
    SILENT = "silent"  # a client close left unanswered: nothing until the client leaves
    DONE = "done"


class StreamModel:
    profile: ClassVar[ApiProfile] = V1

    def __init__(
        self,
        record: ClientRecord,
        timeline: AudioTimeline,
        params: Mapping[str, str],
        *,
        faults: Faults | None,
        idle_timeout: float,
        finalize_s: float,
    ) -> None:
        """`record` carries the request id and is kept up to date as the stream goes, so
        whoever holds it sees what the client did. `finalize_s`: how long the answer to
        CloseStream takes, as the real service needs a moment to flush (the audit uses it
        to see clients that do not wait)."""
        self.record = record
        self.timeline = timeline
        self.observer = ClientObserver(record, params, counts_audio=False)
        self.finalize_s = finalize_s
        self.final_at: float | None = None
        self.faults = faults or Faults()
        self.idle_timeout = idle_timeout
        self.last_activity = 0.0
        self.phase = Phase.OPEN
        self._timers = self.faults.timers()
        self.forget_after = self.faults.forgets_idle_flow_after(idle_timeout)  # silent-idle

    @property
    def done(self) -> bool:
        return self.phase is Phase.DONE

    def next_deadline(self) -> float | None:
        """When to send a Tick if no frame arrives first; None: wait for the client."""
        return min(self._deadlines(), default=None)

    def _deadlines(self) -> list[float]:
        if self.phase in (Phase.SILENT, Phase.DONE):
            return []
        deadlines = [at for at, _ in self._timers]
        if self.phase is Phase.OPEN:
            deadlines += [self.idle_deadline, *self._own_deadlines()]
            if self.forget_after is not None:
                deadlines.append(self.last_activity + self.forget_after)
        if self.phase is Phase.FINALIZING and self.final_at is not None:
            deadlines.append(self.final_at)
        return deadlines

    @property
    def idle_deadline(self) -> float:
        return self.last_activity + self.idle_timeout

    def handle(self, event: Event, now: float) -> list[Action]:
        actions = self._handle(event, now)
        if self.faults.mutes_results(now):
            actions = [a for a in actions if not self._is_transcript(a)]
        actions = self._outgoing(actions)
        for action in actions:  # the observer hears the server's side in the order it is sent
            if isinstance(action, SendJson):
                message = action.message
                replied = bool(message.get("from_finalize"))
                self.observer.server_sent(str(message.get("type", "")), now, replied)
            elif isinstance(action, Close):
                self.observer.server_closed(action.code, action.reason, now)
            elif isinstance(action, Drop):
                self.observer.server_dropped(action.reset, now)
        return actions

    def _handle(self, event: Event, now: float) -> list[Action]:
        if self.phase is Phase.DONE:
            return []
        if not isinstance(event, Tick):
            self.observer.client(event, now)
        if self.phase is Phase.FINALIZING and not isinstance(event, Tick):
            return self._while_finalizing(event, now)
        if self.phase is Phase.SILENT:  # the adapter is only waiting for TCP to end
            return self._on_gone() if isinstance(event, ClientGone) else []
        match event:
            case Audio(data):
                return self._on_audio(data, now)
            case Text(text):
                return self._on_text(text, now)
            case Ping(data):
                return self._on_ping(data, now)
            case ClientClose(code):
                return self._on_client_close(code, now)
            case ClientGone():
                return self._on_gone()
            case Tick():
                return self._on_tick(now)
        return []

    def finish(self, now: float) -> None:
        """Called once the socket is done with, so the duration includes the close handshake."""
        self.record.duration_s = round(now, 3)

    # -- what each API says (the subclass's part) ----------------------------------

    def _own_deadlines(self) -> list[float]:
        """Timers of the API's own while the stream is open (v1: interim Results)."""
        return []

    def _periodic(self, now: float) -> list[Action]:
        """A Tick with no fault, idle or finalize timer due: the API's own timers."""
        return []

    def _on_text(self, text: str, now: float) -> list[Action]:
        raise NotImplementedError

    def _heard(self, now: float) -> list[Action]:
        """What the server says about audio just counted (v1: finals; Flux: TurnInfo)."""
        raise NotImplementedError

    def _transcript_saying(self, text: str) -> dict[str, Any]:
        """The API's transcript message carrying `text` (a hostile payload, say)."""
        raise NotImplementedError

    def _fail(self, kind: ServerClose, now: float) -> list[Action]:
        """How the API ends a stream on a failure a fault or the audio caused."""
        raise NotImplementedError

    def _idle_ending(self, now: float) -> list[Action]:
        raise NotImplementedError

    def _final_answer(self, now: float) -> list[Action]:
        """The answer to CloseStream, ending with the close."""
        raise NotImplementedError

    def _echo(self, code: int | None) -> list[Action]:
        """The answer to the client's close frame; v1 leaves it to aiohttp's autoclose."""
        return []

    def _outgoing(self, actions: list[Action]) -> list[Action]:
        """The last look at what goes out (Flux numbers its messages here)."""
        return actions

    def _is_transcript(self, action: Action) -> bool:
        return (
            isinstance(action, SendJson)
            and action.message.get("type") == self.profile.transcript_message
        )

    # -- timers --------------------------------------------------------------------

    def _on_tick(self, now: float) -> list[Action]:
        due = [action for at, action in self._timers if at <= now + DUE_SLACK_S]
        if due:  # a fault's timer beats everything; between two, the later table row
            return self._settle(due[-1], now)
        if self.phase is Phase.FINALIZING and self.final_at is not None:
            return self._final_answer(now) if self.final_at <= now + DUE_SLACK_S else []
        if self.phase is not Phase.OPEN:
            return []
        forget = self.forget_after
        if forget is not None and self.last_activity + forget <= now + DUE_SLACK_S:
            return self._settle(GoSilent(), now)  # before the idle close: a forgotten flow loses it
        if self.idle_deadline <= now + DUE_SLACK_S:
            return self._idle_ending(now)
        return self._periodic(now)

    # -- client frames -------------------------------------------------------------

    def _on_audio(self, data: bytes, now: float) -> list[Action]:
        if not data:
            return self._close_stream(now) if self.profile.empty_frame_closes else []
        rejected = self.faults.rejects_audio()
        if rejected is None and self.timeline.opaque(data):
            self.last_activity = now  # WebM or Ogg: held open, transcribed as nothing
            return []
        audio = None if rejected else self.timeline.decode(data)
        if audio is None:
            return self._fail(rejected or ServerClose.DATA0000, now)
        first = self.timeline.audio_bytes == 0
        self._count(audio, now)
        failure = self.faults.after_audio()
        if failure is not None:
            return self._fail(failure, now)
        extra = self._on_first_audio(now) if first else []
        return extra + self._heard(now)

    def _count(self, audio: bytes, now: float) -> None:
        self.timeline.add(audio)
        self.record.audio_bytes = self.timeline.audio_bytes
        self.record.audio_s = round(self.timeline.audio_s, 3)
        self.last_activity = now

    def _on_first_audio(self, now: float) -> list[Action]:
        return self.faults.first_audio(self._transcript_saying)

    def _on_ping(self, data: bytes, now: float) -> list[Action]:
        if self.profile.held_by_pings:
            self.last_activity = now
        return [Pong(data)] if self.faults.answers_pings() else []

    def _on_client_close(self, code: int | None, now: float) -> list[Action]:
        answer = self.faults.on_client_close()
        if answer is not None:
            return self._settle(answer, now)
        self.record.tcp_end = "close-handshake"
        self.phase = Phase.DONE
        return self._echo(code)

    def _on_gone(self) -> list[Action]:
        self.phase = Phase.DONE
        return []

    def _while_finalizing(self, event: Event, now: float) -> list[Action]:
        """Audio and text wait in vain (the observer counts them); a close or EOF ends it."""
        if isinstance(event, ClientClose):
            self.record.tcp_end = "close-handshake"
            self.phase = Phase.DONE
            return self._echo(event.code)
        if isinstance(event, ClientGone):
            return self._on_gone()
        if isinstance(event, Ping):
            return self._on_ping(event.data, now)
        return []

    # -- endings -------------------------------------------------------------------

    def _close_stream(self, now: float) -> list[Action]:
        if self.faults.ignores_close_stream():
            self.phase = Phase.IGNORING
            return []
        ending = self.faults.on_close_stream()
        if ending is not None:
            return self._settle(ending, now)
        if self.finalize_s > 0:
            self.phase, self.final_at = Phase.FINALIZING, now + self.finalize_s
            return []
        return self._final_answer(now)

    def _settle(self, action: Action, now: float) -> list[Action]:
        """A fault's ending gets the same bookkeeping as the model's own."""
        if isinstance(action, Close):
            return self._close(action.code, action.reason)
        if isinstance(action, Drop):
            return self._drop(action.reset)
        if isinstance(action, GoSilent):
            self.phase = Phase.SILENT
        return [action]

    def _close(self, code: int | None, reason: str) -> list[Action]:
        """A close without a status code has no room for a reason, hostile or not."""
        reason = self.faults.close_reason(reason) if code is not None else ""
        self.phase = Phase.DONE
        return [Close(code, reason)]

    def _drop(self, reset: bool) -> list[Action]:
        self.phase = Phase.DONE
        return [Drop(reset)]
