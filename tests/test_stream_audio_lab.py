"""The stream checks' own audio against the real lab: always decodable, recognised by the lab,
and an uplink too slow for it named as such (the slow-uplink fault throttles real TCP)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import pytest
from checkkit import FAST, run_against, run_against_lab, statuses
from labkit import AUTH, CLOSE_STREAM, decode, with_lab
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from wsdoctor.audio.pcm import LINEAR16_16K, chunked, tone
from wsdoctor.audio.speech import clip, speech

STREAM_CHECKS = ("handshake", "close_frame", "idle_timeout", "keepalive", "stability")
SCALED = replace(FAST, server_idle_s=1.0)  # the lab below closes idle streams after 1 s


def bare(lab) -> str:
    return lab.url.split("?")[0]


async def transcript_of(lab, audio: bytes) -> str:
    """Stream `audio` to the lab as fast as it goes, then CloseStream: the finals' text."""
    async with connect(bare(lab) + "?" + lab.url.split("?")[1], additional_headers=AUTH) as ws:
        for chunk in chunked(audio, LINEAR16_16K, 0.1):
            await ws.send(chunk)
        await ws.send(CLOSE_STREAM)
        received = decode([m async for m in ws])
    finals = [m for m in received if m["type"] == "Results"]
    return " ".join(m["channel"]["alternatives"][0]["transcript"] for m in finals).strip()


def test_the_lab_answers_the_clip_with_its_sentence():
    sentence = " ".join(w.word for w in clip().words)
    assert with_lab(lambda lab: transcript_of(lab, speech(clip().seconds))) == sentence


def test_the_lab_keeps_its_synthetic_words_for_other_audio():
    text = with_lab(lambda lab: transcript_of(lab, tone(2.0)))
    assert text.split() == ["hello", "from", "the", "wsdoctor"]


def test_raw_audio_on_a_bare_url_is_undecodable_as_on_deepgram(serve_lab):
    """What wsdoctor used to do: raw linear16 on a URL that declares no encoding."""
    lab = serve_lab()

    async def raw_on_bare() -> tuple[int | None, str | None]:
        async with connect(bare(lab), additional_headers=AUTH) as ws:
            await ws.send(speech(0.1))
            with pytest.raises(ConnectionClosedError):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_reason is not None
            return ws.close_code, ws.close_reason

    code, reason = asyncio.run(raw_on_bare())
    assert code == 1008 and reason is not None and reason.startswith("DATA-0000")


@pytest.mark.slow
def test_stream_checks_pass_on_a_bare_url(serve_lab):
    lab = serve_lab(idle=1.0)
    report = run_against(bare(lab), only=STREAM_CHECKS, settings=SCALED)
    assert report.root_causes == ()
    assert {statuses(report)[c] for c in STREAM_CHECKS} == {"pass"}, statuses(report)
    stability = report.entry("stability").result
    assert stability.evidence["audio_query_added"] == "encoding=linear16&sample_rate=16000"
    assert stability.evidence["extensions"].startswith("permessage-deflate")
    queries = {record.query for record in lab.records}
    assert queries == {"encoding=linear16&sample_rate=16000"}


@pytest.mark.slow
def test_an_encoding_wsdoctor_cannot_produce_skips_plainly(serve_lab):
    lab = serve_lab(idle=1.0)
    report = run_against(
        bare(lab) + "?encoding=mulaw&sample_rate=8000", only=STREAM_CHECKS, settings=SCALED
    )
    assert report.root_causes == ()
    got = statuses(report)
    assert (got["handshake"], got["idle_timeout"]) == ("pass", "pass")  # the path is tested
    for check_id in ("close_frame", "keepalive", "stability"):
        result = report.entry(check_id).result
        assert result.status.value == "skip" and result.not_applicable
        assert "encoding=mulaw, which wsdoctor cannot produce" in result.summary
    assert all(record.audio_bytes == 0 for record in lab.records)  # no undecodable audio sent


@pytest.mark.slow
@pytest.mark.parametrize("kbps", ["14", "4"])  # half the audio, and far below
def test_an_uplink_slower_than_the_audio_is_named_with_its_rate(kbps):
    result = run_against_lab(f"slow-uplink={kbps}", only=("stability",)).entry("stability").result
    assert result.cause == "stability.uplink_too_slow", result.summary  # bandwidth, not a stall
    measured = result.measurements
    print(f"slow-uplink={kbps} kB/s: measured {measured['uplink_kBps']} kB/s", json.dumps(measured))
    assert 0 < measured["uplink_kBps"] < measured["audio_wire_kBps"]
    assert "kbit/s" in result.summary and "behind real time" in result.summary


@pytest.mark.slow
def test_an_uplink_that_keeps_up_passes():
    result = run_against_lab(only=("stability",)).entry("stability").result
    assert result.status.value == "pass", result.summary
    assert "uplink_kBps" not in result.measurements  # nothing queued: no capacity to report
    assert result.measurements["audio_wire_kBps"] > 0
