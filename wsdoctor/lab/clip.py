"""Does a stream carry wsdoctor's speech clip? Then the lab answers with the clip's words.

Deepgram would transcribe the sentence; the lab cannot, but it knows the clip, so it
follows the stream's audio against the clip looped from its first byte. While every
byte so far matches, Results carry the sentence's words at their times (shifted by
each loop), so a test sees that the audio arrived whole and in order. Any other
audio, or a byte out of place, and the lab's synthetic words stay in use.
"""

from __future__ import annotations

from typing import Any

from ..audio.pcm import LINEAR16_16K, AudioFormat
from ..audio.speech import Clip, clip


class ClipFollower:
    def __init__(self, fmt: AudioFormat | None) -> None:
        """The clip is only recognisable in its own format (16 kHz mono linear16)."""
        self.clip: Clip | None = clip() if fmt == LINEAR16_16K else None
        self.offset = 0  # where in the clip the next byte should come from
        self.heard = 0

    @property
    def matching(self) -> bool:
        """True while everything heard so far, and at least some audio, is the looped clip."""
        return self.clip is not None and self.heard > 0

    def feed(self, audio: bytes) -> None:
        if self.clip is None:
            return
        pcm, at = self.clip.pcm, 0
        while at < len(audio):
            take = min(len(audio) - at, len(pcm) - self.offset)
            if audio[at : at + take] != pcm[self.offset : self.offset + take]:
                self.clip = None  # not the clip, for the rest of the stream
                return
            at += take
            self.offset = (self.offset + take) % len(pcm)
        self.heard += len(audio)

    def words(self, start: float, end: float) -> list[dict[str, Any]]:
        """Deepgram-shaped words whose end falls in (start, end], the clip looped."""
        assert self.clip is not None
        length = self.clip.seconds
        out = []
        for loop in range(int(start // length), int(end // length) + 1):
            shift = loop * length
            for word in self.clip.words:
                if start < word.end + shift <= end:
                    out.append(_word(word.word, word.start + shift, word.end + shift))
        return out


def _word(text: str, start: float, end: float) -> dict[str, Any]:
    return {
        "word": text,
        "start": round(start, 3),
        "end": round(end, 3),
        "confidence": 0.99,
        "punctuated_word": text,
    }
