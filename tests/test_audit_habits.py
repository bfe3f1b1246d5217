"""The habits from Deepgram's SDK issue trackers and the false-clean verdicts of issue 20, as
plain functions: streams driven through the lab's model with fake times, each habit beside
its healthy twin, which must stay clean."""

from __future__ import annotations

import json

from auditkit import feed

from wsdoctor.audio.pcm import LINEAR16_16K, tone
from wsdoctor.audit.judge import ChildOutcome, Policy, judge_connection, judge_session
from wsdoctor.audit.session_rules import audio_not_sent, judge_reconnects
from wsdoctor.lab.faults import Faults
from wsdoctor.lab.stream import LiveStream
from wsdoctor.observe.events import Audio, ClientClose, ClientGone, Text, Tick
from wsdoctor.observe.record import ClientRecord
from wsdoctor.observe.sniff import headerless_chunk

POLICY = Policy(idle_window_s=10.0)
RAW = {"encoding": "linear16", "sample_rate": "16000"}
CHUNK_20MS = tone(0.02)
CLOSE_STREAM = Text(json.dumps({"type": "CloseStream"}))
KEEP_ALIVE = Text(json.dumps({"type": "KeepAlive"}))
FINALIZE = Text(json.dumps({"type": "Finalize"}))
WEBM_HEADER = b"\x1a\x45\xdf\xa3" + bytes(60)
WEBM_CLUSTER = b"\x1f\x43\xb6\x75" + bytes(60)
OGG_FIRST = b"OggS\x00\x02" + bytes(20) + b"OpusHead"
OGG_LATER = b"OggS\x00\x00" + bytes(40)


def stream(
    faults: tuple[str, ...] = (), params: dict[str, str] = RAW, rid: str = "r"
) -> LiveStream:
    record = ClientRecord(rid, "/v1/listen", "", "token")
    fmt = LINEAR16_16K if "encoding" in params else None
    return LiveStream(record, fmt, params, faults=Faults.parse(faults), idle_timeout=10.0,
                      finalize_s=0.25)  # fmt: skip


def paced(live: LiveStream, start: float, seconds: float) -> float:
    return feed(live, start, seconds, 0.02)


def end_cleanly(live: LiveStream, t: float) -> None:
    live.handle(CLOSE_STREAM, t)
    live.handle(Tick(), t + 0.25)
    live.handle(ClientClose(1000), t + 0.3)


def causes(record: ClientRecord, policy: Policy = POLICY) -> list[str]:
    return [f.cause for f in judge_connection(record, policy)]


# -- refused upgrades: never a pass ----------------------------------------------------


def refused(
    status: int, at: float = 0.0, dg_error: str | None = "Invalid credentials."
) -> ClientRecord:
    return ClientRecord("rid", "/v1/listen", "", "token", status=status, opened_at=at,
                        refusal=dg_error)  # fmt: skip


def test_a_refused_upgrade_is_a_failure_with_its_status_and_dg_error():
    (found,) = judge_connection(refused(401), POLICY)
    assert (found.cause, found.level.value) == ("client.upgrade_refused", "fail")
    assert found.evidence == {"status": 401, "dg_error": "Invalid credentials."}
    assert "401 (the credentials were refused)" in found.message
    assert "Invalid credentials." in found.message
    page = judge_connection(refused(200, dg_error=None), POLICY)[0]
    assert "a web page instead of an upgrade" in page.message


def test_retry_storms_after_400_and_403_name_the_status_and_the_rule():
    for status in (400, 403):
        (storm,) = judge_reconnects([refused(status, i * 0.3) for i in range(5)])
        assert storm.cause == "client.reconnect_storm" and storm.evidence["statuses"] == str(status)
        assert "Troubleshooting WebSocket DATA and NET errors" in storm.message


def test_a_flat_retry_after_429_is_no_backoff_but_a_growing_one_is_not():
    flat = [refused(429, t) for t in (0.0, 1.5, 3.0, 4.5)]
    (found,) = judge_reconnects(flat)
    assert (found.cause, found.level.value) == ("client.no_backoff", "warn")
    growing = [refused(429, t) for t in (0.0, 1.5, 4.5, 10.5)]
    assert judge_reconnects(growing) == []


# -- the app's own exit after a drop ------------------------------------------------------


def dropped_then(*later: ClientRecord) -> list[ClientRecord]:
    live = stream(rid="a")
    paced(live, 0.0, 1.0)
    live.observer.server_dropped(reset=False, now=1.0)
    live.handle(ClientGone(), 1.0)
    live.finish(1.0)
    return [live.record, *later]


