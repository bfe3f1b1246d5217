"""The shape of a cause entry, and the named links entries cite.

Built-in entries and the mappings plugins ship have this shape; `causes.entry_problems`
says what is wrong with one that does not.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class CauseEntry(TypedDict):
    title: str
    meaning: str
    steps: list[str]
    section: str
    links: list[str]
    explains: NotRequired[list[str]]  # causes that are consequences of this one


LINKS: dict[str, str] = {
    "troubleshooting": "https://developers.deepgram.com/docs/troubleshooting-websocket-data-and-net-errors-when-live-streaming-audio",
    "keepalive": "https://developers.deepgram.com/docs/audio-keep-alive",
    "closestream": "https://developers.deepgram.com/docs/close-stream",
    "finalize": "https://developers.deepgram.com/docs/finalize",
    "recovery": "https://developers.deepgram.com/docs/recovering-from-connection-errors-and-timeouts-when-live-streaming-audio",
    "sdks": "https://developers.deepgram.com/docs/deepgram-sdks",
    "python_sdk": "https://developers.deepgram.com/docs/python-sdk-streaming-transcription",
    "rate_limits": "https://developers.deepgram.com/docs/working-with-concurrency-rate-limits",
    "prerecorded": "https://developers.deepgram.com/docs/getting-started-with-pre-recorded-audio",
    "community": "https://discord.gg/deepgram",
    "websockets_proxy": "https://websockets.readthedocs.io/en/stable/topics/proxies.html",
}
