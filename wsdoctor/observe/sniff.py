"""What a client's first audio frame really is, from its bytes: the audit's evidence for
audio that does not match what the URL declares (a container sent as raw audio, raw
audio sent with no `encoding`). Magic numbers only; nothing is decoded."""

from __future__ import annotations

import json

from ..audio.pcm import parse_wav
from ..deepgram.profiles import PROFILES

CONTAINER_MAGIC: tuple[tuple[str, bytes], ...] = (
    ("ogg", b"OggS"),
    ("webm", b"\x1a\x45\xdf\xa3"),  # EBML: WebM and Matroska
    ("flac", b"fLaC"),
    ("mp3", b"ID3"),
)
# Encodings that name a codec these containers carry: declaring them with the container
# is what Deepgram documents, not a mismatch.
CONTAINER_CODECS = {"ogg": {"opus", "speex"}, "webm": {"opus"}, "flac": {"flac"}}


def container_of(data: bytes) -> str | None:
    """'wav', 'ogg', 'webm', 'flac', 'mp3', or None for bytes that look like raw audio."""
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "wav"
    for name, magic in CONTAINER_MAGIC:
        if data.startswith(magic):
            return name
    return None  # an MPEG frame sync alone is not evidence: u-law silence is 0xFF 0xFF


# A WebM stream's header is its EBML element; what a recorder sends after it starts with a
# Segment child, most often a Cluster. An Ogg stream's first page has the BOS flag.
WEBM_CLUSTER = b"\x1f\x43\xb6\x75"
OGG_BOS_FLAG = 0x02


def headerless_chunk(data: bytes) -> str | None:
    """'webm' or 'ogg' for a chunk from the middle of such a stream (no header): what a
    recorder sends after its first chunk. None for anything else, a header included."""
    if data.startswith(WEBM_CLUSTER):
        return "webm"
    if data.startswith(b"OggS") and len(data) > 5 and not data[5] & OGG_BOS_FLAG:
        return "ogg"
    return None


def wav_format(data: bytes) -> tuple[int, int] | None:
    """(sample rate, channels) of a WAV header, for comparing with the URL's."""
    parsed = parse_wav(data)
    if parsed is None:
        return None
    fmt, _ = parsed
    return fmt.sample_rate, fmt.channels


def control_in_binary(data: bytes) -> str | None:
    """The control message a binary frame carries as JSON text, if any (Deepgram takes the
    frame for audio and the message is lost)."""
    if not data.startswith(b"{") or len(data) > 1024:
        return None
    try:
        kind = json.loads(data).get("type")
    except (ValueError, AttributeError, UnicodeDecodeError, RecursionError):
        return None
    return kind if any(p.knows(kind) for p in PROFILES) else None
