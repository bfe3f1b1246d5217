"""The live-stream model without sockets: events in with fake times, actions out.

Every test here runs in milliseconds; the loopback tests (test_lab_websockets.py,
test_lab_aiohttp.py) prove the same behaviour reaches real clients.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import WSMessage, WSMsgType

from wsdoctor.audio.pcm import LINEAR16_16K, chunked, silence, tone, wav
from wsdoctor.deepgram import closes
from wsdoctor.lab.actions import Action, Close, Drop, GoSilent, Pong, SendJson, SendText
from wsdoctor.lab.faults import Faults
from wsdoctor.lab.faults.kinds import HOSTILE_REASON, HOSTILE_TEXT, OVERSIZED_FRAME_BYTES
from wsdoctor.lab.stream import LiveStream
from wsdoctor.lab.wire import Wire, to_event
from wsdoctor.observe.events import Audio, ClientClose, ClientGone, Ping, Text, Tick
from wsdoctor.observe.record import ClientRecord

QUERY = {"encoding": "linear16", "sample_rate": "16000", "channels": "1"}
CLOSE_STREAM = Text(json.dumps({"type": "CloseStream"}))
KEEP_ALIVE = Text(json.dumps({"type": "KeepAlive"}))
FINALIZE = Text(json.dumps({"type": "Finalize"}))


def new_stream(*faults: str, idle: float = 10.0, fmt=LINEAR16_16K, **params: str) -> LiveStream:
    record = ClientRecord("rid-1", "/v1/listen", "", "token")
    return LiveStream(
        record, fmt, {**QUERY, **params}, faults=Faults.parse(faults), idle_timeout=idle
    )


def feed(stream: LiveStream, audio: bytes, start: float = 0.0, chunk_s: float = 0.1):
    """Audio in chunk_s pieces, each arriving chunk_s after the last (real-time pacing)."""
    actions: list[Action] = []
    for i, chunk in enumerate(chunked(audio, LINEAR16_16K, chunk_s)):
        actions += stream.handle(Audio(chunk), start + i * chunk_s)
    return actions


def kinds(actions: list[Action]) -> list[str]:
    """A compact view: message types for JSON, `Close 1000` for closes, else the action's name."""
    out = []
    for action in actions:
        if isinstance(action, SendJson):
            out.append(action.message["type"])
        elif isinstance(action, Close):
            out.append(f"Close {action.code}")
        else:
            out.append(type(action).__name__)
    return out


def sent(actions: list[Action], kind: str = "Results") -> list[dict]:
    return [a.message for a in actions if isinstance(a, SendJson) and a.message["type"] == kind]


# -- results and the faithful ending -------------------------------------------------


def test_a_final_result_for_each_whole_second_of_audio():
    stream = new_stream()
    actions = feed(stream, tone(2.5))
    results = sent(actions)
    assert [(r["start"], r["duration"], r["is_final"]) for r in results] == [
        (0.0, 1.0, True),
        (1.0, 1.0, True),
    ]
    assert results[0]["channel"]["alternatives"][0]["transcript"] == "hello from"
    assert stream.record.audio_s == 2.5 and stream.record.audio_bytes == 80_000


def test_the_first_final_comes_with_the_chunk_that_completes_the_second():
    stream = new_stream()
    chunks = list(chunked(tone(1.0), LINEAR16_16K, 0.1))
    early = [stream.handle(Audio(c), i * 0.1) for i, c in enumerate(chunks[:-1])]
    assert all(a == [] for a in early)
    assert kinds(stream.handle(Audio(chunks[-1]), 0.9)) == ["Results"]


def test_close_stream_sends_final_results_then_metadata_then_close_1000():
    stream = new_stream()
    feed(stream, tone(1.5))
    actions = stream.handle(CLOSE_STREAM, 1.6)
    assert kinds(actions) == ["Results", "Metadata", "Close 1000"]
    final, meta, close = actions
    assert final.message["speech_final"] and final.message["duration"] == 0.5
    assert (meta.message["duration"], meta.message["request_id"]) == (1.5, "rid-1")
    assert close == Close(1000, "")
    record = stream.record
    assert (record.close_stream_sent, record.first_close, record.tcp_end) == (
        True,
        "server",
        "close-handshake",
    )
    assert stream.done and stream.handle(Audio(tone(0.1)), 1.7) == []


def test_close_stream_on_a_whole_second_sends_no_empty_final():
    stream = new_stream()
    feed(stream, tone(1.0))
    assert kinds(stream.handle(CLOSE_STREAM, 1.0)) == ["Metadata", "Close 1000"]


