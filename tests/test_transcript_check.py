"""The transcript check against the lab: speech comes back, and the end-of-speech request is
answered; the faults that silence either are named, and a healthy stream is not."""

from __future__ import annotations

from dataclasses import replace

import pytest
from checkkit import FAST, run_against_lab

pytestmark = pytest.mark.slow  # streams real-time speech
QUICK = replace(FAST, quick=True)  # one second of speech


def transcript(*faults: str):
    report = run_against_lab(*faults, only=("transcript",), settings=QUICK, idle=5.0)
    return report.entry("transcript").result, report


def test_speech_comes_back_and_finalize_is_answered():
    result, report = transcript()
    assert result.status.value == "pass", result.summary
    assert 0 < result.measurements["first_transcript_ms"] < 1500
    assert result.measurements["finalize_ms"] < 1000 and report.root_causes == ()
    assert result.spans[0].label == "First Results"


def test_a_server_that_never_transcribes_is_named():
    result, report = transcript("mute-after=0")
    assert report.root_causes == ("transcript.none",), result.summary


def test_an_unanswered_finalize_is_advice_not_a_fault():
    result, report = transcript("mute-after=0.95")  # Results until then, none for Finalize
    assert result.status.value == "pass" and report.root_causes == ()
    assert [f.cause for f in result.findings] == ["transcript.finalize_unanswered"]
