"""What the client did, kept in its ClientRecord: the evidence `wsdoctor audit` judges.

Separate from the lab's stream model so that anything that sees a client's frames
(the lab, or the audit relay in front of the real service) records them the same
way; the model decides what Deepgram answers, this only watches. Times are
seconds since the upgrade.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..audio.pcm import SAMPLE_WIDTH, AudioFormat, parse_wav
from ..deepgram import messages
from ..deepgram.messages import message_type
from ..deepgram.profiles import V1, profile_for
from .events import Audio, ClientClose, ClientGone, Event, Ping, Text
from .pauses import PauseTracker
from .record import ClientRecord
from .sniff import CONTAINER_CODECS, container_of, control_in_binary, headerless_chunk, wav_format


class ClientObserver:
    def __init__(
        self, record: ClientRecord, params: Mapping[str, str], counts_audio: bool = True
    ) -> None:
        """`counts_audio`: keep audio_bytes and audio_s from the declared format; off in the
        lab, whose model counts what it actually decoded (and refused)."""
        self.record = record
        self.profile = profile_for(record.path) or V1
        self.counts_audio = counts_audio
        self.params = params
        self.last_activity = 0.0  # what holds Deepgram's idle timer (audio, KeepAlive, pings)
        self.fmt = declared_format(params)
        self.client_ended = False
        self.pauses = PauseTracker(record.pauses)
        self.sent_bytes = 0  # the audio sent so far, for how far it ran ahead of real time

    def client(self, event: Event, now: float) -> None:
        match event:
            case Audio(data):
                self._audio(data, now)
            case Text(text):
                self._text(text, now)
            case Ping():
                self.record.pings += 1
                self.record.note(now, "ping")
                if self.profile.held_by_pings:  # Flux: pings are what hold an idle stream
                    self._active(now)
            case ClientClose(code):
                self._client_close(code, now)
            case ClientGone():
                self._ended(now)
                self.record.tcp_end = self.record.tcp_end or "client-eof"

    # -- client frames -------------------------------------------------------------

    def _audio(self, data: bytes, now: float) -> None:
        record = self.record
        if not data:
            record.empty_binary = True
            record.note(now, "empty-binary")
            if self.profile.empty_frame_closes:
                self._close_stream(now)
            return
        control = control_in_binary(data)
        if control is not None:
            record.note(now, "binary-control", type=control)
            record.binary_controls = record.binary_controls or control
        if record.close_stream_at is not None:
            record.audio_after_close_stream += 1
        if not record.audio_frames:
            self._first_audio(data, now)
        record.last_audio_at = round(now, 3)
        record.note_audio(now, len(data))
        record.finalize_pending_at = None  # the app went on: it was not waiting for the reply
        self.pauses.frame(now, "audio")
        self._active(now)
        self._lead(len(data), now)
        if not self.counts_audio:
            return
        record.audio_bytes += len(data)
        if self.fmt is not None:
            record.audio_s = round(self.fmt.seconds(record.audio_bytes), 3)

    def _first_audio(self, data: bytes, now: float) -> None:
        record = self.record
        record.first_audio_at = round(now, 3)
        record.first_container = container_of(data)
        record.headerless = headerless_chunk(data)
        record.audio_mismatch = None if record.headerless else self._mismatch(data)
        self.fmt = self.fmt or wav_header_format(data)

    def _lead(self, size: int, now: float) -> None:
        """How far the audio sent so far runs ahead of the time since the first frame: a
        backlog sent at once (audio kept through a reconnect) shows as a lead."""
        self.sent_bytes += size
        first = self.record.first_audio_at
        if self.fmt is None or first is None:
            return
        lead = self.fmt.seconds(self.sent_bytes) - (now - first)
        self.record.audio_lead_s = max(self.record.audio_lead_s, round(lead, 3))

    def _mismatch(self, data: bytes) -> str | None:
        encoding = self.params.get("encoding")
        container = container_of(data)
        if container and encoding in CONTAINER_CODECS.get(container, ()):
            return None
        if container and encoding:
            return f"{container} container sent although the URL declares encoding={encoding}"
        if container is None and not encoding:
            return "raw audio sent with no encoding in the URL"
        declared = (self.params.get("sample_rate"), self.params.get("channels", "1"))
        found = wav_format(data) if container == "wav" else None
        if found and declared[0] and (str(found[0]), str(found[1])) != declared:
            return (
                f"WAV header says {found[0]} Hz, {found[1]} channel(s); "
                f"the URL says {declared[0]} Hz, {declared[1]} channel(s)"
            )
        return None

    def _text(self, text: str, now: float) -> None:
        kind = message_type(text)
        record = self.record
        record.note(now, "text", type="unparsed" if kind is None else kind[:40])
        self.pauses.frame(now, kind or "text")
        if not self.profile.knows(kind):
            record.unknown_texts += 1
        elif kind == self.profile.keepalive:
            self._keepalive(now)
        elif kind == messages.FINALIZE:
            record.finalize_count += 1
            record.finalize_pending_at = round(now, 3)
        elif kind == self.profile.close_request:
            record.finalize_pending_at = None  # the app moved on to ending the stream
            self._close_stream(now)

    def _keepalive(self, now: float) -> None:
        record = self.record
        record.note_keepalive(now)
        if record.close_stream_at is not None:
            record.keepalive_after_close_stream += 1
        if record.audio_frames or not self.profile.keepalive_needs_audio:
            self._active(now)
            record.bridge_audio_gap(now)

    def _close_stream(self, now: float) -> None:
        record = self.record
        if record.close_stream_at is None:
            self._active(now)  # the wait that follows is the server's, not an idle app
            record.close_stream_at = round(now, 3)
        record.close_stream_sent = True

    def _client_close(self, code: int | None, now: float) -> None:
        record = self.record
        record.client_close_code = code
        record.first_close = record.first_close or "client"
        record.note(now, "close", code=code)
        self._ended(now)

    def _ended(self, now: float) -> None:
        """The client closed or left: before the server's close frame, after CloseStream?"""
        if self.client_ended:
            return
        self._active(now)  # the gap before leaving counts; nothing after it does
        self.client_ended = True
        record = self.record
        record.client_left_at = round(now, 3)
        if record.close_stream_at is not None and record.server_close_code is None:
            record.closed_before_final = True

    def _active(self, now: float) -> None:
        if self.record.close_stream_at is None and not self.client_ended:
            gap = round(now - self.last_activity, 3)
            if gap > self.record.max_idle_gap_s:
                self.record.max_idle_gap_s, self.record.max_idle_gap_at = gap, self.last_activity
        self.last_activity = now

    # -- the server's side ---------------------------------------------------------

    def server_closed(self, code: int | None, reason: str, now: float) -> None:
        """Code None: a close frame without a status code (Flux's own ending)."""
        record = self.record
        self._active(now)  # an idle client's gap runs until the server gives up on it
        record.server_close_code, record.server_close_reason = code, reason
        record.last_server_at = round(now, 3)
        record.first_close = record.first_close or "server"
        record.note(now, "server-close", code=code)
        record.tcp_end = "close-handshake"

    def server_sent(self, message_kind: str, now: float, from_finalize: bool = False) -> None:
        """A JSON message from the server (Results, Metadata, ...), for the timeline;
        `from_finalize`: Results that answer a Finalize."""
        self.record.note(now, "server", type=message_kind[:40])
        self.record.last_server_at = round(now, 3)
        if from_finalize:
            self.record.finalize_pending_at = None

    def server_dropped(self, reset: bool, now: float) -> None:
        self._active(now)
        if self.record.tcp_end is not None:  # the client's own ending came first
            return
        self.record.tcp_end = "lab-reset" if reset else "lab-drop"
        self.record.note(now, self.record.tcp_end)


def declared_format(params: Mapping[str, str]) -> AudioFormat | None:
    """The raw format the URL declares, if wsdoctor can count its seconds."""
    if params.get("encoding") not in SAMPLE_WIDTH:
        return None
    try:
        return AudioFormat(
            params["encoding"], int(params["sample_rate"]), int(params.get("channels", "1"))
        )
    except (KeyError, ValueError):
        return None


def wav_header_format(data: bytes) -> AudioFormat | None:
    parsed = parse_wav(data)
    return parsed[0] if parsed else None