def test_empty_binary_frame_is_close_stream():
    stream = new_stream()
    feed(stream, tone(0.5))
    assert kinds(stream.handle(Audio(b""), 0.6)) == ["Results", "Metadata", "Close 1000"]
    assert stream.record.close_stream_sent
    kinds_logged = [m["kind"] for m in stream.record.messages]
    assert kinds_logged[-4:] == ["empty-binary", "server", "server", "server-close"]


def test_container_audio_reads_the_wav_header():
    stream = new_stream(fmt=None)
    body = wav(tone(1.0))
    assert kinds(stream.handle(Audio(body), 0.0)) == ["Results"]
    assert stream.record.audio_s == 1.0
    assert stream.handle(CLOSE_STREAM, 0.1)[0].message["duration"] == 1.0


def test_container_audio_that_is_not_wav_is_data_0000():
    stream = new_stream(fmt=None)
    assert stream.handle(Audio(b"definitely not audio"), 0.2) == [
        Close(1008, closes.DATA0000_REASON)
    ]


def test_client_close_ends_the_stream_with_the_close_handshake():
    stream = new_stream()
    assert stream.handle(ClientClose(1000), 0.5) == []
    record = stream.record
    assert (record.client_close_code, record.first_close, record.tcp_end) == (
        1000,
        "client",
        "close-handshake",
    )
    assert stream.done and stream.next_deadline() is None


def test_tcp_ending_under_the_stream_is_client_eof():
    stream = new_stream()
    stream.handle(ClientGone(), 0.3)
    assert stream.done and stream.record.tcp_end == "client-eof"
    assert stream.record.first_close is None


def test_finish_stamps_the_duration():
    stream = new_stream()
    stream.handle(CLOSE_STREAM, 0.2)
    stream.finish(0.2504)
    assert stream.record.duration_s == 0.25


# -- idle timeout and KeepAlive ------------------------------------------------------


def test_net0001_at_exactly_the_idle_window_with_metadata_first():
    stream = new_stream(idle=10.0)
    feed(stream, tone(0.5), start=1.0)
    assert stream.next_deadline() == pytest.approx(11.4)
    assert stream.handle(Tick(), 11.38) == []  # a Tick before the deadline changes nothing
    actions = stream.handle(Tick(), 11.4)
    assert kinds(actions) == ["Metadata", "Close 1011"]
    assert actions[1] == Close(1011, closes.NET0001_REASON)
    assert stream.record.server_close_code == 1011


def test_a_stream_without_audio_times_out_from_the_101():
    stream = new_stream(idle=3.0)
    assert stream.next_deadline() == 3.0
    assert kinds(stream.handle(Tick(), 3.0)) == ["Metadata", "Close 1011"]


def test_keepalive_resets_the_idle_timer_only_after_audio():
    stream = new_stream(idle=10.0)
    stream.handle(KEEP_ALIVE, 5.0)
    assert stream.next_deadline() == 10.0  # no audio yet: KeepAlive holds nothing
    stream.handle(Audio(tone(0.1)), 6.0)
    stream.handle(KEEP_ALIVE, 12.0)
    assert stream.next_deadline() == 22.0
    assert stream.handle(Tick(), 16.0) == []  # past the window from the audio: held
    assert stream.record.keepalive_at == [5.0, 12.0]
    assert stream.record.keepalive_gaps_s == [7.0]


def test_unparsed_text_is_recorded_and_holds_like_any_text_after_audio():
    stream = new_stream(idle=10.0)
    stream.handle(Audio(tone(0.1)), 1.0)
    assert stream.handle(Text("not json"), 4.0) == []
    assert stream.record.messages[-1] == {"t": 4.0, "kind": "text", "type": "unparsed"}
    assert stream.next_deadline() == 14.0


# -- interim results, VAD events and Finalize ---------------------------------------


def test_interim_results_come_every_second_from_the_first_audio():
    stream = new_stream(interim_results="true")
    assert stream.next_deadline() == 10.0  # no interims before audio
    stream.handle(Audio(tone(0.5)), 0.5)
    assert stream.next_deadline() == 1.5
    first = stream.handle(Tick(), 1.5)
    assert kinds(first) == ["Results"] and first[0].message["is_final"] is False
    assert first[0].message["duration"] == 0.5
    assert stream.next_deadline() == 2.5
    stream.handle(Tick(), 2.7)  # a late wake-up does not shift the cadence
    assert stream.next_deadline() == 3.5


