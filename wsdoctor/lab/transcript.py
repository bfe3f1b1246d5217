"""The audio timeline of one live stream: what the lab has heard and what it has said about it.

Deepgram's messages are stamped in audio time (seconds of audio received), not
wall time: a final Results per whole second, SpeechStarted where speech begins
in the audio, UtteranceEnd once `utterance_end_ms` of audio has passed without
a word. Keeping that bookkeeping here leaves stream.py with only the protocol;
decoding and counting the audio is timeline.py's, shared with Flux.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..audio.pcm import AudioFormat
from . import messages
from .timeline import AudioTimeline, is_sound

RESULT_SEGMENT_S = 1.0

Message = dict[str, Any]


class Transcript(AudioTimeline):
    def __init__(self, request_id: str, fmt: AudioFormat | None, params: Mapping[str, str]) -> None:
        super().__init__(fmt)
        self.request_id = request_id
        self.vad_events = params.get("vad_events") == "true"
        self.utterance_end_s = _seconds_or_none(params.get("utterance_end_ms"))
        self.audio = hashlib.sha256()
        self.final_upto = 0.0
        self.segment_speech = False
        self.in_speech = False
        self.last_word_end: float | None = None
        self._pending: list[Message] = []  # events to send ahead of the next Results

    def add(self, audio: bytes) -> float:
        start = super().add(audio)
        self.audio.update(audio)
        speech = is_sound(audio)
        self.segment_speech = self.segment_speech or speech
        self._speech_edge(speech, start)
        return start

    def _speech_edge(self, speech: bool, start: float) -> None:
        if speech and not self.in_speech and self.vad_events:
            self._pending.append(messages.speech_started(start))
        if speech:
            self.last_word_end = self.audio_s
        elif self._utterance_ended():
            self._pending.append(messages.utterance_end(self.last_word_end or 0.0))
            self.last_word_end = None
        self.in_speech = speech

    def _utterance_ended(self) -> bool:
        if not self.utterance_end_s or self.last_word_end is None:
            return False
        return self.audio_s - self.last_word_end >= self.utterance_end_s

    def finals(self) -> list[Message]:
        """Queued VAD events, then a final Results for each whole second not yet covered."""
        out, self._pending = self._pending, []
        while self.audio_s - self.final_upto >= RESULT_SEGMENT_S:
            out.append(self._final(self.final_upto + RESULT_SEGMENT_S, False, False))
        return out

    def flush(self, from_finalize: bool) -> list[Message]:
        """The last partial second; Finalize answers even when there is nothing left."""
        if self.audio_s > self.final_upto or from_finalize:
            return [self._final(self.audio_s, True, from_finalize)]
        return []

    def _final(self, end: float, speech_final: bool, from_finalize: bool) -> Message:
        result = messages.results(
            self.request_id,
            self.final_upto,
            end,
            speech=self.segment_speech,
            is_final=True,
            speech_final=speech_final,
            from_finalize=from_finalize,
            channels=self.channels,
            words=self._clip_words(end),
        )
        self.final_upto = end
        self.segment_speech = False
        return result

    def interim(self) -> Message:
        return messages.results(
            self.request_id,
            self.final_upto,
            self.audio_s,
            speech=self.segment_speech,
            is_final=False,
            words=self._clip_words(self.audio_s),
        )

    def _clip_words(self, end: float) -> list[dict[str, Any]] | None:
        """The clip's words up to `end` if the stream is wsdoctor's clip; None: synthetic."""
        return self.clip.words(self.final_upto, end) if self.clip.matching else None

    def metadata(self) -> Message:
        return messages.metadata(self.request_id, self.audio, self.audio_s, self.channels)


def _seconds_or_none(value: str | None) -> float | None:
    try:
        return int(value) / 1000 if value else None
    except ValueError:
        return None