def test_an_app_that_dies_after_a_drop_without_reconnecting_fails():
    died = judge_session(dropped_then(), ChildOutcome(("app",), 1), POLICY)
    (found,) = died
    assert (found.cause, found.level.value) == ("client.no_reconnect", "fail")
    assert "TCP dropped with no close frame" in found.message
    assert "exited with status 1" in found.message
    (quiet,) = judge_session(dropped_then(), ChildOutcome(("app",), 0), POLICY)
    assert (quiet.cause, quiet.level.value) == ("client.no_reconnect", "warn")
    (untold,) = judge_session(dropped_then(), None, POLICY)  # the pytest fixture: no process
    assert (untold.cause, untold.level.value) == ("client.reconnect", "info")


def test_an_app_that_reconnects_after_a_drop_is_only_noted():
    again = ClientRecord("b", "/v1/listen", "", "token", opened_at=1.2)
    (note,) = judge_session(dropped_then(again), ChildOutcome(("app",), 1), POLICY)
    assert (note.cause, note.level.value) == ("client.reconnect", "info")


def resumed(first_audio_at: float, lead: float) -> ClientRecord:
    again = ClientRecord("b", "/v1/listen", "", "token", opened_at=1.5)
    again.first_audio_at, again.audio_lead_s, again.audio_frames = first_audio_at, lead, 10
    return again


def test_audio_lost_around_a_reconnect_is_said_and_a_kept_backlog_is_not():
    dropped = dropped_then()[0]
    lost = resumed(0.5, 0.0)  # audio again 1.02 s after the last frame, no catch-up
    assert audio_not_sent(dropped, lost) == 1.02
    (note,) = judge_session([dropped, lost], None, POLICY)
    assert "about 1.0 s of audio was never sent" in note.message
    assert note.evidence["audio_not_sent_s"] == 1.02
    kept = resumed(0.5, 1.0)  # the new stream began with a second of backlog
    (note,) = judge_session([dropped, kept], None, POLICY)
    assert "never sent" not in note.message


# -- a blocked event loop -------------------------------------------------------------------


def keepalive_every(live: LiveStream, start: float, end: float, step: float) -> None:
    t = start
    while t < end:
        live.handle(KEEP_ALIVE, t)
        t = round(t + step, 3)


def test_a_blocked_loop_shows_as_a_stall_then_a_burst_of_audio():
    live = stream()
    t = paced(live, 0.0, 2.0)
    for k in range(50):  # blocked 1 s; then the 50 queued chunks go out at once
        live.handle(Audio(CHUNK_20MS), t + 1.0 + k * 0.0001)
    t = paced(live, t + 1.01, 2.0)
    end_cleanly(live, t)
    assert causes(live.record) == ["client.loop_blocked"]  # not bursty_audio: it explains it
    (found,) = judge_connection(live.record, POLICY)
    assert found.evidence["stalls"] == 1 and found.evidence["stall_s"] >= 1.0
    assert "50 audio frames came in a rush" in found.message


def test_its_healthy_twin_and_an_app_that_sends_in_batches_are_not_blocked():
    steady = stream()
    end_cleanly(steady, paced(steady, 0.0, 5.0))
    assert causes(steady.record) == []
    batches = stream()  # 25 chunks at once every 0.5 s: its own rhythm, not a stall
    t = 0.0
    for _ in range(8):
        for k in range(25):
            batches.handle(Audio(CHUNK_20MS), t + k * 0.0001)
        t += 0.5
    end_cleanly(batches, t)
    assert "client.loop_blocked" not in causes(batches.record)


def test_a_late_keepalive_against_its_own_rhythm_is_a_stall():
    live = stream()
    t = paced(live, 0.0, 1.0)
    keepalive_every(live, t + 0.5, t + 3.0, 0.5)  # every 0.5 s ...
    keepalive_every(live, t + 5.0, t + 7.0, 0.5)  # ... then one 2.5 s late
    end_cleanly(live, t + 7.0)
    assert causes(live.record) == ["client.loop_blocked"]
    healthy = stream()
    t = paced(healthy, 0.0, 1.0)
    keepalive_every(healthy, t + 0.5, t + 7.0, 0.5)
    end_cleanly(healthy, t + 7.0)
    assert causes(healthy.record) == []


def test_keepalive_on_and_still_net0001_names_the_stalled_timer():
    live = stream()
    t = paced(live, 0.0, 1.0)
    keepalive_every(live, t + 1.0, t + 4.5, 1.0)  # KeepAlive every second, then nothing
    live.handle(Tick(), t + 14.0)  # NET-0001, 10 s after the last KeepAlive
    live.handle(ClientGone(), t + 14.1)
    found = judge_connection(live.record, POLICY)
    assert [f.cause for f in found] == ["client.loop_blocked", "client.no_close_stream"]
    assert found[0].level.value == "fail" and "timer stopped firing" in found[0].message


# -- container streams without their header -------------------------------------------------


def container_stream(first: bytes, rid: str = "c", opened_at: float = 0.0) -> ClientRecord:
    live = stream(params={}, rid=rid)
    live.record.opened_at = opened_at
    live.handle(Audio(first), 0.0)
    for k in range(1, 5):
        live.handle(Audio(b"\x81" + bytes(100)), k * 0.25)
    end_cleanly(live, 1.25)
    return live.record


