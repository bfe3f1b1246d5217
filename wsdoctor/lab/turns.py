"""The turns of one Flux stream, in audio time: what the lab has heard and the TurnInfo it says.

Flux hears audio in 80 ms steps and reports on turns: StartOfTurn when speech begins,
an Update about every 0.25 s of audio, EndOfTurn when the speaker is done (with
`eager_eot_threshold` set, EagerEndOfTurn first and TurnResumed if speech goes on).
The lab cannot hear prosody, so its end-of-turn confidence is a plain, deterministic
function of the non-speech audio since the last speech: it rises from 0 to 1 over
EOT_RAMP_S, and a turn ends (trigger `model`) once it reaches `eot_threshold`
(about 0.5 s at the default 0.7), or (trigger `timeout`) after `eot_timeout_ms` of
non-speech when it never does (`eot_threshold` 1.0). Speech is any non-zero audio;
wsdoctor's speech clip gives its own words (clip.py), other speech synthetic ones.
"""

from __future__ import annotations

from typing import Any

from ..audio.pcm import AudioFormat
from ..deepgram import flux
from ..deepgram import messages as kinds
from . import flux_messages, messages
from .flux_messages import Message, Thresholds
from .timeline import AudioTimeline, is_sound

HOP_S = flux.CHUNK_S  # the step Flux hears audio in
UPDATE_HOPS = max(1, round(flux.UPDATE_EVERY_S / HOP_S))  # 3: an Update every 0.24 s of audio
EOT_RAMP_S = 0.7  # the lab's end-of-turn confidence reaches 1 after this much non-speech
MAX_CONFIDENCE = 0.99  # never 1.0, so eot_threshold=1.0 leaves only the timeout
WORDS_WINDOW_S = 60.0  # a TurnInfo carries the turn's words of at most this much audio


class Turns(AudioTimeline):
    def __init__(self, request_id: str, fmt: AudioFormat | None, thresholds: Thresholds) -> None:
        super().__init__(fmt)
        self.request_id = request_id
        self.thresholds = thresholds
        self.turn_index = 0
        self.turn_start: float | None = None  # audio time the turn began; None between turns
        self.window_start = 0.0  # the turn's start, or between turns the last turn's end
        self.eager = False  # EagerEndOfTurn said, and neither resumed nor ended since
        self.quiet_hops = 0  # hops of non-speech since the last speech
        self.hops = 0
        self.reported_upto = 0.0  # audio_window_end of the last TurnInfo
        self.last_speech_end = 0.0
        self._hop_filled = 0
        self._hop_sound = False
        self._pending: list[Message] = []

    @property
    def in_turn(self) -> bool:
        return self.turn_start is not None

    @property
    def confidence(self) -> float:
        return min(MAX_CONFIDENCE, self.quiet_hops * HOP_S / EOT_RAMP_S)

    def add(self, audio: bytes) -> float:
        start = super().add(audio)
        assert self.fmt is not None
        hop_bytes = max(1, self.fmt.bytes_for(HOP_S))
        heard_before, at = self.audio_bytes - len(audio), 0
        while at < len(audio):
            take = min(len(audio) - at, hop_bytes - self._hop_filled)
            self._hop_sound = self._hop_sound or is_sound(audio[at : at + take])
            self._hop_filled, at = self._hop_filled + take, at + take
            if self._hop_filled == hop_bytes:
                self._hop_done(self.fmt.seconds(heard_before + at))
        return start

    def infos(self) -> list[Message]:
        """The TurnInfo messages the audio added so far has produced, in order."""
        out, self._pending = self._pending, []
        return out

    def force_end(self) -> Message | None:
        """ForceEndTurn: EndOfTurn (trigger manual) now; None when no turn is active."""
        return self._end(self.audio_s, kinds.TRIGGER_MANUAL) if self.in_turn else None

    def flush(self) -> list[Message]:
        """After CloseStream: what is queued, and an Update for audio not yet reported;
        never an EndOfTurn (Flux sends none after CloseStream)."""
        out = self.infos()
        if self.audio_s > self.reported_upto:
            out.append(self._info(kinds.UPDATE, self.audio_s))
        return out

    def configure(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds

    # -- one hop of audio ----------------------------------------------------------

    def _hop_done(self, end: float) -> None:
        speech, self._hop_sound, self._hop_filled = self._hop_sound, False, 0
        self.hops += 1
        events = self._on_speech(end) if speech else self._on_quiet(end)
        if not events and self.hops % UPDATE_HOPS == 0:
            events = [self._info(kinds.UPDATE, end)]
        self._pending += events

    def _on_speech(self, end: float) -> list[Message]:
        self.quiet_hops, self.last_speech_end = 0, end
        if not self.in_turn:
            self.turn_start = self.window_start = max(0.0, end - HOP_S)
            return [self._info(kinds.START_OF_TURN, end)]
        if self.eager:
            self.eager = False
            return [self._info(kinds.TURN_RESUMED, end)]
        return []

    def _on_quiet(self, end: float) -> list[Message]:
        self.quiet_hops += 1
        if not self.in_turn:
            return []
        out = []
        eager = self.thresholds.eager_eot_threshold
        if eager is not None and not self.eager and self.confidence >= eager:
            self.eager = True
            out.append(self._info(kinds.EAGER_END_OF_TURN, end))
        if self.confidence >= self.thresholds.eot_threshold:
            out.append(self._end(end, kinds.TRIGGER_MODEL))
        elif self.quiet_hops * HOP_S >= self.thresholds.eot_timeout_ms / 1000 - 1e-9:
            out.append(self._end(end, kinds.TRIGGER_TIMEOUT))
        return out

    def _end(self, end: float, trigger: str) -> Message:
        message = self._info(kinds.END_OF_TURN, end, trigger)
        self.turn_index += 1
        self.turn_start, self.eager, self.window_start = None, False, end
        return message

    def _info(self, event: str, end: float, trigger: str | None = None) -> Message:
        self.reported_upto = max(self.reported_upto, end)
        words = self._words(end) if self.in_turn else []
        window = (self.window_start, end)
        return flux_messages.turn_info(
            self.request_id, event, self.turn_index, window, words, self.confidence, trigger
        )

    def _words(self, end: float) -> list[dict[str, Any]]:
        """The turn's words so far: the clip's, or synthetic ones for the turn's speech."""
        assert self.turn_start is not None
        start = max(self.turn_start, end - WORDS_WINDOW_S)
        if self.clip.matching:
            return self.clip.words(start, end)
        return messages.words_between(start, min(end, self.last_speech_end), speech=True)
