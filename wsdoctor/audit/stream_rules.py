"""Rules on what one connection's frames were: its upgrade, its ending, its messages, its
audio's format and its credentials. Pure functions of a ClientRecord."""

from __future__ import annotations

from ..deepgram import guidance
from ..deepgram.closes import ServerClose, classify
from ..model import Finding, Level
from ..observe.record import ClientRecord
from .policy import Policy, finding


def server_ended_it(record: ClientRecord) -> bool:
    """The server closed or dropped the stream for a reason of its own (not NET-0001)."""
    if record.tcp_end in ("lab-drop", "lab-reset"):
        return True
    if record.first_close != "server":
        return False
    ending = classify(record.server_close_code, record.server_close_reason)
    return ending not in (None, ServerClose.NORMAL, ServerClose.NET0001)


def left_at(record: ClientRecord) -> float:
    """When the app closed or left; the stream's end if the server ended it first."""
    return record.client_left_at if record.client_left_at is not None else record.duration_s


def refused(record: ClientRecord, policy: Policy) -> list[Finding]:
    """A refused upgrade is never a pass: the app got no stream at all."""
    status = record.status
    why = guidance.UPGRADE_REFUSALS.get(status, "the server refused the WebSocket upgrade")
    said = f" dg-error: {record.refusal!r}." if record.refusal else ""
    return [finding(
        Level.FAIL, "client.upgrade_refused",
        f"The upgrade was refused with {status} ({why}), so the app got no stream.{said}",
        status=status, dg_error=record.refusal,
    )]  # fmt: skip


def ending(record: ClientRecord, policy: Policy) -> list[Finding]:
    if server_ended_it(record) or record.ended_by_audit:
        return []  # the server's fault injection, or wsdoctor stopping the app, ended it
    out: list[Finding] = []
    ended = record.tcp_end is not None
    if ended and not record.close_stream_sent and record.audio_frames:
        out.append(finding(
            Level.FAIL, "client.no_close_stream",
            "The stream ended without CloseStream: the last audio's transcripts and the "
            "Metadata were never asked for.",
            tcp_end=record.tcp_end, server_close_code=record.server_close_code,
        ))  # fmt: skip
    out += _closed_early(record, policy)
    if record.tcp_end == "client-eof" and record.first_close is None:
        out.append(finding(
            Level.FAIL, "client.no_close_frame",
            "The app's TCP connection ended with no close frame from the app "
            "(a killed or exiting process, or a socket closed without closing the WebSocket).",
            duration_s=record.duration_s,
        ))  # fmt: skip
    return out


def _closed_early(record: ClientRecord, policy: Policy) -> list[Finding]:
    """Left after CloseStream before the answer, and too soon to be a deadline expiring
    (the Go SDK's Stop() closes 100 ms after CloseStream)."""
    at = record.close_stream_at
    if not record.closed_before_final or at is None:
        return []
    waited = left_at(record) - at
    if waited >= policy.close_patience:
        return []  # it waited, gave up on a server that did not answer: a deadline, not haste
    return [finding(
        Level.FAIL, "client.closed_before_final",
        f"The app sent CloseStream and closed the connection {waited:.2f} s later, before the "
        f"final Results, the Metadata and the server's close frame arrived: "
        f"{guidance.CLOSE_STREAM_ANSWER.cited()}.",
        close_stream_at=at, waited_s=round(waited, 3), duration_s=record.duration_s,
    )]  # fmt: skip


def frames(record: ClientRecord, policy: Policy) -> list[Finding]:
    out: list[Finding] = []
    if record.binary_controls:
        out.append(finding(
            Level.FAIL, "client.control_as_binary",
            f"{record.binary_controls} was sent as a binary frame; Deepgram takes binary "
            "frames for audio, so the message had no effect.",
            control=record.binary_controls,
        ))  # fmt: skip
    if record.empty_binary:
        out.append(finding(
            Level.WARN, "client.empty_binary_frame",
            "The app ended the stream with an empty binary frame, the old way; send "
            "CloseStream as a text frame.",
        ))  # fmt: skip
    if record.audio_after_close_stream:
        out.append(finding(
            Level.WARN, "client.audio_after_close_stream",
            f"{record.audio_after_close_stream} audio frame(s) came after CloseStream; "
            "they are not transcribed.",
            frames=record.audio_after_close_stream,
        ))  # fmt: skip
    if record.unknown_texts:
        out.append(finding(
            Level.WARN, "client.unknown_text",
            f"{record.unknown_texts} text frame(s) were not a control message Deepgram knows "
            "(base64 audio in text frames, or a misspelt type).",
            frames=record.unknown_texts,
        ))  # fmt: skip
    return out


def audio_format(record: ClientRecord, policy: Policy) -> list[Finding]:
    if record.headerless:
        return [finding(
            Level.FAIL, "client.container_header_missing",
            f"The stream's first frame is {record.headerless} audio without its header, so "
            f"the stream cannot be decoded (Deepgram answers with silence or closes with "
            f"NET-0000): {guidance.CONTAINER_HEADER.cited()}. A new stream needs a new "
            "recording (restart the recorder), after a reconnect too.",
            container=record.headerless,
        )]  # fmt: skip
    if not record.audio_mismatch:
        return []
    return [finding(
        Level.FAIL, "client.audio_mismatch",
        f"The audio does not match the URL: {record.audio_mismatch}.",
        query=record.query,
    )]  # fmt: skip


def credentials(record: ClientRecord, policy: Policy) -> list[Finding]:
    out: list[Finding] = []
    if record.key_in_query:
        out.append(finding(
            Level.WARN, "client.key_in_query",
            "The credential was sent in the URL's query string, which proxies and servers "
            "write to their logs; send it in the Authorization header.",
        ))  # fmt: skip
    if record.jwt_as_token:
        out.append(finding(
            Level.FAIL, "client.jwt_as_token",
            "A temporary token (a JWT) was sent with the Token scheme; it needs Bearer.",
        ))  # fmt: skip
    return out
