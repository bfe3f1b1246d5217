"""One live stream after the 101, as a pure state machine: client events in, server actions out.

Like python-websockets' sans-I/O Protocol, nothing here reads a socket or a
clock: the caller passes each event with the time it happened (seconds since
the 101) and performs the actions it gets back, in order, and asks
`next_deadline()` when to come back with a Tick if no frame arrives. So the
documented ordering (final Results, then Metadata, then the close frame) holds
by construction, and tests can drive a whole stream with fake times in
microseconds. The same model can be fed frames recorded from a real client.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from ..audio.pcm import AudioFormat
from ..deepgram import messages as kinds
from ..deepgram.closes import ServerClose, close_of
from ..deepgram.messages import message_type
from ..deepgram.profiles import V1
from ..observe.events import Audio, ClientClose, ClientGone, Event, Ping, Text, Tick
from ..observe.observer import ClientObserver
from ..observe.record import ClientRecord
from .actions import Action, Close, Drop, GoSilent, Pong, SendJson
from .faults import Faults
from .transcript import Transcript

INTERIM_EVERY_S = 1.0
DUE_SLACK_S = 1e-3  # event loops wake a hair early; a timer this close is due


class Phase(enum.Enum):
    OPEN = "open"
    FINALIZING = "finalizing"  # CloseStream heard: finals, Metadata and close come at final_at
    IGNORING = "ignoring"  # CloseStream ignored (no-close-reply): frames read, own timers off
    SILENT = "silent"  # a client close left unanswered: nothing until the client leaves
    DONE = "done"


class LiveStream:
    def __init__(
        self,
        record: ClientRecord,
        fmt: AudioFormat | None,
        params: Mapping[str, str],
        *,
        faults: Faults | None = None,
        idle_timeout: float = V1.idle_window_s,
        finalize_s: float = 0.0,
    ) -> None:
        """`fmt` is None for container audio; `record` carries the request id and is kept up
        to date as the stream goes, so whoever holds it sees what the client did.
        `finalize_s`: how long the answer to CloseStream takes, as the real service needs
        a moment to flush (the audit uses it to see clients that do not wait)."""
        self.record = record
        self.observer = ClientObserver(record, params, counts_audio=False)
        self.finalize_s = finalize_s
        self.final_at: float | None = None
        self.faults = faults or Faults()
        self.idle_timeout = idle_timeout
        self.transcript = Transcript(record.request_id, fmt, params)
        self.interim = params.get("interim_results") == "true"
        self.last_activity = 0.0
        self.next_interim: float | None = None
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
            deadlines.append(self.idle_deadline)
            if self.forget_after is not None:
                deadlines.append(self.last_activity + self.forget_after)
            if self.next_interim is not None:
                deadlines.append(self.next_interim)
        if self.phase is Phase.FINALIZING and self.final_at is not None:
            deadlines.append(self.final_at)
        return deadlines

    @property
    def idle_deadline(self) -> float:
        return self.last_activity + self.idle_timeout

    def handle(self, event: Event, now: float) -> list[Action]:
        actions = self._handle(event, now)
        if self.faults.mutes_results(now):
            actions = [a for a in actions if not _is_results(a)]
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
            return self._while_finalizing(event)
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
            return self._settle(GoSilent(), now)  # before NET-0001: a forgotten flow loses it
        if self.idle_deadline <= now + DUE_SLACK_S:  # NET-0001, Metadata first
            return [
                SendJson(self.transcript.metadata()),
                *self._close(*close_of(ServerClose.NET0001)),
            ]
        if self.next_interim is not None and self.next_interim <= now + DUE_SLACK_S:
            self.next_interim += INTERIM_EVERY_S  # a fixed cadence from the first audio
            return [SendJson(self.transcript.interim())]
        return []

    # -- client frames -------------------------------------------------------------

    def _on_audio(self, data: bytes, now: float) -> list[Action]:
        if not data:  # the legacy close signal
            return self._close_stream(now)
        rejected = self.faults.rejects_audio()
        if rejected is None and self.transcript.opaque(data):
            self.last_activity = now  # WebM or Ogg: held open, transcribed as nothing
            return []
        audio = None if rejected else self.transcript.decode(data)
        if audio is None:
            return self._settle(rejected or Close(*close_of(ServerClose.DATA0000)), now)
        first = self.transcript.audio_bytes == 0
        self._count(audio, now)
        ending = self.faults.after_audio()
        if ending is not None:
            return self._settle(ending, now)
        extra = self._on_first_audio(now) if first else []
        return extra + [SendJson(m) for m in self.transcript.finals()]

    def _count(self, audio: bytes, now: float) -> None:
        self.transcript.add(audio)
        self.record.audio_bytes = self.transcript.audio_bytes
        self.record.audio_s = round(self.transcript.audio_s, 3)
        self.last_activity = now

    def _on_first_audio(self, now: float) -> list[Action]:
        if self.interim:
            self.next_interim = now + INTERIM_EVERY_S
        return self.faults.first_audio(self.record.request_id)

    def _on_text(self, text: str, now: float) -> list[Action]:
        kind = message_type(text)
        if self.record.audio_bytes:  # KeepAlive does not hold a stream that never had audio
            self.last_activity = now
        if kind == kinds.FINALIZE:
            if not self.faults.answers_finalize():
                return []
            return [SendJson(m) for m in self.transcript.flush(from_finalize=True)]
        elif kind == V1.close_request:
            return self._close_stream(now)
        return []

    def _on_ping(self, data: bytes, now: float) -> list[Action]:
        return [Pong(data)] if self.faults.answers_pings() else []

    def _on_client_close(self, code: int | None, now: float) -> list[Action]:
        """The echo itself is aiohttp's autoclose, switched by faults.answers_close_frames()."""
        answer = self.faults.on_client_close()
        if answer is not None:
            return self._settle(answer, now)
        self.record.tcp_end = "close-handshake"
        self.phase = Phase.DONE
        return []

    def _on_gone(self) -> list[Action]:
        self.phase = Phase.DONE
        return []

    def _while_finalizing(self, event: Event) -> list[Action]:
        """Audio and text wait in vain (the observer counts them); a close or EOF ends it."""
        if isinstance(event, ClientClose):
            self.record.tcp_end = "close-handshake"
            self.phase = Phase.DONE
        elif isinstance(event, ClientGone):
            return self._on_gone()
        elif isinstance(event, Ping):
            return self._on_ping(event.data, 0.0)
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

    def _final_answer(self, now: float) -> list[Action]:
        finals = [SendJson(m) for m in self.transcript.flush(from_finalize=False)]
        return [*finals, SendJson(self.transcript.metadata()), *self._close(1000, "")]

    def _settle(self, action: Action, now: float) -> list[Action]:
        """A fault's ending gets the same bookkeeping as the model's own."""
        if isinstance(action, Close):
            return self._close(action.code, action.reason)
        if isinstance(action, Drop):
            return self._drop(action.reset)
        if isinstance(action, GoSilent):
            self.phase = Phase.SILENT
        return [action]

    def _close(self, code: int, reason: str) -> list[Action]:
        reason = self.faults.close_reason(reason)
        self.phase = Phase.DONE
        return [Close(code, reason)]

    def _drop(self, reset: bool) -> list[Action]:
        self.phase = Phase.DONE
        return [Drop(reset)]


def _is_results(action: Action) -> bool:
    return isinstance(action, SendJson) and action.message.get("type") == V1.transcript_message
