"""A small live-transcription app on deepgram-sdk (v5 and later), written the way the
support article recommends: CloseStream at the end, wait for the server's close, and
reconnect with backoff when the network drops the stream.

`transcribe(chunks)` streams audio chunks (16 kHz linear16) and returns the final
transcripts. Pass `environment=` to point it somewhere other than Deepgram's hosts;
its tests point it at wsdoctor's lab.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from deepgram import DeepgramClient
from websockets.exceptions import ConnectionClosedError


class TranscriptionFailed(Exception):
    """The stream kept dropping after every retry."""


def transcribe(
    chunks: Sequence[bytes],
    *,
    api_key: str | None = None,
    environment: object = None,
    retries: int = 2,
    backoff_s: float = 0.2,
    chunk_s: float = 0.1,
) -> list[str]:
    kwargs = {"environment": environment} if environment is not None else {}
    client = DeepgramClient(api_key=api_key or os.environ["DEEPGRAM_API_KEY"], **kwargs)
    for attempt in range(retries + 1):
        try:
            return _stream_once(client, chunks, chunk_s)
        except ConnectionClosedError:
            if attempt == retries:
                raise TranscriptionFailed(f"the stream dropped {retries + 1} times") from None
            time.sleep(backoff_s * 2**attempt)  # exponential backoff before reconnecting
    raise AssertionError("unreachable")


def _stream_once(client: DeepgramClient, chunks: Sequence[bytes], chunk_s: float) -> list[str]:
    transcripts: list[str] = []
    options = {"model": "nova-3", "encoding": "linear16", "sample_rate": 16000}
    with client.listen.v1.connect(**options) as socket:
        for chunk in chunks:
            socket.send_media(chunk)
            time.sleep(chunk_s)  # real time, as a microphone would deliver it
        socket.send_close_stream()  # ask for the last results and the Metadata...
        for message in socket:  # ...and read until the server closes the stream
            if getattr(message, "type", None) == "Results" and message.is_final:
                transcripts.append(message.channel.alternatives[0].transcript)
    return transcripts
