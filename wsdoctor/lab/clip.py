"""Does a stream carry wsdoctor's speech clip? Then the lab answers with the clip's words.

Deepgram would transcribe the sentence; the lab cannot, but it knows the clip, so it
follows the stream's audio against the clip looped from its first byte. While every
byte so far matches, transcripts carry the sentence's words at the times they were
heard, so a test sees that the audio arrived whole and in order. Any other audio, or
a byte out of place, and the lab's synthetic words stay in use.

A speaker pauses: digital silence (zero bytes) anywhere pauses the clip without
losing it, and after a pause, or at any point, the clip may go on where it stopped
or start over. Flux ends a turn only on silence it hears, so a client that speaks the
clip, sends silence and speaks it again must still get the clip's words each turn.
Words are stamped in stream time (seconds of audio received), not clip time.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ..audio.pcm import LINEAR16_16K, AudioFormat
from ..audio.speech import Clip, clip

MAX_WORDS_KEPT = 10_000  # words heard but not yet asked for (a bound, not a working size)


class ClipFollower:
    def __init__(self, fmt: AudioFormat | None) -> None:
        """The clip is only recognisable in its own format (16 kHz mono linear16)."""
        self.clip: Clip | None = clip() if fmt == LINEAR16_16K else None
        self.offset = 0  # where in the clip the next clip byte should come from
        self.heard = 0  # bytes of the stream so far, clip and pauses
        self.played = 0  # bytes of the clip heard
        self.paused = False  # silence since the clip last sounded
        self._words: deque[dict[str, Any]] = deque(maxlen=MAX_WORDS_KEPT)

    @property
    def matching(self) -> bool:
        """True while everything heard so far is the clip (with pauses), and some of it is."""
        return self.clip is not None and self.played > 0

    def feed(self, audio: bytes) -> None:
        at = 0
        while self.clip is not None and at < len(audio):
            at = self._resume(audio, at) if self.paused else self._follow(audio, at)
        self.heard += len(audio)

    def words(self, start: float, end: float) -> list[dict[str, Any]]:
        """Deepgram-shaped words whose end falls in (start, end], in stream time. Callers ask
        for later and later windows, so words that ended by `start` are forgotten."""
        while self._words and self._words[0]["end"] <= start:
            self._words.popleft()
        return [w for w in self._words if start < w["end"] <= end]

    def _follow(self, audio: bytes, at: int) -> int:
        """Match audio from `at` against the clip; returns where matching stopped."""
        assert self.clip is not None
        pcm = self.clip.pcm
        take = min(len(audio) - at, len(pcm) - self.offset)
        piece, expected = audio[at : at + take], pcm[self.offset : self.offset + take]
        same = take if piece == expected else _common_prefix(piece, expected)
        self._play(at, same)
        if same < take:  # not the clip here: a pause, a restart, or other audio
            self.paused = True
        return at + same

    def _resume(self, audio: bytes, at: int) -> int:
        """Silence keeps the pause; sound must be the clip, where it stopped or from its start."""
        assert self.clip is not None
        rest = audio[at:]
        silent = len(rest) - len(rest.lstrip(b"\0"))
        if silent == len(rest):
            return len(audio)
        for target in dict.fromkeys((self.offset, 0)):
            lead = _leading_zeros(self.clip.pcm, target)  # the clip's own zeros, heard as pause
            begin = at + silent - lead
            if begin >= at and self._clip_at(audio, begin, target):
                self.offset, self.paused = target, False
                return begin
        self.clip = None  # not the clip, for the rest of the stream
        return len(audio)

    def _clip_at(self, audio: bytes, begin: int, target: int) -> bool:
        assert self.clip is not None
        size = min(len(audio) - begin, len(self.clip.pcm) - target)
        return audio[begin : begin + size] == self.clip.pcm[target : target + size]

    def _play(self, at: int, size: int) -> None:
        """`size` clip bytes heard from stream byte heard + at: keep the words they complete."""
        if size <= 0:
            return
        assert self.clip is not None
        rate = LINEAR16_16K.bytes_per_second
        start_s, end_s = self.offset / rate, (self.offset + size) / rate
        shift = (self.heard + at - self.offset) / rate  # stream time minus clip time
        for word in self.clip.words:
            if start_s < word.end <= end_s:
                self._words.append(_word(word.word, word.start + shift, word.end + shift))
        self.offset = (self.offset + size) % len(self.clip.pcm)
        self.played += size


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes two equal-length byte strings share (by bisection)."""
    low, high = 0, len(a)
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _leading_zeros(pcm: bytes, at: int, most: int = 64) -> int:
    window = pcm[at : at + most]
    return len(window) - len(window.lstrip(b"\0"))


def _word(text: str, start: float, end: float) -> dict[str, Any]:
    return {
        "word": text,
        "start": round(start, 3),
        "end": round(end, 3),
        "confidence": 0.99,
        "punctuated_word": text,
    }
