"""One /v1/listen stream as a sans-I/O model (model.StreamModel): what Deepgram's v1 says.

Final Results per second of audio (transcript.py), interim Results every second with
interim_results=true, Finalize's flush, KeepAlive holding the idle window once audio
has arrived, and the documented endings: final Results, Metadata, then 1000 after
CloseStream; Metadata, then 1011 NET-0001 when idle; the failure's close frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..audio.pcm import AudioFormat
from ..deepgram import messages as kinds
from ..deepgram.closes import NORMAL, ServerClose, close_of
from ..deepgram.messages import message_type
from ..deepgram.profiles import V1
from ..observe.record import ClientRecord
from . import messages
from .actions import Action, SendJson
from .faults import Faults
from .model import DUE_SLACK_S, StreamModel
from .transcript import Transcript

INTERIM_EVERY_S = 1.0


class LiveStream(StreamModel):
    profile = V1

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
        """`fmt` is None for container audio."""
        self.transcript = Transcript(record.request_id, fmt, params)
        super().__init__(
            record,
            self.transcript,
            params,
            faults=faults,
            idle_timeout=idle_timeout,
            finalize_s=finalize_s,
        )
        self.interim = params.get("interim_results") == "true"
        self.next_interim: float | None = None

    def _own_deadlines(self) -> list[float]:
        return [] if self.next_interim is None else [self.next_interim]

    def _periodic(self, now: float) -> list[Action]:
        if self.next_interim is not None and self.next_interim <= now + DUE_SLACK_S:
            self.next_interim += INTERIM_EVERY_S  # a fixed cadence from the first audio
            return [SendJson(self.transcript.interim())]
        return []

    def _heard(self, now: float) -> list[Action]:
        return [SendJson(m) for m in self.transcript.finals()]

    def _on_first_audio(self, now: float) -> list[Action]:
        if self.interim:
            self.next_interim = now + INTERIM_EVERY_S
        return super()._on_first_audio(now)

    def _transcript_saying(self, text: str) -> dict[str, Any]:
        return messages.results_saying(self.record.request_id, text)

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

    def _fail(self, kind: ServerClose, now: float) -> list[Action]:
        return self._close(*close_of(kind))

    def _idle_ending(self, now: float) -> list[Action]:
        """NET-0001, Metadata first."""
        metadata = SendJson(self.transcript.metadata())
        return [metadata, *self._close(*close_of(V1.idle_close))]

    def _final_answer(self, now: float) -> list[Action]:
        finals = [SendJson(m) for m in self.transcript.flush(from_finalize=False)]
        return [*finals, SendJson(self.transcript.metadata()), *self._close(NORMAL, "")]
