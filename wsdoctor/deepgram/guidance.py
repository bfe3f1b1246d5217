"""What Deepgram's documentation tells clients to do, each rule with the page that says it.

The audit's findings quote these rules, so a message says which rule the app broke and
where the rule comes from, instead of wsdoctor's paraphrase. Where wsdoctor has to
pick a number Deepgram does not give (how long to wait for an answer), the audit's
Policy says so; nothing here is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import closes, messages
from .profiles import V1

TROUBLESHOOTING = "Deepgram's 'Troubleshooting WebSocket DATA and NET errors' guide"
KEEPALIVE_DOC = "Deepgram's 'Audio Keep Alive' doc"
FINALIZE_DOC = "Deepgram's 'Finalize' doc"
CLOSE_STREAM_DOC = "Deepgram's 'Close Stream' doc"
RECOVERY_DOC = "Deepgram's 'Recovering from connection errors' doc"
RATE_LIMITS_DOC = "Deepgram's 'Working with concurrency rate limits' doc"


@dataclass(frozen=True)
class Rule:
    """One documented rule: what it says, and where."""

    says: str
    source: str

    def cited(self) -> str:
        """The rule as a finding quotes it: 'says (source)'."""
        return f"{self.says} ({self.source})"


IDLE_WINDOW = Rule(
    f"with no audio and no {messages.KEEPALIVE} for {V1.idle_window_s:g} s, Deepgram closes "
    f"the stream with {closes.ERRORS[closes.ServerClose.NET0001].tag}",
    KEEPALIVE_DOC,
)
KEEPALIVE_NEEDS_AUDIO = Rule(
    f"{messages.KEEPALIVE} does not hold a stream that has not received any audio yet",
    TROUBLESHOOTING,
)
KEEPALIVE_PACE = Rule(
    f"send {messages.KEEPALIVE} every {V1.keepalive_every_s[0]:g}-{V1.keepalive_every_s[1]:g} s "
    "while no audio flows",
    KEEPALIVE_DOC,
)
FINALIZE_REPLY_NOT_GUARANTEED = Rule(
    f"a reply to {messages.FINALIZE} (Results with from_finalize) is not guaranteed: it "
    "typically comes when a noticeable amount of audio is buffered",
    FINALIZE_DOC,
)
CLOSE_STREAM_ANSWER = Rule(
    f"after {messages.CLOSE_STREAM} the server sends the final Results and the "
    f"{messages.METADATA}, then closes; the client keeps reading until then",
    CLOSE_STREAM_DOC,
)
REFUSALS_DO_NOT_CHANGE = Rule(
    "a refused upgrade carries dg-error saying what is wrong with the request; 400, 401 and "
    "403 are about the request itself (parameters, key, permissions), so the same request "
    "gets the same answer",
    TROUBLESHOOTING,
)
BACK_OFF_ON_429 = Rule(
    "after a 429 wait before retrying, and wait longer after each further 429 "
    "(exponential backoff)",
    RATE_LIMITS_DOC,
)
RECONNECT_ON_DROP = Rule(
    "a stream that drops must be reopened by the client, with its audio resent or resumed "
    "from where it stopped",
    RECOVERY_DOC,
)
CONTAINER_HEADER = Rule(
    "containerized audio (WebM, Ogg, ...) declares its format in its header, so a stream must "
    "begin with it; a recorder writes the header once, in its first chunk",
    "Deepgram's 'Determining your audio format' doc; MediaRecorder reports in Deepgram's SDK "
    "issue trackers",
)

# What a status on the upgrade means (Deepgram's troubleshooting guide: a failed upgrade is
# a 4xx or 5xx with dg-error; its "Errors" reference for the statuses). 200 is no
# Deepgram answer at all: something in between served a page instead.
UPGRADE_REFUSALS = {
    200: "a web page instead of an upgrade: a proxy or gateway in between answered",
    400: "bad request: a parameter in the URL is wrong",
    401: "the credentials were refused",
    403: "the key lacks permission for this request",
    404: "no such path: the URL is wrong",
    426: "not a WebSocket upgrade request",
    429: "too many concurrent streams or requests",
}
