"""The audit's rules as plain functions: streams driven through the lab's model with fake
times (no sockets), then judged. Each rule beside the healthy stream it must not flag."""

from __future__ import annotations

import json

from auditkit import feed

from wsdoctor.audio.pcm import LINEAR16_16K, tone, wav
from wsdoctor.audit.judge import Policy, judge_connection, judge_reconnects
from wsdoctor.audit.session_rules import after_drops
from wsdoctor.deepgram.auth import looks_like_jwt
from wsdoctor.lab.faults import Faults
from wsdoctor.lab.stream import LiveStream
from wsdoctor.observe.events import Audio, ClientClose, ClientGone, Text, Tick
from wsdoctor.observe.record import ClientRecord
from wsdoctor.observe.sniff import container_of, control_in_binary

POLICY = Policy(idle_window_s=10.0)
CHUNK = tone(0.1)
RAW = {"encoding": "linear16", "sample_rate": "16000"}
CLOSE_STREAM = Text(json.dumps({"type": "CloseStream"}))
KEEP_ALIVE = Text(json.dumps({"type": "KeepAlive"}))


def stream(params: dict[str, str] = RAW, finalize_s: float = 0.25) -> LiveStream:
    record = ClientRecord("rid-1", "/v1/listen", "", "token")
    fmt = LINEAR16_16K if "encoding" in params else None
    return LiveStream(record, fmt, params, idle_timeout=10.0, finalize_s=finalize_s)


def audio(live: LiveStream, start: float, seconds: float, step: float = 0.1) -> float:
    """0.1 s chunks every `step` s from `start` (real time by default); the time after."""
    return feed(live, start, seconds, step, CHUNK)


def causes(live: LiveStream) -> list[str]:
    return [f.cause for f in judge_connection(live.record, POLICY)]


def test_a_clean_stream_has_no_finding():
    live = stream()
    t = audio(live, 0.0, 3.0)
    live.handle(CLOSE_STREAM, t)
    live.handle(Tick(), t + 0.25)  # the lab answers: finals, Metadata, close
    live.handle(ClientClose(1000), t + 0.3)
    assert causes(live) == []


def test_closing_right_after_close_stream_is_closed_before_final():
    live = stream()
    t = audio(live, 0.0, 1.0)
    live.handle(CLOSE_STREAM, t)
    live.handle(ClientClose(1000), t + 0.01)
    assert causes(live) == ["client.closed_before_final"]


def test_leaving_without_close_stream_or_close_frame():
    live = stream()
    t = audio(live, 0.0, 1.0)
    live.handle(ClientGone(), t)
    assert causes(live) == ["client.no_close_stream", "client.no_close_frame"]


def test_a_stream_the_server_dropped_is_not_blamed_on_the_client():
    live = stream()
    audio(live, 0.0, 1.0)
    live.observer.server_dropped(reset=True, now=1.0)
    live.handle(ClientGone(), 1.0)
    assert causes(live) == []


def test_idle_gap_near_the_window_warns_and_keepalive_prevents_it():
    quiet = stream()
    t = audio(quiet, 0.0, 1.0)
    t = audio(quiet, t + 8.5, 1.0)  # 8.5 s of nothing
    quiet.handle(CLOSE_STREAM, t)
    (found,) = judge_connection(quiet.record, POLICY)
    assert (found.cause, found.level.value) == ("client.idle_gap", "warn")
    assert found.evidence["idle_gap_s"] == 8.6  # from the last chunk at 0.9 s to 9.5 s
    kept = stream()
    t = audio(kept, 0.0, 1.0)
    for k in range(1, 4):
        kept.handle(KEEP_ALIVE, t + 3 * k - 0.5)
    t = audio(kept, t + 9.0, 1.0)
    kept.handle(CLOSE_STREAM, t)
    assert causes(kept) == []
    assert kept.record.keepalive_count == 3


