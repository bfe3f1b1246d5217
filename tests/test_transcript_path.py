"""The transcript path as plain arithmetic: arrival times in, first transcript and stalls out."""

from __future__ import annotations

from wsdoctor.checks.transcript_path import transcript_path
from wsdoctor.deepgram import FLUX, V1
from wsdoctor.net.arrivals import Arrivals


def arrivals(*times: float) -> Arrivals:
    seen = Arrivals()
    for at in times:
        seen.add(at)
    return seen


def test_steady_transcripts_are_no_stall():
    path = transcript_path(arrivals(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0), V1, 0.0, 8.0)
    assert (path.stalled, path.silent_s, path.first_ms, path.count) == (False, 1.0, 1000.0, 7)


def test_transcripts_that_stop_while_audio_flows_are_a_stall():
    path = transcript_path(arrivals(1.0, 2.0, 3.0), V1, 0.0, 10.0)
    assert path.stalled and (path.silent_s, path.silent_from_s) == (7.0, 3.0)
    assert "stopped at 3.0 s" in path.stall_text("Results")


def test_no_transcript_at_all_is_a_stall_once_enough_audio_went_out():
    assert transcript_path(Arrivals(), V1, 0.0, 10.0).stalled
    assert "no Results arrived" in transcript_path(Arrivals(), V1, 0.0, 10.0).stall_text("Results")
    assert not transcript_path(Arrivals(), V1, 0.0, 3.0).stalled  # too little audio to owe one


def test_a_gap_in_the_middle_counts_and_a_late_last_transcript_does_not():
    assert transcript_path(arrivals(1.0, 8.0, 9.0), V1, 0.0, 10.0).silent_s == 7.0
    # the last transcript lagging after the audio ended is not a gap while audio flowed
    assert not transcript_path(arrivals(1.0, 2.0, 3.0, 4.0, 5.0, 9.5), V1, 0.0, 6.0).stalled


def test_flux_updates_come_often_so_its_threshold_is_short():
    assert transcript_path(arrivals(0.5, 1.0, 4.0), FLUX, 0.0, 5.0).stalled
    assert not transcript_path(arrivals(0.5, 1.0, 4.0), V1, 0.0, 5.0).stalled
    assert transcript_path(arrivals(1.0), V1, 0.0, 5.0, stall_after_s=2.0).stalled
