"""The Flux (/v2/listen) stream model without sockets: events in with fake times, actions out.

Like test_lab_model.py for v1, every test runs in milliseconds; test_lab_flux_wire.py
proves the same behaviour reaches real clients (python-websockets, deepgram-sdk).
"""

from __future__ import annotations

import json

import pytest

from wsdoctor.audio.pcm import LINEAR16_16K, chunked, silence, tone
from wsdoctor.audio.speech import clip, speech
from wsdoctor.deepgram import closes
from wsdoctor.deepgram import messages as dg
from wsdoctor.lab.actions import Action, Close, Drop, EchoClose, GoSilent, Pong, SendJson, SendText
from wsdoctor.lab.faults import FAULTS, Faults
from wsdoctor.lab.faults.kinds import HOSTILE_REASON, HOSTILE_TEXT
from wsdoctor.lab.flux import FluxStream
from wsdoctor.lab.flux_messages import UNDECODABLE_AUDIO, UNKNOWN_MESSAGE
from wsdoctor.observe.events import Audio, ClientClose, ClientGone, Ping, Text, Tick
from wsdoctor.observe.record import ClientRecord

QUERY = {"model": "flux-general-en", "encoding": "linear16", "sample_rate": "16000"}
CHUNK_S = 0.08
SENTENCE = " ".join(w.word for w in clip().words)


def control(kind: str, **fields) -> Text:
    return Text(json.dumps({"type": kind, **fields}))


def new_stream(*faults: str, idle: float = 60.0, **params: str) -> FluxStream:
    record = ClientRecord("rid-2", "/v2/listen", "", "token")
    stream = FluxStream(
        record, LINEAR16_16K, {**QUERY, **params}, faults=Faults.parse(faults), idle_timeout=idle
    )
    stream.handle(Tick(), 0.0)  # Connected
    return stream


def feed(stream: FluxStream, audio: bytes, start: float = 0.0) -> list[Action]:
    """Audio in 80 ms chunks, each arriving 80 ms after the last (real-time pacing)."""
    actions: list[Action] = []
    for i, chunk in enumerate(chunked(audio, LINEAR16_16K, CHUNK_S)):
        actions += stream.handle(Audio(chunk), start + i * CHUNK_S)
    return actions


def infos(actions: list[Action]) -> list[dict]:
    return [a.message for a in actions if isinstance(a, SendJson)]


def events(actions: list[Action]) -> list[str]:
    """TurnInfo by its event (Update, StartOfTurn...), other messages by type; closes as such."""
    out = []
    for action in actions:
        if isinstance(action, SendJson):
            message = action.message
            out.append(message.get("event", message["type"]))
        elif isinstance(action, Close):
            out.append(f"Close {action.code}")
        else:
            out.append(type(action).__name__)
    return out


def turn_events(actions: list[Action]) -> list[str]:
    return [e for e in events(actions) if e != dg.UPDATE]


# -- Connected and sequence ids ------------------------------------------------------


def test_connected_comes_first_with_sequence_zero_without_waiting_for_a_frame():
    record = ClientRecord("rid-2", "/v2/listen", "", "token")
    stream = FluxStream(record, LINEAR16_16K, QUERY)
    assert stream.next_deadline() == 0.0
    (connected,) = infos(stream.handle(Tick(), 0.0))
    assert connected == {"type": "Connected", "request_id": "rid-2", "sequence_id": 0}
    assert stream.next_deadline() == 60.0  # then only the idle window


def test_connected_still_comes_first_when_a_frame_beats_the_tick():
    record = ClientRecord("rid-2", "/v2/listen", "", "token")
    stream = FluxStream(record, LINEAR16_16K, QUERY)
    actions = stream.handle(Ping(b"p"), 0.0)
    assert events(actions) == ["Connected", "Pong"]


def test_sequence_ids_increase_over_every_message_type():
    stream = new_stream()
    actions = feed(stream, tone(1.0) + silence(1.0))
    actions += stream.handle(control(dg.CONFIGURE), 2.1)
    actions += stream.handle(control(dg.FORCE_END_TURN), 2.2)
    sent = infos(actions)
    assert {m["type"] for m in sent} == {"TurnInfo", "ConfigureSuccess", "Warning"}
    assert [m["sequence_id"] for m in sent] == list(range(1, len(sent) + 1))


# -- turns ---------------------------------------------------------------------------


