"""What audio wsdoctor sends on a stream, and the URL it streams on, from the target URL (pure).

wsdoctor's own audio must always be decodable, or Deepgram's 1008 DATA-0000 reads
as a fault of the user's path. Users copy the bare `wss://api.deepgram.com/v1/listen`
from the docs; Deepgram then expects a container, so wsdoctor declares the raw
audio it sends by adding `encoding=linear16&sample_rate=16000`. A URL that declares
linear16 or linear32 gets audio converted to its rate and channels. Any other
encoding (opus, mulaw, flac...) is one wsdoctor cannot produce: the checks that
stream audio skip and say so, instead of failing on audio they got wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ..net.errors import NotApplicable
from .pcm import LINEAR16_16K, AudioFormat, convert

PRODUCIBLE = ("linear16", "linear32")
ADDED_DEFAULTS = (("encoding", "linear16"), ("sample_rate", str(LINEAR16_16K.sample_rate)))
MAX_CHANNELS = 16


@dataclass(frozen=True)
class AudioPlan:
    url: str  # the URL streams open: the target's, plus any parameters added
    fmt: AudioFormat | None  # what to send; None when wsdoctor cannot produce it
    added: str = ""  # the query parameters wsdoctor added, e.g. "encoding=linear16&..."
    problem: str = ""  # why there is no fmt, in words for the report

    def require(self) -> AudioFormat:
        """The format to send, or NotApplicable: a skip that blames no one's network."""
        if self.fmt is None:
            raise NotApplicable(self.problem, phase="stream")
        return self.fmt

    def encode(self, pcm: bytes) -> bytes:
        """linear16 16 kHz mono PCM as this stream's format."""
        return convert(pcm, self.require())


def plan_audio(url: str) -> AudioPlan:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    encoding = params.get("encoding", "").strip().lower()
    if not encoding:
        missing = [(k, v) for k, v in ADDED_DEFAULTS if k not in params]
        added = "&".join(f"{k}={v}" for k, v in missing)
        query = "&".join(q for q in (parts.query, added) if q)
        fmt = _format("linear16", {**dict(ADDED_DEFAULTS), **params})
        if isinstance(fmt, str):
            return AudioPlan(url, None, problem=fmt)
        return AudioPlan(urlunsplit(parts._replace(query=query)), fmt, added)
    if encoding not in PRODUCIBLE:
        return AudioPlan(url, None, problem=_cannot_produce(encoding))
    fmt = _format(encoding, params)
    return AudioPlan(url, None, problem=fmt) if isinstance(fmt, str) else AudioPlan(url, fmt)


def _format(encoding: str, params: dict[str, str]) -> AudioFormat | str:
    """The format the parameters declare, or why wsdoctor cannot stream audio for them."""
    if "sample_rate" not in params:
        return f"the URL sets encoding={encoding} without sample_rate, so no audio can match it"
    try:
        rate, channels = int(params["sample_rate"]), int(params.get("channels", "1"))
    except ValueError:
        return "the URL's sample_rate or channels is not a whole number"
    if not (8000 <= rate <= 192000 and 1 <= channels <= MAX_CHANNELS):
        return f"the URL's sample_rate={rate} or channels={channels} is out of range"
    return AudioFormat(encoding, rate, channels)


def _cannot_produce(encoding: str) -> str:
    return (
        f"the URL declares encoding={encoding}, which wsdoctor cannot produce (it sends "
        f"{' or '.join(PRODUCIBLE)}), so streaming its own audio would only earn a 1008 "
        "DATA-0000 that says nothing about the network; to test this path, leave encoding "
        "and sample_rate out of --url (wsdoctor then declares its own audio)"
    )
