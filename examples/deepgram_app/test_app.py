"""The app's connection handling, judged in its own test suite by wsdoctor's `deepgram_lab`.

Run: pytest examples/deepgram_app   (wsdoctor and deepgram-sdk installed)
"""

from __future__ import annotations

import pytest
from app import TranscriptionFailed, transcribe

CHUNKS = [b"\x10\x00" * 1600] * 10  # 1 s of audio in 100 ms chunks


def run(lab, **kwargs):  # type: ignore[no-untyped-def]
    return transcribe(CHUNKS, api_key=lab.api_key, environment=lab.deepgram_environment(), **kwargs)


def test_a_clean_stream(deepgram_lab):
    transcripts = run(deepgram_lab)
    assert transcripts  # final results came back
    deepgram_lab.assert_clean()


def test_close_stream_before_exit(deepgram_lab):
    run(deepgram_lab)
    (session,) = deepgram_lab.sessions
    assert session.close_stream_sent and not session.closed_before_final
    assert session.server_close_code == 1000  # the app waited for the server's close


@pytest.mark.deepgram_lab(faults=["drop-after=0.5"])
def test_reconnects_with_backoff_after_a_drop(deepgram_lab):
    with pytest.raises(TranscriptionFailed):
        run(deepgram_lab, retries=2, backoff_s=0.2)
    sessions = deepgram_lab.sessions
    assert len(sessions) == 3  # it came back after each drop
    ends = [s.opened_at + s.duration_s for s in sessions]
    waits = [later.opened_at - end for end, later in zip(ends, sessions[1:], strict=False)]
    assert waits[1] > waits[0] >= 0.2  # and waited longer each time
    deepgram_lab.assert_clean()  # the drops were the network's, not the app's handling