def test_no_interims_unless_asked():
    stream = new_stream()
    stream.handle(Audio(tone(0.5)), 0.5)
    assert stream.next_deadline() == 10.5
    assert stream.handle(Tick(), 1.5) == []


def test_speech_started_and_utterance_end_follow_the_audio_timeline():
    stream = new_stream(vad_events="true", utterance_end_ms="1000")
    actions = feed(stream, silence(0.5) + tone(0.5) + silence(1.5))
    assert kinds(actions) == ["SpeechStarted", "Results", "UtteranceEnd", "Results"]
    started, ended = sent(actions, "SpeechStarted")[0], sent(actions, "UtteranceEnd")[0]
    assert started["timestamp"] == 0.5
    assert ended["last_word_end"] == 1.0


def test_finalize_flushes_with_from_finalize_even_when_nothing_is_left():
    stream = new_stream()
    feed(stream, tone(0.5))
    flushed = stream.handle(FINALIZE, 0.6)
    assert kinds(flushed) == ["Results"]
    result = flushed[0].message
    assert (result["from_finalize"], result["is_final"], result["duration"]) == (True, True, 0.5)
    again = stream.handle(FINALIZE, 0.7)[0].message
    assert (again["from_finalize"], again["duration"]) == (True, 0.0)
    assert stream.record.finalize_count == 2


# -- pings ---------------------------------------------------------------------------


def test_pings_are_answered_and_counted():
    stream = new_stream()
    assert stream.handle(Ping(b"p1"), 0.1) == [Pong(b"p1")]
    assert stream.record.pings == 1


def test_no_pong_counts_pings_but_never_answers():
    stream = new_stream("no-pong")
    assert stream.handle(Ping(b"p1"), 0.1) == []
    assert stream.handle(Ping(b"p2"), 0.2) == []
    assert stream.record.pings == 2


# -- faults --------------------------------------------------------------------------


@pytest.mark.parametrize(("fault", "reset", "tcp_end"), [
    ("drop-after=2", False, "lab-drop"),
    ("reset-after=2", True, "lab-reset"),
])  # fmt: skip
def test_drop_and_reset_timers_fire_whatever_the_client_does(fault, reset, tcp_end):
    stream = new_stream(fault, idle=10.0)
    feed(stream, tone(1.5))
    assert stream.next_deadline() == 2.0
    assert stream.handle(Tick(), 1.99) == []
    assert stream.handle(Tick(), 2.0) == [Drop(reset=reset)]
    assert stream.done and stream.record.tcp_end == tcp_end
    assert stream.record.first_close is None


def test_a_drop_timer_beats_an_idle_timeout_due_at_the_same_time():
    stream = new_stream("drop-after=1", idle=1.0)
    assert stream.handle(Tick(), 1.0) == [Drop(reset=False)]


def test_reset_wins_when_drop_and_reset_are_due_together():
    stream = new_stream("reset-after=1", "drop-after=1")
    assert stream.handle(Tick(), 1.0) == [Drop(reset=True)]


def test_drop_on_close_ends_tcp_instead_of_the_faithful_ending():
    stream = new_stream("drop-on-close")
    feed(stream, tone(1.5))
    assert stream.handle(CLOSE_STREAM, 1.6) == [Drop(reset=False)]
    assert stream.record.close_stream_sent and stream.record.tcp_end == "lab-drop"


def test_data_error_closes_1008_before_counting_the_audio():
    stream = new_stream("data-error")
    assert stream.handle(Audio(tone(0.1)), 0.1) == [Close(1008, closes.DATA0000_REASON)]
    assert stream.record.audio_bytes == 0 and stream.record.server_close_code == 1008


def test_net0000_closes_1011_after_counting_the_first_audio():
    stream = new_stream("net0000")
    assert stream.handle(Audio(tone(0.1)), 0.1) == [Close(1011, closes.NET0000_REASON)]
    assert stream.record.audio_bytes == 3200 and stream.done


def test_no_close_reply_ignores_close_stream_and_stops_its_own_timers():
    stream = new_stream("no-close-reply", idle=1.0, interim_results="true")
    feed(stream, tone(0.5))
    assert stream.handle(CLOSE_STREAM, 0.6) == []
    assert stream.record.close_stream_sent and not stream.done
    assert stream.next_deadline() is None
    assert stream.handle(Tick(), 5.0) == []


