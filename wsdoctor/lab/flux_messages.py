"""Flux-shaped (/v2/listen) server messages, built as plain dicts (no I/O).

Field names follow the listen.v2 AsyncAPI spec as deepgram-sdk 7's `listen.v2` types
carry them. Every message gets its `sequence_id` from the stream (flux.FluxStream),
in the order it is sent, so the builders leave it out.

Error codes: the spec names one, INTERNAL_SERVER_ERROR (deepgram/messages.py). Which
codes Flux sends for undecodable audio, an unknown message or a refused Configure is
not documented, so the codes marked "the lab's" below say what happened without
claiming to be Deepgram's; a client should act on `type`, never on these codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..deepgram import flux
from ..deepgram import messages as kinds
from ..deepgram.closes import ServerClose

Message = dict[str, Any]

UNKNOWN_MESSAGE = "UNKNOWN_MESSAGE_TYPE"  # the lab's: a text frame that is no v2 message
UNDECODABLE_AUDIO = "UNDECODABLE_AUDIO"  # the lab's: audio that cannot be decoded
BAD_CONFIGURE = "INVALID_CONFIGURE"  # the lab's: a Configure with a value out of range
FAILURES = {  # what a fault's failure becomes on Flux (the Error's code and description)
    ServerClose.DATA0000: (UNDECODABLE_AUDIO, "The audio could not be decoded."),
    ServerClose.NET0000: (kinds.INTERNAL_SERVER_ERROR, "An internal server error occurred."),
}


@dataclass(frozen=True)
class Thresholds:
    """End-of-turn settings, from the URL and then Configure (eager None: no eager events)."""

    eot_threshold: float = flux.EOT_THRESHOLD_DEFAULT
    eager_eot_threshold: float | None = None
    eot_timeout_ms: int = flux.EOT_TIMEOUT_MS_DEFAULT

    def as_message(self) -> dict[str, float | int]:
        shown = {"eot_threshold": self.eot_threshold, "eot_timeout_ms": self.eot_timeout_ms}
        if self.eager_eot_threshold is not None:
            shown["eager_eot_threshold"] = self.eager_eot_threshold
        return shown


def connected(request_id: str) -> Message:
    return {"type": kinds.CONNECTED, "request_id": request_id}


def turn_info(
    request_id: str,
    event: str,
    turn_index: int,
    window: tuple[float, float],
    words: list[dict[str, Any]],
    end_of_turn_confidence: float,
    trigger: str | None = None,
) -> Message:
    """`words` are Deepgram's v1-shaped words (word, start, end, confidence); `trigger` only
    on EndOfTurn, as the spec says."""
    message: Message = {
        "type": kinds.TURN_INFO,
        "request_id": request_id,
        "event": event,
        "turn_index": turn_index,
        "audio_window_start": round(window[0], 3),
        "audio_window_end": round(window[1], 3),
        "transcript": " ".join(w["word"] for w in words),
        "words": [_word(w) for w in words],
        "end_of_turn_confidence": round(end_of_turn_confidence, 3),
    }
    if trigger is not None:
        message["trigger"] = trigger
    return message


def _word(word: dict[str, Any]) -> dict[str, Any]:
    return {k: word[k] for k in ("word", "confidence", "start", "end")}


def configure_success(
    request_id: str, thresholds: Thresholds, keyterms: list[str], language_hints: list[str]
) -> Message:
    """The values now in force, whether the Configure changed them or not."""
    message: Message = {
        "type": kinds.CONFIGURE_SUCCESS,
        "request_id": request_id,
        "thresholds": thresholds.as_message(),
        "keyterms": keyterms,
    }
    if language_hints:
        message["language_hints"] = language_hints
    return message


def configure_failure(request_id: str, description: str) -> Message:
    return {
        "type": kinds.CONFIGURE_FAILURE,
        "request_id": request_id,
        "code": BAD_CONFIGURE,
        "description": description,
    }


def warning(request_id: str, code: str, description: str) -> Message:
    message = {"type": kinds.WARNING, "request_id": request_id, "code": code}
    return {**message, "description": description}


def no_active_turn(request_id: str) -> Message:
    return warning(request_id, kinds.NO_ACTIVE_TURN, "ForceEndTurn was sent with no turn active.")


def error(code: str, description: str) -> Message:
    """Fatal: the server closes next. The spec gives Error no request_id."""
    return {"type": kinds.ERROR, "code": code, "description": description}
