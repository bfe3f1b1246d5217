"""A lab record stays small however long the stream, and keeps credentials out."""

from __future__ import annotations

import asyncio
import json

from labkit import AUTH, CLOSE_STREAM, KEEP_ALIVE, audio_chunks
from websockets.asyncio.client import connect

from wsdoctor.lab.config import LabConfig
from wsdoctor.lab.server import running_lab
from wsdoctor.observe.record import KEEPALIVE_TIMES_KEPT, LOG_HEAD, LOG_TAIL, ClientRecord


def new_record(query: str = "encoding=linear16") -> ClientRecord:
    return ClientRecord("rid", "/v1/listen", query, "token")


def test_a_run_of_audio_frames_is_one_log_entry_with_totals():
    record = new_record()
    for i in range(10_000):
        record.note_audio(i * 0.01, 2)
    record.note(100.5, "text", type="CloseStream")
    audio, text = record.messages
    assert audio == {"t": 0.0, "kind": "audio", "frames": 10_000, "bytes": 20_000, "until": 99.99}
    assert text["type"] == "CloseStream"
    assert record.audio_frames == 10_000 and record.max_audio_gap_s == 0.01


def test_the_log_keeps_the_start_and_the_end_and_counts_the_middle():
    record = new_record()
    total = LOG_HEAD + LOG_TAIL + 5_000
    for i in range(total):
        record.note(float(i), "ping")
    entries = record.to_dict()["messages"]
    assert len(entries) == LOG_HEAD + LOG_TAIL
    assert entries[0]["t"] == 0.0 and entries[-1]["t"] == float(total - 1)
    assert record.to_dict()["messages_dropped"] == 5_000


def test_keepalive_times_are_capped_but_counted():
    record = new_record()
    for i in range(KEEPALIVE_TIMES_KEPT + 10):
        record.note_keepalive(i * 3.0)
    assert record.keepalive_count == KEEPALIVE_TIMES_KEPT + 10
    assert len(record.keepalive_at) == KEEPALIVE_TIMES_KEPT
    assert set(record.keepalive_gaps_s) == {3.0}


def test_a_token_in_the_query_stays_out_of_the_record():
    record = new_record("encoding=linear16&token=sk-live-1234567890&sample_rate=16000")
    assert "sk-live" not in record.to_json()
    assert json.loads(record.to_json())["query"] == (
        "encoding=linear16&token=***&sample_rate=16000"
    )


async def streams(kept: int, count: int, query: str) -> list[ClientRecord]:
    async with running_lab(LabConfig(records_kept=kept)) as lab:
        for _ in range(count):
            url = f"{lab.url}&{query}"
            async with connect(url, additional_headers=AUTH, ping_interval=None) as ws:
                for chunk in audio_chunks(0.3):
                    await ws.send(chunk)
                await ws.send(KEEP_ALIVE)
                await ws.send(CLOSE_STREAM)
                _ = [m async for m in ws]
        await asyncio.sleep(0.05)  # the last record is filed as its handler ends
        return list(lab.records)


def test_the_lab_keeps_only_the_newest_records_and_masks_tokens_on_the_wire():
    records = asyncio.run(streams(kept=2, count=3, query="token=sk-secret-value"))
    assert len(records) == 2
    for record in records:
        assert "sk-secret" not in record.to_json()
        assert record.keepalive_count == 1 and record.audio_frames == 3


def test_every_credential_shape_in_the_query_is_masked():
    for query, secret in [
        ("x=1;token=QSEMI0123456789", "QSEMI"),
        ("authorization=Token%20QAUTHQ1234567890", "QAUTHQ"),
        ("authorization=Token QAUTHQ1234567890", "QAUTHQ"),
        ("callback=https://user:QCBPASS123456@example.invalid/cb", "QCBPASS"),
        ("apikey=QAPIKEY123456", "QAPIKEY"),
    ]:
        assert secret not in new_record(query).to_json(), query