def test_a_server_side_net0000_is_not_blamed_on_the_app():
    live = LiveStream(ClientRecord("rid-1", "/v1/listen", "", "token"), LINEAR16_16K, RAW,
                      faults=Faults.parse(["net0000"]), idle_timeout=10.0)  # fmt: skip
    live.handle(Audio(CHUNK), 0.0)
    assert live.record.server_close_code == 1011
    live.handle(ClientGone(), 0.05)
    assert causes(live) == []


def test_a_net0001_close_with_deepgrams_untagged_reason_is_still_the_apps_idle_gap():
    record = ClientRecord("rid-1", "/v1/listen", "", "token", audio_frames=1)
    record.max_idle_gap_s, record.first_close, record.tcp_end = 10.0, "server", "close-handshake"
    record.server_close_code = 1011
    record.server_close_reason = (
        "Deepgram did not receive audio data or a text message within the timeout window. "
        "See https://dpgr.am/net0001"
    )
    assert next(f.cause for f in judge_connection(record, POLICY)) == "client.idle_gap"


def test_configure_is_a_control_message_deepgram_knows():
    live = stream()
    t = audio(live, 0.0, 1.0)
    live.handle(Text(json.dumps({"type": "Configure", "features": {}})), t)
    t = audio(live, t, 1.0)
    live.handle(CLOSE_STREAM, t)
    live.handle(Tick(), t + 0.25)
    live.handle(ClientClose(1000), t + 0.3)
    assert live.record.unknown_texts == 0 and causes(live) == []


def test_control_messages_in_binary_frames_and_unknown_text():
    live = stream()
    t = audio(live, 0.0, 0.5)
    live.handle(Audio(json.dumps({"type": "KeepAlive"}).encode()), t)
    live.handle(Text(json.dumps({"type": "Keepalive"})), t + 0.1)  # misspelt
    live.handle(CLOSE_STREAM, t + 0.2)
    assert causes(live) == ["client.control_as_binary", "client.unknown_text"]
    assert live.record.messages[-2]["type"] == "Keepalive"


def test_audio_after_close_stream_is_counted():
    live = stream()
    t = audio(live, 0.0, 0.5)
    live.handle(CLOSE_STREAM, t)
    live.handle(Audio(CHUNK), t + 0.1)
    assert causes(live) == ["client.audio_after_close_stream"]


def test_audio_format_mismatches_are_sniffed():
    container_as_raw = stream()
    container_as_raw.handle(Audio(wav(CHUNK)), 0.0)
    assert container_as_raw.record.audio_mismatch == (
        "wav container sent although the URL declares encoding=linear16"
    )
    raw_without_encoding = stream({})
    raw_without_encoding.handle(Audio(CHUNK), 0.0)
    assert raw_without_encoding.record.audio_mismatch == (
        "raw audio sent with no encoding in the URL"
    )
    matching = stream({"sample_rate": "16000"})
    matching.handle(Audio(wav(CHUNK)), 0.0)
    assert matching.record.audio_mismatch is None


def test_slow_and_bursty_audio():
    slow = stream()
    audio(slow, 0.0, 6.0, step=0.4)  # 0.1 s of audio every 0.4 s: 25 % of real time
    assert causes(slow) == ["client.slow_audio"]
    bursty = stream()
    t = audio(bursty, 0.0, 2.0)
    audio(bursty, t + 2.5, 3.0)
    assert causes(bursty) == ["client.bursty_audio"]


def refused(status: int, at: float) -> ClientRecord:
    return ClientRecord("rid", "/v1/listen", "", "token", status=status, opened_at=at)


def test_retrying_4xx_in_a_loop_is_a_storm_but_a_few_spaced_retries_are_not():
    storm = [refused(401, i * 0.2) for i in range(6)]
    assert [f.cause for f in judge_reconnects(storm)] == ["client.reconnect_storm"]
    patient = [refused(401, i * 5.0) for i in range(3)]
    assert judge_reconnects(patient) == []