def test_updates_come_every_three_hops_of_audio_between_turns():
    stream = new_stream()
    actions = feed(stream, silence(1.0))
    assert events(actions) == [dg.UPDATE] * 4
    assert [m["audio_window_end"] for m in infos(actions)] == [0.24, 0.48, 0.72, 0.96]
    assert all(m["transcript"] == "" and m["turn_index"] == 0 for m in infos(actions))


def test_the_clip_is_one_turn_with_its_words_ended_by_the_model_after_half_a_second():
    stream = new_stream()
    actions = feed(stream, speech(clip().seconds) + silence(1.0))
    assert turn_events(actions) == [dg.START_OF_TURN, dg.END_OF_TURN]
    sent = infos(actions)
    start = next(m for m in sent if m["event"] == dg.START_OF_TURN)
    end = next(m for m in sent if m["event"] == dg.END_OF_TURN)
    assert (start["audio_window_start"], start["audio_window_end"]) == (0.0, 0.08)
    assert end["transcript"] == SENTENCE and end["trigger"] == dg.TRIGGER_MODEL
    assert end["audio_window_start"] == 0.0
    assert 0.45 <= end["audio_window_end"] - clip().seconds <= 0.65  # ~0.5 s of silence
    assert end["end_of_turn_confidence"] >= 0.7
    assert set(end["words"][0]) == {"word", "confidence", "start", "end"}
    updates = [m["transcript"] for m in sent if m["event"] == dg.UPDATE and m["transcript"]]
    assert updates == sorted(updates, key=len) and SENTENCE.startswith(updates[0])
    after = [m for m in sent if m["sequence_id"] > end["sequence_id"]]
    assert all(m["turn_index"] == 1 and m["transcript"] == "" for m in after)


def test_two_takes_of_the_clip_are_two_turns_each_with_the_sentence():
    stream = new_stream()
    take = speech(clip().seconds) + silence(1.0)
    ends = [m for m in infos(feed(stream, take + take)) if m["event"] == dg.END_OF_TURN]
    assert [(m["turn_index"], m["transcript"]) for m in ends] == [(0, SENTENCE), (1, SENTENCE)]
    assert ends[1]["words"][0]["start"] == pytest.approx(clip().seconds + 1.0, abs=0.01)


def test_other_speech_gets_synthetic_words():
    stream = new_stream()
    sent = infos(feed(stream, tone(1.5) + silence(1.0)))
    end = next(m for m in sent if m["event"] == dg.END_OF_TURN)
    assert end["transcript"] == "hello from the"


def test_eager_end_of_turn_then_resumed_then_ended():
    stream = new_stream(eager_eot_threshold="0.3")
    actions = feed(stream, tone(0.5) + silence(0.3) + tone(0.5) + silence(1.0))
    assert turn_events(actions) == [
        dg.START_OF_TURN,
        dg.EAGER_END_OF_TURN,
        dg.TURN_RESUMED,
        dg.EAGER_END_OF_TURN,
        dg.END_OF_TURN,
    ]


def test_with_model_end_of_turn_off_the_timeout_ends_the_turn():
    stream = new_stream(eot_threshold="1.0", eot_timeout_ms="1000")
    actions = feed(stream, tone(0.5) + silence(2.0))
    end = next(m for m in infos(actions) if m["event"] == dg.END_OF_TURN)
    assert end["trigger"] == dg.TRIGGER_TIMEOUT
    assert end["audio_window_end"] == pytest.approx(0.56 + 1.04)  # 13 quiet hops after speech


# -- Configure and ForceEndTurn ------------------------------------------------------


def test_configure_answers_with_the_values_in_force_and_they_apply():
    stream = new_stream(eot_timeout_ms="3000")
    change = control(dg.CONFIGURE, thresholds={"eot_threshold": 0.9}, keyterms=["wsdoctor"])
    (success,) = infos(stream.handle(change, 0.1))
    assert success["type"] == dg.CONFIGURE_SUCCESS and success["request_id"] == "rid-2"
    assert success["thresholds"] == {"eot_threshold": 0.9, "eot_timeout_ms": 3000}
    assert success["keyterms"] == ["wsdoctor"]
    end = next(m for m in infos(feed(stream, tone(0.5) + silence(1.0), 0.2)) if "trigger" in m)
    assert end["end_of_turn_confidence"] >= 0.9  # the new threshold: later than the default


