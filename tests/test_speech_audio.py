"""The audio the stream checks send, without sockets: the speech clip, the URL's audio plan,
the lab's recognition of the clip, and the uplink judgement from samples."""

from __future__ import annotations

import json
import zlib
from importlib.resources import files

import pytest

from wsdoctor.audio.pcm import LINEAR16_16K, AudioFormat, chunked, convert, silence, tone
from wsdoctor.audio.plan import plan_audio
from wsdoctor.audio.speech import clip, speech
from wsdoctor.lab.clip import ClipFollower
from wsdoctor.lab.faults import Faults
from wsdoctor.lab.transcript import Transcript
from wsdoctor.net.errors import NotApplicable
from wsdoctor.net.uplink import Sample, assess

BARE = "wss://api.deepgram.com/v1/listen"  # URL planning only: nothing connects to it


def deflate_ratio(data: bytes) -> float:
    return len(data) / len(zlib.compress(data, 6))


# -- the clip -------------------------------------------------------------------------


def test_the_clip_ships_in_the_package_and_is_small_speech():
    wav = files("wsdoctor").joinpath("audio/clip/clip.wav")
    assert len(wav.read_bytes()) < 200_000
    assert files("wsdoctor").joinpath("audio/clip/README.md").is_file()
    speech_clip = clip()
    assert 3.0 <= speech_clip.seconds <= 5.0
    words = json.loads(files("wsdoctor").joinpath("audio/clip/clip.json").read_text())["words"]
    assert [w.word for w in speech_clip.words] == [w for w, _, _ in words]
    assert speech_clip.transcript.rstrip(".").lower() == " ".join(w for w, _, _ in words)
    ends = [w.end for w in speech_clip.words]
    assert ends == sorted(ends) and ends[-1] <= speech_clip.seconds


def test_speech_barely_compresses_where_the_old_tone_collapsed():
    speech_ratio, tone_ratio = deflate_ratio(speech(4.0)), deflate_ratio(tone(4.0))
    print(f"deflate ratio: speech clip {speech_ratio:.2f}x, 440 Hz tone {tone_ratio:.1f}x")
    assert speech_ratio < 1.5 < 10 < tone_ratio


def test_longer_streams_loop_the_clip():
    pcm = clip().pcm
    looped = speech(10.0)
    assert len(looped) == LINEAR16_16K.bytes_for(10.0)
    assert looped.startswith(pcm + pcm) and looped[2 * len(pcm) :] == pcm[: len(looped) % len(pcm)]


@pytest.mark.parametrize(
    ("fmt", "width"),
    [(AudioFormat("linear16", 8000, 2), 2), (AudioFormat("linear32", 48000, 1), 4)],
)
def test_conversion_matches_the_declared_rate_channels_and_width(fmt, width):
    converted = convert(speech(1.0), fmt)
    assert len(converted) == fmt.sample_rate * fmt.channels * width
    assert convert(speech(1.0), LINEAR16_16K) == speech(1.0)


# -- the audio plan -----------------------------------------------------------------


def test_a_bare_url_gets_the_parameters_of_the_audio_sent():
    plan = plan_audio(BARE)
    assert plan.url == f"{BARE}?encoding=linear16&sample_rate=16000"
    assert plan.fmt == LINEAR16_16K and plan.added == "encoding=linear16&sample_rate=16000"


def test_a_url_without_encoding_keeps_its_own_parameters():
    plan = plan_audio(f"{BARE}?model=nova-3&sample_rate=8000&channels=2")
    assert plan.url == f"{BARE}?model=nova-3&sample_rate=8000&channels=2&encoding=linear16"
    assert plan.fmt == AudioFormat("linear16", 8000, 2)


def test_a_declared_raw_encoding_is_followed_as_is():
    url = f"{BARE}?encoding=linear32&sample_rate=44100&channels=2"
    plan = plan_audio(url)
    assert (plan.url, plan.added, plan.fmt) == (url, "", AudioFormat("linear32", 44100, 2))


@pytest.mark.parametrize("encoding", ["opus", "mulaw", "flac", "amr-wb"])
def test_an_encoding_wsdoctor_cannot_produce_is_said_plainly(encoding):
    plan = plan_audio(f"{BARE}?encoding={encoding}&sample_rate=16000")
    assert plan.fmt is None
    with pytest.raises(NotApplicable, match=f"encoding={encoding}, which wsdoctor cannot produce"):
        plan.require()


def test_encoding_without_sample_rate_has_no_audio_plan():
    assert "without sample_rate" in plan_audio(f"{BARE}?encoding=linear16").problem


# -- the lab hears the clip ---------------------------------------------------------


def test_the_lab_follows_the_clip_looped_and_gives_its_words():
    follower = ClipFollower(LINEAR16_16K)
    for chunk in chunked(speech(2 * clip().seconds), LINEAR16_16K, 0.1):
        follower.feed(chunk)
    assert follower.matching
    words = [w["word"] for w in follower.words(0.0, 2 * clip().seconds)]
    assert words == [w.word for w in clip().words] * 2


