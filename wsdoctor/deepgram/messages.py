"""The JSON messages of Deepgram's live APIs, by their `type`.

Sources: Deepgram's "Audio Keep Alive", "Finalize", "Close Stream" and "Configure"
docs and the `listen.v1` AsyncAPI spec; for Flux (`/v2/listen`) the Flux docs (state,
close-stream, force-end-turn) and the `listen.v2` AsyncAPI spec, as deepgram-sdk 7's
`listen.v2` types carry it. Control messages are text frames; sent as a binary frame,
Deepgram takes them for audio. An empty binary frame is v1's legacy CloseStream.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Client -> server (/v1/listen)
KEEPALIVE = "KeepAlive"  # no reply; holds the idle timer, but only once audio has arrived
FINALIZE = "Finalize"  # flush: Results with from_finalize (not guaranteed with little audio)
CLOSE_STREAM = "CloseStream"  # finals, then Metadata, then a 1000 close
CONFIGURE = "Configure"  # change settings mid-stream (deepgram-sdk >= 7.13 send_configure)

# Server -> client (/v1/listen)
RESULTS = "Results"
METADATA = "Metadata"  # the last message before a clean close
SPEECH_STARTED = "SpeechStarted"  # with vad_events=true
UTTERANCE_END = "UtteranceEnd"  # with interim_results=true and utterance_end_ms
FROM_FINALIZE = "from_finalize"  # the Results field that marks a Finalize's answer

# Client -> server (/v2/listen, Flux): CloseStream and Configure as above, and
FORCE_END_TURN = "ForceEndTurn"  # -> TurnInfo EndOfTurn (trigger manual), or a Warning

# Server -> client (/v2/listen, Flux); every message carries an increasing sequence_id
CONNECTED = "Connected"  # the first message, sequence_id 0
TURN_INFO = "TurnInfo"  # the transcript, with an `event` (below)
CONFIGURE_SUCCESS = "ConfigureSuccess"
CONFIGURE_FAILURE = "ConfigureFailure"
ERROR = "Error"  # fatal: code and description, then the server closes
WARNING = "Warning"

# TurnInfo events: Update about every 0.25 s of audio; the eager pair only with
# eager_eot_threshold set; EndOfTurn carries `trigger`.
UPDATE = "Update"
START_OF_TURN = "StartOfTurn"
EAGER_END_OF_TURN = "EagerEndOfTurn"
TURN_RESUMED = "TurnResumed"
END_OF_TURN = "EndOfTurn"
TURN_EVENTS = (UPDATE, START_OF_TURN, EAGER_END_OF_TURN, TURN_RESUMED, END_OF_TURN)
TRIGGER_MODEL, TRIGGER_MANUAL, TRIGGER_TIMEOUT = "model", "manual", "timeout"
NO_ACTIVE_TURN = "FORCE_END_TURN_NO_ACTIVE_TURN"  # the Warning for ForceEndTurn between turns
# The one Error code the listen.v2 spec names (as its example). Flux users meet it mid-stream
# followed by a close without a status code (pipecat #3463: "Fatal error", then 1005). Which
# codes Flux sends for undecodable audio or an unknown message is not documented.
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

MAX_ERROR_CHARS = 200
MAX_TYPE_CHARS = 40  # a hostile server's type is cut before it reaches a report


def control(kind: str) -> str:
    """A control message as the text frame a client sends."""
    return json.dumps({"type": kind})


def json_object(text: str | bytes) -> dict[str, Any] | None:
    """The message as a JSON object, or None if it is none.

    A deeply nested document makes the parser recurse too far; that is a hostile
    message like any other, never a dead reader.
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def type_of(message: Mapping[str, Any] | None) -> str | None:
    """A message's `type`, cut to a length a report can show; None without a string type."""
    kind = message.get("type") if message is not None else None
    return kind[:MAX_TYPE_CHARS] if isinstance(kind, str) else None


def message_type(text: str | bytes) -> str | None:
    """The `type` of a JSON message, or None if it is no JSON object with a string type."""
    return type_of(json_object(text))


# What answers a control message, as predicates over a parsed server message.


def answers_finalize(message: Mapping[str, Any]) -> bool:
    """v1: the Results a Finalize flushed (docs: "Finalize"; not guaranteed with little audio)."""
    return message.get("type") == RESULTS and message.get(FROM_FINALIZE) is True


def ends_turn(message: Mapping[str, Any], trigger: str | None = None) -> bool:
    """Flux: a TurnInfo EndOfTurn, by any trigger or the one given."""
    if message.get("type") != TURN_INFO or message.get("event") != END_OF_TURN:
        return False
    return trigger is None or message.get("trigger") == trigger


def answers_force_end_turn(message: Mapping[str, Any]) -> bool:
    """Flux: ForceEndTurn ends the turn (trigger manual), or warns that none is active."""
    warned = message.get("type") == WARNING and message.get("code") == NO_ACTIVE_TURN
    return warned or ends_turn(message, TRIGGER_MANUAL)


def answers_configure(message: Mapping[str, Any]) -> bool:
    return message.get("type") in (CONFIGURE_SUCCESS, CONFIGURE_FAILURE)


def error_text(message: Mapping[str, Any]) -> str:
    """A fatal Error (or Warning) as one line: its code and description, cut short."""
    code, description = message.get("code"), message.get("description")
    text = ": ".join(str(part) for part in (code, description) if part)
    return (text or "no code or description")[:MAX_ERROR_CHARS]