def test_no_close_reply_answers_a_client_close_with_silence_until_tcp_ends():
    stream = new_stream("no-close-reply", "drop-after=3")
    assert stream.handle(ClientClose(1000), 0.5) == [GoSilent()]
    assert not stream.done and stream.next_deadline() is None  # not even the drop timer
    assert stream.handle(Tick(), 3.0) == []
    assert stream.handle(Audio(tone(0.1)), 3.1) == []
    stream.handle(ClientGone(), 3.2)
    record = stream.record
    assert stream.done and record.tcp_end == "client-eof"
    assert (record.client_close_code, record.server_close_code) == (1000, None)


def test_no_close_reply_beats_drop_on_close():
    stream = new_stream("drop-on-close", "no-close-reply")
    assert stream.handle(CLOSE_STREAM, 0.1) == []


def test_hostile_close_reason_replaces_every_reason():
    stream = new_stream("hostile")
    feed(stream, tone(0.5))
    assert stream.handle(CLOSE_STREAM, 0.6)[-1] == Close(1000, HOSTILE_REASON)
    assert stream.record.server_close_reason == HOSTILE_REASON
    idle = new_stream("hostile", idle=1.0)
    assert idle.handle(Tick(), 1.0)[-1] == Close(1011, HOSTILE_REASON)


def test_hostile_payload_comes_before_the_first_results():
    stream = new_stream("hostile")
    actions = stream.handle(Audio(tone(1.0)), 1.0)  # one frame that also completes a second
    assert kinds(actions) == ["Results", "Results"]
    hostile = actions[0].message
    assert hostile["channel"]["alternatives"][0]["transcript"] == HOSTILE_TEXT
    assert hostile["is_final"] is False and actions[1].message["is_final"] is True


def test_hostile_frame_is_an_oversized_raw_text_frame():
    stream = new_stream("hostile=frame")
    (frame,) = stream.handle(Audio(tone(0.1)), 0.1)
    assert isinstance(frame, SendText) and len(frame.text) == OVERSIZED_FRAME_BYTES


# -- the aiohttp adapter, with a fake socket and a fake clock -------------------------


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class FakeSocket:
    """Hands out scripted frames; a receive with nothing scripted waits out its timeout."""

    def __init__(self, clock: FakeClock, frames: list[tuple[float, WSMessage]]) -> None:
        self.clock, self.frames = clock, frames
        self.sent: list[str] = []
        self.closed_with: tuple[int, bytes] | None = None
        self.closed = False

    async def receive(self, timeout: float | None = None) -> WSMessage:
        if self.frames and (timeout is None or self.frames[0][0] <= timeout):
            wait, msg = self.frames.pop(0)
            self.clock.t += wait
            return msg
        assert timeout is not None, "the stream would wait forever"
        self.clock.t += timeout
        raise TimeoutError

    async def send_str(self, text: str) -> None:
        self.sent.append(text)

    async def close(self, *, code: int, message: bytes) -> None:
        self.closed_with, self.closed = (code, message), True


def test_wire_turns_the_clock_into_ticks_and_performs_actions_in_order():
    clock = FakeClock()
    audio = WSMessage(WSMsgType.BINARY, tone(0.5), None)
    ws = FakeSocket(clock, [(0.2, audio)])
    stream = new_stream(idle=10.0)
    asyncio.run(Wire(ws, None, clock).run(stream))  # type: ignore[arg-type]
    assert [json.loads(t)["type"] for t in ws.sent] == ["Metadata"]
    assert ws.closed_with == (1011, closes.NET0001_REASON.encode())
    assert stream.record.messages[0]["t"] == 0.2  # times are on the stream's own clock
    assert stream.record.duration_s == 10.2  # the idle window, counted from the audio


@pytest.mark.parametrize(("msg", "event"), [
    (WSMessage(WSMsgType.BINARY, b"a", None), Audio(b"a")),
    (WSMessage(WSMsgType.TEXT, "t", None), Text("t")),
    (WSMessage(WSMsgType.PING, b"p", None), Ping(b"p")),
    (WSMessage(WSMsgType.CLOSE, 1001, "bye"), ClientClose(1001, "bye")),
    (WSMessage(WSMsgType.CLOSE, 0, ""), ClientClose(None)),  # no status code
    (WSMessage(WSMsgType.CLOSED, None, None), ClientGone()),
    (WSMessage(WSMsgType.ERROR, ValueError(), None), ClientGone()),
    (WSMessage(WSMsgType.PONG, b"", None), None),
])  # fmt: skip
def test_frames_become_events(msg, event):
    assert to_event(msg) == event
