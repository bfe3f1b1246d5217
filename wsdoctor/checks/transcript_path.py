"""The transcript path of a stream: how soon the first transcript came, and whether
transcripts stopped while audio still flowed (pure; used by stability).

"My transcript just stops" is among the most reported symptoms, Flux's included
(pipecat #5735): the socket stays open, pongs keep coming, and no error is ever sent,
so nothing but the arrival times of transcripts shows it. The thresholds are
wsdoctor's, set above each API's normal cadence: Flux sends an Update about every
0.25 s of audio; /v1/listen without interim results sends finals at each endpoint,
at least once per sentence of wsdoctor's 4 s speech clip.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..deepgram.profiles import FLUX, ApiProfile
from ..net.arrivals import Arrivals

STALL_AFTER_S = {FLUX.name: 2.0}
DEFAULT_STALL_AFTER_S = 6.0  # /v1/listen: one clip sentence and a margin


@dataclass(frozen=True)
class TranscriptPath:
    first_ms: float | None  # from the 101 to the first transcript
    count: int
    silent_s: float  # the longest stretch of audio with no transcript arriving
    silent_from_s: float
    stall_after_s: float
    audio_s: float  # seconds of audio that were streamed

    @property
    def stalled(self) -> bool:
        return self.audio_s >= self.stall_after_s and self.silent_s >= self.stall_after_s

    def measurements(self) -> dict[str, float]:
        out = {"transcripts": float(self.count), "longest_transcript_gap_s": self.silent_s}
        if self.first_ms is not None:
            out["first_transcript_ms"] = self.first_ms
        return out

    def stall_text(self, kind: str) -> str:
        if self.count == 0:
            return (
                f"{self.audio_s:.1f} s of audio went out and pongs came back, but no {kind} "
                "arrived: the stream is open and not transcribing"
            )
        return (
            f"{kind} messages stopped at {self.silent_from_s:.1f} s while audio kept flowing "
            f"and pongs kept coming: {self.silent_s:.1f} s without a transcript "
            f"(a healthy stream sends one at least every {self.stall_after_s:g} s). "
            "The stream stayed open but stopped transcribing"
        )


def transcript_path(
    arrivals: Arrivals,
    profile: ApiProfile,
    audio_from_s: float,
    audio_until_s: float,
    stall_after_s: float | None = None,
) -> TranscriptPath:
    """Judged over the time audio was flowing: transcripts that lag behind the last audio
    are not a stall, and a stream that had no audio yet owes none."""
    silent_s, since = arrivals.silent_since(audio_from_s, audio_until_s)
    first = arrivals.first_at
    return TranscriptPath(
        first_ms=None if first is None else round(first * 1000, 1),
        count=arrivals.count,
        silent_s=silent_s,
        silent_from_s=since,
        stall_after_s=stall_after_s or STALL_AFTER_S.get(profile.name, DEFAULT_STALL_AFTER_S),
        audio_s=round(audio_until_s - audio_from_s, 3),
    )