@pytest.mark.parametrize(
    "change",
    [
        {"thresholds": {"eot_threshold": 0.2}},
        {"thresholds": {"eager_eot_threshold": 0.8, "eot_threshold": 0.6}},
        {"thresholds": {"eot_threshold": "high"}},
        {"thresholds": {"speed": 2}},
        {"keyterms": "one"},
        {"language_hints": ["de"]},  # flux-general-en takes none
    ],
)
def test_configure_failure_names_the_problem_and_changes_nothing(change):
    stream = new_stream()
    (failure,) = infos(stream.handle(control(dg.CONFIGURE, **change), 0.1))
    assert failure["type"] == dg.CONFIGURE_FAILURE and failure["description"]
    assert set(failure) == {"type", "request_id", "sequence_id", "code", "description"}
    assert stream.turns.thresholds.eot_threshold == 0.7 and not stream.done


def test_force_end_turn_ends_an_active_turn_manually_and_warns_between_turns():
    stream = new_stream()
    (warning,) = infos(stream.handle(control(dg.FORCE_END_TURN), 0.05))
    assert (warning["type"], warning["code"]) == (dg.WARNING, dg.NO_ACTIVE_TURN)
    feed(stream, tone(0.6), 0.1)
    (end,) = infos(stream.handle(control(dg.FORCE_END_TURN), 0.8))
    assert (end["event"], end["trigger"], end["turn_index"]) == (
        dg.END_OF_TURN,
        dg.TRIGGER_MANUAL,
        0,
    )
    assert end["transcript"] == "hello" and end["audio_window_end"] == 0.6
    assert stream.turns.turn_index == 1 and not stream.done


# -- endings and the idle window -----------------------------------------------------


def test_close_stream_sends_the_remaining_update_then_closes_without_status():
    stream = new_stream()
    feed(stream, tone(1.0))  # mid-turn: 0.96 s reported, 40 ms not yet
    actions = stream.handle(control(dg.CLOSE_STREAM), 1.1)
    assert events(actions) == [dg.UPDATE, "Close None"]  # no EndOfTurn, no Metadata
    assert infos(actions)[0]["audio_window_end"] == 1.0
    record = stream.record
    assert (record.close_stream_sent, record.first_close, record.server_close_code) == (
        True,
        "server",
        None,
    )
    assert stream.done


def test_close_stream_after_everything_was_reported_just_closes():
    stream = new_stream()
    feed(stream, silence(0.96))
    assert stream.handle(control(dg.CLOSE_STREAM), 1.0) == [Close(None, "")]


def test_pings_hold_the_idle_window_text_does_not():
    stream = new_stream(idle=1.0)
    assert stream.handle(Ping(b"1"), 0.8) == [Pong(b"1")]
    assert stream.next_deadline() == pytest.approx(1.8)
    stream.handle(control(dg.CONFIGURE), 1.5)  # answered, but holds nothing
    assert stream.next_deadline() == pytest.approx(1.8)
    assert stream.handle(Tick(), 1.8) == [Close(*closes.close_of(closes.ServerClose.NET0001))]
    assert stream.record.max_idle_gap_s == pytest.approx(1.0)  # pings counted as activity


def test_audio_holds_the_idle_window_too():
    stream = new_stream(idle=1.0)
    feed(stream, silence(0.4), 0.5)
    assert stream.next_deadline() == pytest.approx(1.82)


@pytest.mark.parametrize("text", [json.dumps({"type": "KeepAlive"}), "not json", "{}"])
def test_a_keepalive_or_any_unknown_text_is_an_error_then_a_close_without_status(text):
    stream = new_stream()
    actions = stream.handle(Text(text), 0.5)
    assert events(actions) == [dg.ERROR, "Close None"]
    error = infos(actions)[0]
    assert error["code"] == UNKNOWN_MESSAGE and error["sequence_id"] == 1
    assert "request_id" not in error  # the spec gives Error none
    assert stream.record.unknown_texts == 1 and stream.done


def test_known_messages_are_not_unknown_texts():
    stream = new_stream()
    stream.handle(control(dg.CONFIGURE), 0.1)
    stream.handle(control(dg.FORCE_END_TURN), 0.2)
    assert stream.record.unknown_texts == 0


def test_a_client_close_is_echoed_with_its_code_or_without_one():
    stream = new_stream()
    assert stream.handle(ClientClose(1000), 0.5) == [EchoClose(1000)]
    assert stream.record.tcp_end == "close-handshake" and stream.done
    bare = new_stream()
    assert bare.handle(ClientClose(None), 0.5) == [EchoClose(None)]
    assert bare.record.client_close_code is None


def test_an_empty_binary_frame_is_no_close_stream_on_flux():
    stream = new_stream()
    assert stream.handle(Audio(b""), 0.1) == []
    assert stream.record.empty_binary and not stream.record.close_stream_sent