def test_other_audio_or_another_format_is_not_the_clip():
    follower = ClipFollower(LINEAR16_16K)
    follower.feed(speech(0.5))
    follower.feed(tone(0.1))
    assert not follower.matching
    other_format = ClipFollower(AudioFormat("linear16", 8000, 1))
    other_format.feed(speech(0.5))
    assert not other_format.matching


def heard_words(audio: bytes, chunk_s: float = 0.08) -> list[tuple[str, float]]:
    follower = ClipFollower(LINEAR16_16K)
    for chunk in chunked(audio, LINEAR16_16K, chunk_s):
        follower.feed(chunk)
    assert follower.matching
    return [(w["word"], w["end"]) for w in follower.words(0.0, 1e9)]


def test_silence_pauses_the_clip_and_words_keep_stream_time():
    length = clip().seconds
    once = [(w.word, w.end) for w in clip().words]
    # the whole clip, a second of silence, the whole clip again: the second take is late by 1 s
    words = heard_words(speech(length) + silence(1.0) + speech(length))
    assert words[: len(once)] == once
    assert words[len(once) :] == [(w, round(end + length + 1.0, 3)) for w, end in once]


def test_after_a_pause_the_clip_goes_on_where_it_stopped_or_starts_over():
    pcm = clip().pcm
    half = LINEAR16_16K.bytes_for(2.0)
    going_on = heard_words(pcm[:half] + silence(0.5) + pcm[half:], chunk_s=0.1)
    starting_over = heard_words(pcm[:half] + silence(0.5) + pcm, chunk_s=0.1)
    sentence = [w.word for w in clip().words]
    assert [w for w, _ in going_on] == sentence
    assert [w for w, _ in starting_over][-len(sentence) :] == sentence
    # without a pause, too: wsdoctor's watch speaks the clip from its start each time
    assert [w for w, _ in heard_words(pcm[:half] + pcm)][-len(sentence) :] == sentence


def test_a_pause_then_other_sound_is_not_the_clip():
    follower = ClipFollower(LINEAR16_16K)
    for audio in (speech(0.5), silence(0.3), tone(0.2)):
        follower.feed(audio)
    assert not follower.matching
    silent = ClipFollower(LINEAR16_16K)
    silent.feed(silence(1.0))
    assert not silent.matching  # nothing of the clip heard yet


def transcript_of(audio: bytes) -> str:
    transcript = Transcript("rid", LINEAR16_16K, {})
    results = []
    for chunk in chunked(audio, LINEAR16_16K, 0.1):  # as the stream model calls it
        transcript.add(chunk)
        results += transcript.finals()
    results += transcript.flush(from_finalize=False)
    return " ".join(r["channel"]["alternatives"][0]["transcript"] for r in results).strip()


def test_results_carry_the_sentence_for_the_clip_and_synthetic_words_otherwise():
    sentence = " ".join(w.word for w in clip().words)
    assert transcript_of(speech(clip().seconds)) == sentence
    assert transcript_of(tone(2.0)).split() == ["hello", "from", "the", "wsdoctor"]


# -- the slow-uplink fault ----------------------------------------------------------


def test_slow_uplink_reads_at_its_rate_from_a_small_listening_socket():
    faults = Faults.parse(["slow-uplink=8"])
    assert faults.read_rate() == 8000
    assert len(faults.listen_options()) == 2
    assert Faults.parse(["slow-uplink"]).read_rate() == 16000
    assert Faults().read_rate() is None and Faults().listen_options() == ()


# -- the uplink judgement -----------------------------------------------------------

NEED = 28_000  # wire bytes per second of audio


def samples_at(rate: float, seconds: float = 4.0, floor: int = 0) -> list[Sample]:
    """A stream whose audio is written in real time and leaves at `rate` bytes a second."""
    out = []
    for tenth in range(int(seconds * 10) + 1):
        at = tenth / 10
        written = int(NEED * at) + 1
        delivered = min(written, floor + int(rate * at))
        out.append(Sample(at, written, written - delivered, at, at))
    return out


def test_a_link_that_keeps_up_is_not_slow():
    uplink = assess(samples_at(rate=10 * NEED), lag_s=0.5, stall_s=2.0)
    assert uplink is not None and not uplink.too_slow and not uplink.backlogged
    assert "uplink_kBps" not in uplink.measurements()  # no capacity measured, only need


def test_a_link_slower_than_the_audio_is_measured():
    uplink = assess(samples_at(rate=NEED / 4), lag_s=0.5, stall_s=2.0)
    assert uplink is not None and uplink.too_slow and not uplink.stalled
    assert uplink.rate_Bps == pytest.approx(NEED / 4, rel=0.05)
    assert uplink.need_Bps == pytest.approx(NEED, rel=0.05)
    assert uplink.behind_s > 2.5


def test_a_path_that_delivers_nothing_is_a_stall_not_a_slow_link():
    uplink = assess(samples_at(rate=0, floor=5000), lag_s=0.5, stall_s=2.0)
    assert uplink is not None and uplink.stalled and not uplink.too_slow


def test_too_few_samples_judge_nothing():
    assert assess(samples_at(rate=NEED)[:1], lag_s=0.5, stall_s=2.0) is None
