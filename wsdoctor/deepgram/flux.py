"""Flux's (`/v2/listen`) query parameters and their documented ranges (pure).

Sources: Deepgram's Flux docs (quickstart, "End-of-turn detection parameters") and the
`listen.v2` AsyncAPI spec; pipecat PR #5643 for the refusal: one value out of range
refuses the whole handshake with 400 without naming it, so an app sees only "400".
wsdoctor names the value: the lab refuses exactly as Deepgram does, and the audit and
the report say which parameter was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

MULTILINGUAL = "flux-general-multi"  # the one model that takes language hints
MODELS = ("flux-general-en", MULTILINGUAL)
RAW_ENCODINGS = ("linear16", "linear32", "mulaw", "alaw", "opus", "ogg-opus")
SAMPLE_RATES = (8000, 16000, 24000, 44100, 48000)  # 16000 recommended
EOT_THRESHOLD = (0.5, 1.0)  # 1.0 turns model end-of-turn off
EOT_THRESHOLD_DEFAULT = 0.7  # the spec's default
EAGER_EOT_THRESHOLD = (0.3, 0.9)  # and at most eot_threshold; unset: no eager events
EOT_TIMEOUT_MS = (500, 60000)  # a turn ends this long after speech, whatever the confidence
EOT_TIMEOUT_MS_DEFAULT = 5000  # the spec's default
MAX_KEYTERMS = 100
MAX_KEYTERM_CHARS = 100
CHUNK_S = 0.08  # 80 ms audio chunks are strongly recommended
UPDATE_EVERY_S = 0.25  # TurnInfo Update comes "about every 0.25 s" of audio


def parameter_problems(
    query: Mapping[str, str],
    keyterms: list[str] | None = None,
    language_hints: list[str] | None = None,
) -> list[str]:
    """What Deepgram refuses in a Flux URL, one line per parameter; empty when it would
    upgrade. `keyterms` and `language_hints` are the repeated `keyterm=` and
    `language_hint=` values (a Mapping keeps one). A Configure message is held to the
    same ranges."""
    problems = _model(query) + _audio(query)
    problems += _hints(query, language_hints)
    eot = _number(query, "eot_threshold", EOT_THRESHOLD, problems)
    eager = _number(query, "eager_eot_threshold", EAGER_EOT_THRESHOLD, problems)
    if eot is not None and eager is not None and eager > eot:
        problems.append(f"eager_eot_threshold={eager:g} is above eot_threshold={eot:g}")
    _number(query, "eot_timeout_ms", EOT_TIMEOUT_MS, problems)
    terms = keyterms if keyterms is not None else [v for v in [query.get("keyterm")] if v]
    if len(terms) > MAX_KEYTERMS:
        problems.append(f"{len(terms)} keyterms, more than {MAX_KEYTERMS}")
    problems += [
        f"a keyterm of {len(t)} characters, more than {MAX_KEYTERM_CHARS}"
        for t in terms
        if len(t) > MAX_KEYTERM_CHARS
    ][:1]
    return problems


def _model(query: Mapping[str, str]) -> list[str]:
    model = query.get("model")
    if model is None:
        return ["no model (Flux needs model=flux-general-en or flux-general-multi)"]
    if model not in MODELS:
        return [f"model={model} is not a Flux model ({', '.join(MODELS)})"]
    if "language" in query:
        return ["language is not a Flux parameter (language_hint, with flux-general-multi)"]
    return []


def _hints(query: Mapping[str, str], hints: list[str] | None) -> list[str]:
    """The spec's language_hint: only with flux-general-multi, and never empty."""
    given = (
        hints if hints is not None else [h for h in [query.get("language_hint")] if h is not None]
    )
    if "" in given:
        return ["an empty language_hint"]
    if given and query.get("model") != MULTILINGUAL:
        return [f"language hints need model={MULTILINGUAL}"]
    return []


def _audio(query: Mapping[str, str]) -> list[str]:
    encoding, rate = query.get("encoding"), query.get("sample_rate")
    if encoding is None and rate is None:
        return []  # a container (WAV, Ogg, WebM) declares its own format
    if encoding not in RAW_ENCODINGS:
        return [f"encoding={encoding} is not one Flux decodes raw ({', '.join(RAW_ENCODINGS)})"]
    if rate is None or not rate.isdigit() or int(rate) not in SAMPLE_RATES:
        return [f"sample_rate={rate} must be one of {', '.join(map(str, SAMPLE_RATES))}"]
    return []


def _number(
    query: Mapping[str, str], name: str, bounds: tuple[float, float], problems: list[str]
) -> float | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name}={raw} is not a number")
        return None
    low, high = bounds
    if not low <= value <= high:
        problems.append(f"{name}={raw} is outside {low:g}-{high:g}")
        return None
    return value
