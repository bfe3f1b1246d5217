"""Raw audio arithmetic and synthetic test audio (stdlib only).

The checks stream generated audio in real time, and the lab counts what it
receives as seconds of audio; both sides must agree on bytes per second.
"""

from __future__ import annotations

import array
import io
import math
import struct
import sys
import wave
from collections.abc import Iterator
from dataclasses import dataclass

SAMPLE_WIDTH = {"linear16": 2, "linear32": 4, "mulaw": 1, "alaw": 1}


@dataclass(frozen=True)
class AudioFormat:
    encoding: str = "linear16"
    sample_rate: int = 16000
    channels: int = 1

    @property
    def bytes_per_second(self) -> int:
        return SAMPLE_WIDTH[self.encoding] * self.sample_rate * self.channels

    def seconds(self, byte_count: int) -> float:
        return byte_count / self.bytes_per_second

    def bytes_for(self, seconds: float) -> int:
        frame = SAMPLE_WIDTH[self.encoding] * self.channels
        return int(seconds * self.sample_rate) * frame


LINEAR16_16K = AudioFormat()


def tone(seconds: float, fmt: AudioFormat = LINEAR16_16K, freq_hz: float = 440.0) -> bytes:
    """A sine tone as signed 16-bit little-endian PCM: 'speech' as far as the lab is concerned."""
    count = int(seconds * fmt.sample_rate)
    step = 2 * math.pi * freq_hz / fmt.sample_rate
    samples = (int(12000 * math.sin(step * i)) for i in range(count) for _ in range(fmt.channels))
    return struct.pack(f"<{count * fmt.channels}h", *samples)


def silence(seconds: float, fmt: AudioFormat = LINEAR16_16K) -> bytes:
    return bytes(fmt.bytes_for(seconds))


def convert(pcm: bytes, fmt: AudioFormat) -> bytes:
    """linear16 16 kHz mono PCM as `fmt` (linear16 or linear32, any rate and channel count).

    A URL may declare another rate or width than the clip's; the audio must match the URL
    or Deepgram cannot decode it. Nearest-sample resampling: crude, but the content only
    has to stay speech-like, not hi-fi.
    """
    if fmt == LINEAR16_16K:
        return pcm
    source = array.array("h", pcm)
    if sys.byteorder != "little":
        source.byteswap()
    count = len(source) * fmt.sample_rate // LINEAR16_16K.sample_rate
    step = LINEAR16_16K.sample_rate / fmt.sample_rate
    resampled = [source[int(i * step)] for i in range(count)]
    if fmt.encoding == "linear32":
        out = array.array("i", (s << 16 for s in resampled for _ in range(fmt.channels)))
    else:
        out = array.array("h", (s for s in resampled for _ in range(fmt.channels)))
    if sys.byteorder != "little":
        out.byteswap()
    return out.tobytes()


def chunked(audio: bytes, fmt: AudioFormat, chunk_s: float) -> Iterator[bytes]:
    size = max(fmt.bytes_for(chunk_s), 1)
    for start in range(0, len(audio), size):
        yield audio[start : start + size]


def wav(audio: bytes, fmt: AudioFormat = LINEAR16_16K) -> bytes:
    """Wrap linear16 PCM in a WAV container, as a recorded file would arrive."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(fmt.channels)
        writer.setsampwidth(SAMPLE_WIDTH[fmt.encoding])
        writer.setframerate(fmt.sample_rate)
        writer.writeframes(audio)
    return buffer.getvalue()


def parse_wav(data: bytes) -> tuple[AudioFormat, int] | None:
    """(format, header length) of a WAV prefix, or None if it is not a PCM WAV file."""
    if not (data.startswith(b"RIFF") and data[8:12] == b"WAVE"):
        return None
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            width = reader.getsampwidth()
            encoding = {1: "mulaw", 2: "linear16", 4: "linear32"}.get(width)
            if encoding is None:
                return None
            fmt = AudioFormat(encoding, reader.getframerate(), reader.getnchannels())
    except (wave.Error, EOFError, struct.error):
        return None
    data_chunk = data.find(b"data", 12)
    return fmt, (data_chunk + 8 if data_chunk >= 0 else len(data))
