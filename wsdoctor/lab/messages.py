"""Deepgram-shaped server messages, built as plain dicts (no I/O).

The transcript is synthetic but deterministic: two words per second of
non-silent audio, drawn from a fixed list, so tests can assert on it; when the
audio is wsdoctor's speech clip, the caller passes the clip's own words instead.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from ..deepgram import messages as kinds

WORDS = ("hello", "from", "the", "wsdoctor", "lab", "this", "is", "synthetic", "speech", "audio")
WORDS_PER_SECOND = 2.0
MODEL_INFO = {"name": "lab-general", "version": "2026-01-01.0", "arch": "lab"}
MODEL_UUID = "00000000-0000-4000-8000-00000000000a"


def words_between(start: float, end: float, speech: bool) -> list[dict[str, Any]]:
    if not speech:
        return []
    step = 1 / WORDS_PER_SECOND
    first = int(start * WORDS_PER_SECOND + 0.999)
    words = []
    index = first
    while index * step + step <= end + 1e-9:
        word = WORDS[index % len(WORDS)]
        words.append(
            {
                "word": word,
                "start": round(index * step, 3),
                "end": round(index * step + step * 0.8, 3),
                "confidence": 0.99,
                "punctuated_word": word,
            }
        )
        index += 1
    return words


def results(
    request_id: str,
    start: float,
    end: float,
    *,
    speech: bool,
    is_final: bool,
    speech_final: bool = False,
    from_finalize: bool = False,
    channels: int = 1,
    words: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    if words is None:
        words = words_between(start, end, speech)
    return {
        "type": kinds.RESULTS,
        "channel_index": [0, channels],
        "duration": round(end - start, 3),
        "start": round(start, 3),
        "is_final": is_final,
        "speech_final": speech_final,
        "from_finalize": from_finalize,
        "channel": {
            "alternatives": [
                {
                    "transcript": " ".join(w["word"] for w in words),
                    "confidence": 0.99 if words else 0.0,
                    "words": words,
                }
            ]
        },
        "metadata": {
            "request_id": request_id,
            "model_info": MODEL_INFO,
            "model_uuid": MODEL_UUID,
        },
    }


def results_saying(request_id: str, text: str) -> dict[str, Any]:
    """An empty interim Results whose transcript is `text` (the hostile fault's payload)."""
    result = results(request_id, 0, 0, speech=False, is_final=False)
    result["channel"]["alternatives"][0]["transcript"] = text
    return result


def metadata(request_id: str, audio: hashlib._Hash, duration: float, channels: int) -> dict:
    return {
        "type": kinds.METADATA,
        "transaction_key": "deprecated",
        "request_id": request_id,
        "sha256": audio.hexdigest(),
        "created": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "duration": round(duration, 3),
        "channels": channels,
        "models": [MODEL_UUID],
        "model_info": {MODEL_UUID: MODEL_INFO},
    }


def speech_started(timestamp: float) -> dict[str, Any]:
    return {"type": kinds.SPEECH_STARTED, "channel": [0], "timestamp": round(timestamp, 3)}


def utterance_end(last_word_end: float) -> dict[str, Any]:
    return {
        "type": kinds.UTTERANCE_END,
        "channel": [0, 1],
        "last_word_end": round(last_word_end, 3),
    }


def error_body(code: str, message: str, request_id: str) -> dict[str, str]:
    return {"err_code": code, "err_msg": message, "request_id": request_id}


def prerecorded(request_id: str, duration: float, channels: int, speech: bool) -> dict[str, Any]:
    """The REST (POST /v1/listen) response for `duration` seconds of audio."""
    words = words_between(0.0, duration, speech)
    alternative = {
        "transcript": " ".join(w["word"] for w in words),
        "confidence": 0.99 if words else 0.0,
        "words": words,
    }
    return {
        "metadata": {
            "transaction_key": "deprecated",
            "request_id": request_id,
            "sha256": hashlib.sha256(request_id.encode()).hexdigest(),
            "created": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "duration": round(duration, 3),
            "channels": channels,
            "models": [MODEL_UUID],
            "model_info": {MODEL_UUID: MODEL_INFO},
        },
        "results": {"channels": [{"alternatives": [alternative]} for _ in range(channels)]},
    }