def test_a_container_stream_must_begin_with_its_header():
    assert headerless_chunk(WEBM_CLUSTER) == "webm" and headerless_chunk(OGG_LATER) == "ogg"
    assert headerless_chunk(WEBM_HEADER) is None and headerless_chunk(OGG_FIRST) is None
    for first in (WEBM_CLUSTER, OGG_LATER):
        record = container_stream(first)
        assert causes(record) == ["client.container_header_missing"], first[:4]
        assert record.audio_mismatch is None  # no 'raw audio without encoding' on top
    for first in (WEBM_HEADER, OGG_FIRST):
        assert causes(container_stream(first)) == []


def test_a_first_stream_without_the_header_is_audio_produced_before_the_open():
    (found,) = judge_session([container_stream(WEBM_CLUSTER)], None, POLICY)
    assert (found.cause, found.level.value) == ("client.audio_before_open", "fail")
    assert judge_session([container_stream(WEBM_HEADER)], None, POLICY) == []


def test_a_reconnect_that_resumes_without_the_header_says_so():
    first = container_stream(WEBM_HEADER, "a")
    first.tcp_end = "lab-drop"
    later = container_stream(WEBM_CLUSTER, "b", opened_at=first.duration_s + 0.2)
    (note,) = judge_session([first, later], None, POLICY)
    assert note.cause == "client.reconnect"
    assert "began without the webm header that stream 1 began with" in note.message


# -- waits with no deadline ----------------------------------------------------------------


def test_no_deadline_after_an_unanswered_close_stream_and_keepalive_after_it():
    live = stream(faults=("no-close-reply",))
    t = paced(live, 0.0, 1.0)
    live.handle(CLOSE_STREAM, t)
    keepalive_every(live, t + 5.0, t + 14.0, 5.0)  # LiveKit's keepalive task, still running
    live.record.ended_by_audit = True  # the audit stopped it 14 s later
    live.handle(ClientGone(), t + 14.0)
    found = judge_connection(live.record, POLICY)
    assert [f.cause for f in found] == [
        "client.no_close_deadline",
        "client.keepalive_after_close_stream",
    ]
    assert "when the audit stopped it" in found[0].message
    assert "'Close Stream' doc" in found[0].message


def test_giving_up_on_an_unanswered_close_stream_after_a_while_is_healthy():
    live = stream(faults=("no-close-reply",))
    t = paced(live, 0.0, 1.0)
    live.handle(CLOSE_STREAM, t)
    live.handle(ClientClose(1000), t + 2.0)  # its own 2 s deadline
    assert causes(live.record) == []


def test_the_go_sdk_stop_closes_100_ms_after_close_stream():
    live = stream()
    t = paced(live, 0.0, 1.0)
    live.handle(CLOSE_STREAM, t)
    live.handle(ClientClose(1000), t + 0.1)
    (found,) = judge_connection(live.record, POLICY)
    assert found.cause == "client.closed_before_final" and found.evidence["waited_s"] == 0.1


def test_finalize_waited_on_forever_ends_in_net0001_and_is_named():
    live = stream(faults=("no-finalize-reply",))
    t = paced(live, 0.0, 1.0)
    live.handle(FINALIZE, t)
    live.handle(Tick(), t + 10.0)  # the server's idle window runs out
    live.handle(ClientGone(), t + 10.1)
    found = judge_connection(live.record, POLICY)
    assert [f.cause for f in found] == ["client.finalize_wait", "client.no_close_stream"]
    assert "'Finalize' doc" in found[0].message and "NET-0001" in found[0].message


def test_finalize_with_a_timeout_is_healthy():
    live = stream(faults=("no-finalize-reply",))
    t = paced(live, 0.0, 1.0)
    live.handle(FINALIZE, t)
    end_cleanly(live, t + 1.0)  # waited a second, then moved on
    assert causes(live.record) == []
    answered = stream()
    t = paced(answered, 0.0, 1.0)
    answered.handle(FINALIZE, t)  # the lab answers: from_finalize Results
    assert answered.record.finalize_pending_at is None


# -- messages that say the rule and do not contradict themselves ---------------------------


def test_keepalive_before_audio_is_explained_without_contradiction():
    live = stream()
    for k in range(1, 3):
        live.handle(KEEP_ALIVE, float(k))
    live.handle(Tick(), 10.0)  # NET-0001: nothing held the stream
    (found, *_) = judge_connection(live.record, POLICY)
    assert found.cause == "client.idle_gap"
    assert "neither audio nor KeepAlive" not in found.message
    assert "sent 2 KeepAlive in that stretch, before any audio" in found.message
    assert "Troubleshooting WebSocket DATA and NET errors" in found.message
