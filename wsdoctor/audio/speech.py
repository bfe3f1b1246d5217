"""The test speech clip the stream checks send, loaded from the package (wsdoctor/audio/clip/).

A pure tone shrinks about 30 times under permessage-deflate, so a check streaming
it needs a fraction of the uplink a real client needs and passes on a link that
kills real streams. Speech barely compresses, so streaming the clip asks of the
path what a microphone would. The lab knows the clip and answers with its words
(lab/clip.py), which proves the audio arrived intact.
"""

from __future__ import annotations

import functools
import io
import json
import wave
from dataclasses import dataclass
from importlib.resources import files

from .pcm import LINEAR16_16K

CLIP_WAV = "audio/clip/clip.wav"
CLIP_WORDS = "audio/clip/clip.json"


@dataclass(frozen=True)
class Word:
    word: str
    start: float  # seconds into the clip
    end: float


@dataclass(frozen=True)
class Clip:
    """linear16, 16 kHz, mono PCM and what is said in it."""

    pcm: bytes
    transcript: str
    words: tuple[Word, ...]

    @property
    def seconds(self) -> float:
        return LINEAR16_16K.seconds(len(self.pcm))


@functools.cache
def clip() -> Clip:
    """Read once per process: 130 kB, shared by every check and the lab."""
    package = files("wsdoctor")
    with wave.open(io.BytesIO(package.joinpath(CLIP_WAV).read_bytes()), "rb") as reader:
        shape = (reader.getsampwidth(), reader.getframerate(), reader.getnchannels())
        assert shape == (2, LINEAR16_16K.sample_rate, 1), f"{CLIP_WAV} must be 16 kHz mono s16"
        pcm = reader.readframes(reader.getnframes())
    data = json.loads(package.joinpath(CLIP_WORDS).read_text(encoding="utf-8"))
    words = tuple(Word(str(w), float(s), float(e)) for w, s, e in data["words"])
    return Clip(pcm, str(data["transcript"]), words)


def speech(seconds: float) -> bytes:
    """`seconds` of the clip as linear16 16 kHz mono, looped as often as needed."""
    pcm = clip().pcm
    size = LINEAR16_16K.bytes_for(seconds)
    repeats = -(-size // len(pcm))  # ceiling division
    return (pcm * repeats)[:size]