def test_no_backoff_after_429():
    hasty = [refused(429, 0.0), refused(429, 0.1)]
    assert [f.cause for f in judge_reconnects(hasty)] == ["client.no_backoff"]
    assert judge_reconnects([refused(429, 0.0), refused(429, 2.0)]) == []


def test_sniffing_helpers():
    assert container_of(b"OggS\x00") == "ogg"
    assert container_of(b"\x1a\x45\xdf\xa3") == "webm"
    assert container_of(b"fLaC") == "flac"
    assert container_of(b"ID3\x04") == "mp3"
    assert container_of(CHUNK) is None
    assert control_in_binary(b'{"type": "CloseStream"}') == "CloseStream"
    assert control_in_binary(b'{"type": "Results"}') is None
    assert looks_like_jwt("eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl")
    assert not looks_like_jwt("0123456789abcdef0123456789abcdef01234567")


def test_reconnects_after_a_server_drop_are_noted_with_their_delay():
    dropped = ClientRecord("a", "/v1/listen", "", "token", opened_at=0.0, duration_s=2.0)
    dropped.tcp_end = "lab-drop"
    again = ClientRecord("b", "/v1/listen", "", "token", opened_at=2.5)
    (note,) = after_drops([dropped, again], None, POLICY)
    assert (note.cause, note.level.value, note.evidence["reconnect_after_s"]) == (
        "client.reconnect",
        "info",
        0.5,
    )
    (alone,) = after_drops([dropped], None, POLICY)
    assert "did not reconnect" in alone.message
    clean = ClientRecord("c", "/v1/listen", "", "token", duration_s=1.0)
    clean.tcp_end, clean.first_close, clean.server_close_code = "close-handshake", "server", 1000
    assert after_drops([clean], None, POLICY) == []


def test_mulaw_silence_and_documented_containers_are_not_mismatches():
    mulaw = stream({"encoding": "mulaw", "sample_rate": "8000"})
    mulaw.observer.client(Audio(b"\xff" * 160), 0.0)  # u-law digital silence
    assert mulaw.record.audio_mismatch is None
    ogg_opus = stream({"encoding": "opus"})
    ogg_opus.observer.client(Audio(b"OggS\x00\x02" + bytes(100)), 0.0)
    assert ogg_opus.record.audio_mismatch is None
    ogg_raw = stream({"encoding": "linear16", "sample_rate": "16000"})
    ogg_raw.observer.client(Audio(b"OggS\x00\x02" + bytes(100)), 0.0)
    assert ogg_raw.record.audio_mismatch == (
        "ogg container sent although the URL declares encoding=linear16"
    )


def test_pauses_bridged_by_keepalive_are_neither_bursts_nor_slow_audio():
    live = stream()
    t = 0.0
    for _ in range(3):  # 2 s of speech, then 3 s of KeepAlive once a second
        t = audio(live, t, 2.0)
        for k in range(1, 4):
            live.handle(KEEP_ALIVE, t + k - 0.5)
        t += 3.0
    live.handle(CLOSE_STREAM, t)
    assert causes(live) == []


def test_keepalive_before_any_audio_does_not_hold_the_stream():
    live = stream()
    for k in range(1, 4):
        live.handle(KEEP_ALIVE, float(k))
    audio(live, 9.0, 1.0)
    (found,) = judge_connection(live.record, POLICY)
    assert found.cause == "client.idle_gap"
    assert "before any audio" in found.message


def test_a_refused_connection_says_what_the_lab_refused():
    from wsdoctor.audit.results import describe_connection

    record = ClientRecord("r", "/v2/listen", "", "token", status=400)
    assert describe_connection(record) == "upgrade refused with 400"
    record.refused_because = "eot_threshold=2 is outside 0.5-1"  # Flux's own 400 names nothing
    assert (
        describe_connection(record) == "upgrade refused with 400 (eot_threshold=2 is outside 0.5-1)"
    )
