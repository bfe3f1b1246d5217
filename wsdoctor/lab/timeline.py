"""What a live stream has heard, in audio time: the part both Deepgram APIs count alike.

Deepgram stamps everything in audio time (seconds of audio received), not wall time.
Decoding a frame (a WAV header's format for container audio), counting bytes and
seconds, and following wsdoctor's speech clip are the same on /v1/listen and Flux;
what each API says about that audio is its own subclass (transcript.py, turns.py).
"""

from __future__ import annotations

from ..audio.pcm import AudioFormat, parse_wav
from ..observe.sniff import container_of, headerless_chunk
from .clip import ClipFollower

OPAQUE_CONTAINERS = ("webm", "ogg")


class AudioTimeline:
    def __init__(self, fmt: AudioFormat | None) -> None:
        self.fmt = fmt  # None until a WAV header tells us (container audio)
        self.channels = fmt.channels if fmt else 1
        self.audio_bytes = 0
        self.audio_s = 0.0
        self.clip = ClipFollower(fmt)
        self._opaque: bool | None = None  # a WebM or Ogg stream: decided by its first frame

    def opaque(self, data: bytes) -> bool:
        """A WebM or Ogg stream (with its header or not), which the lab holds open but does
        not decode: it transcribes nothing rather than refusing what Deepgram accepts."""
        if self._opaque is None:
            container = container_of(data) if self.fmt is None else None
            self._opaque = container in OPAQUE_CONTAINERS or (
                self.fmt is None and headerless_chunk(data) is not None
            )
        return self._opaque

    def decode(self, data: bytes) -> bytes | None:
        """The audio in a frame: container audio loses its WAV header; None if undecodable."""
        if self.fmt is not None:
            return data
        parsed = parse_wav(data)
        if parsed is None:
            return None
        self.fmt, header = parsed
        self.channels = self.fmt.channels
        self.clip = ClipFollower(self.fmt)
        return data[header:]

    def add(self, audio: bytes) -> float:
        """Count decoded audio; returns the audio time at which it began."""
        assert self.fmt is not None, "decode() comes first"
        start = self.audio_s
        self.clip.feed(audio)
        self.audio_bytes += len(audio)
        self.audio_s = self.fmt.seconds(self.audio_bytes)
        return start


def is_sound(audio: bytes) -> bool:
    """Anything but digital silence counts as speech to the lab (a tone is 'speech')."""
    return audio.count(0) != len(audio)