# -- faults --------------------------------------------------------------------------


def test_mute_after_stalls_turn_info_while_pongs_keep_coming():
    stream = new_stream("mute-after=1")
    before = feed(stream, tone(0.96))
    after = feed(stream, tone(1.0), 1.0)
    assert infos(before) and not infos(after)
    assert stream.handle(Ping(b"p"), 2.1) == [Pong(b"p")]
    assert infos(stream.handle(control(dg.CONFIGURE), 2.2))[0]["type"] == dg.CONFIGURE_SUCCESS
    assert not stream.done


@pytest.mark.parametrize(("fault", "reset"), [("drop-after=2", False), ("reset-after=2", True)])
def test_drop_and_reset_timers(fault, reset):
    stream = new_stream(fault)
    assert stream.next_deadline() == 2.0
    assert stream.handle(Tick(), 2.0) == [Drop(reset=reset)]


def test_drop_on_close_and_no_close_reply():
    dropping = new_stream("drop-on-close")
    assert dropping.handle(control(dg.CLOSE_STREAM), 0.5) == [Drop(reset=False)]
    ignoring = new_stream("no-close-reply")
    assert ignoring.handle(control(dg.CLOSE_STREAM), 0.5) == []
    assert ignoring.next_deadline() is None
    assert ignoring.handle(ClientClose(1000), 0.6) == [GoSilent()]
    ignoring.handle(ClientGone(), 0.7)
    assert ignoring.done and ignoring.record.tcp_end == "client-eof"


def test_no_pong_and_silent_idle():
    assert new_stream("no-pong").handle(Ping(b"p"), 0.1) == []
    forgetting = new_stream("silent-idle=2", idle=5.0)
    assert forgetting.next_deadline() == 2.0
    assert forgetting.handle(Tick(), 2.0) == [GoSilent()]


@pytest.mark.parametrize(
    ("fault", "code", "counted"),
    [("data-error", UNDECODABLE_AUDIO, 0), ("net0000", dg.INTERNAL_SERVER_ERROR, 2560)],
)
def test_failures_are_an_error_then_a_close_without_status(fault, code, counted):
    stream = new_stream(fault)
    actions = stream.handle(Audio(tone(0.08)), 0.1)
    assert events(actions) == [dg.ERROR, "Close None"]
    assert infos(actions)[0]["code"] == code
    assert stream.record.audio_bytes == counted


def test_undecodable_container_audio_is_the_same_error():
    record = ClientRecord("rid-2", "/v2/listen", "", "token")
    stream = FluxStream(record, None, {"model": "flux-general-en"})
    actions = stream.handle(Audio(b"not a container"), 0.1)
    assert events(actions) == ["Connected", dg.ERROR, "Close None"]


def test_hostile_payloads_in_turn_info_error_and_close_reason():
    stream = new_stream("hostile")
    first = infos(stream.handle(Audio(tone(0.08)), 0.1))[0]
    assert (first["type"], first["transcript"]) == (dg.TURN_INFO, HOSTILE_TEXT)
    error = infos(stream.handle(Text("?"), 0.2))[0]
    assert HOSTILE_TEXT in error["description"]
    idle = new_stream("hostile", idle=1.0)
    assert idle.handle(Tick(), 1.0) == [Close(closes.INTERNAL_ERROR, HOSTILE_REASON)]
    oversized = new_stream("hostile=frame")
    assert isinstance(oversized.handle(Audio(tone(0.08)), 0.1)[0], SendText)


@pytest.mark.parametrize("name", FAULTS)
def test_every_fault_runs_on_a_flux_stream_with_messages_in_sequence(name):
    """Faults below the stream (handshake, TLS, uplink) leave the model as it is; the rest
    bend it, and whatever they do, what Flux sends stays numbered from 0 without gaps."""
    record = ClientRecord("rid-2", "/v2/listen", "", "token")
    stream = FluxStream(record, LINEAR16_16K, QUERY, faults=Faults.parse([name]), idle_timeout=5)
    actions = stream.handle(Tick(), 0.0)
    for now, event in [(0.1, Audio(tone(0.5))), (0.2, Ping(b"p")), (0.3, control(dg.CLOSE_STREAM))]:
        actions += stream.handle(event, now)
    for now in (1.0, 3.0, 6.0):  # any fault timer and the idle window
        actions += stream.handle(Tick(), now)
    numbers = [m["sequence_id"] for m in infos(actions)]
    assert numbers == list(range(len(numbers))) and infos(actions)[0]["type"] == dg.CONNECTED
