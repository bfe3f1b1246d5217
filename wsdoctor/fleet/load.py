"""Reading report files for `merge`: each either becomes a Place or stops the merge.

A fleet view built from a report of another schema version, or from another tool,
would be quietly wrong, so every such file ends the merge with one line naming it
(BadInput, exit code 2). Only the shape the fleet view reads is checked, not the
whole schema: merging a thousand reports must stay fast.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BadInput
from .facts import facts_of, timings_of

SCHEMA_VERSION = 1
MAX_BYTES = 64 * 1024 * 1024  # a report is kilobytes; refuse to read a disk image


@dataclass(frozen=True)
class Cell:
    """One check at one place: its status and primary cause."""

    status: str
    cause: str | None = None


@dataclass(frozen=True)
class Place:
    """What the fleet view keeps of one report: small, so a thousand fit easily."""

    name: str
    source: str
    status: str
    started_at: str
    cells: Mapping[str, Cell]
    root_causes: tuple[str, ...]
    titles: Mapping[str, str] = field(default_factory=dict)  # cause id -> remediation title
    facts: Mapping[str, str] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    target: str = ""


def read_report(path: str) -> dict[str, Any]:
    """The parsed JSON object of one report file, or BadInput naming the file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise BadInput(f"{path}: larger than {MAX_BYTES // 2**20} MiB; not a wsdoctor report")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"{path}: not valid JSON ({exc})") from None
    check_shape(path, data)
    return data


def check_shape(path: str, data: object) -> None:
    """A wsdoctor report of schema_version 1 with the parts merge reads, else BadInput."""
    if not isinstance(data, dict):
        raise BadInput(f"{path}: not a wsdoctor report (the JSON is not an object)")
    if "fleet_schema_version" in data:
        raise BadInput(f"{path}: a fleet report from `wsdoctor merge`; merge the run reports")
    tool = data.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "wsdoctor":
        raise BadInput(f'{path}: not a wsdoctor report (no tool.name "wsdoctor")')
    version = data.get("schema_version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise BadInput(
            f"{path}: schema_version {version!r} is not supported (this wsdoctor reads "
            f"{SCHEMA_VERSION}); merge reports from the same wsdoctor version"
        )
    checks = data.get("checks")
    if not isinstance(checks, list) or not all(_is_check(c) for c in checks):
        raise BadInput(f'{path}: malformed report: "checks" is not a list of checks')
    if not isinstance(data.get("summary"), dict) or not isinstance(data.get("root_causes"), list):
        raise BadInput(f'{path}: malformed report: missing "summary" or "root_causes"')


def _is_check(check: object) -> bool:
    return (
        isinstance(check, dict)
        and isinstance(check.get("id"), str)
        and isinstance(check.get("status"), str)
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def place_of(path: str, data: Mapping[str, Any]) -> Place:
    """The Place a parsed report describes, named by its vantage (else its file name)."""
    causes = data.get("causes") if isinstance(data.get("causes"), dict) else {}
    titles = {
        str(c): _text(r.get("title")) for c, r in (causes or {}).items() if isinstance(r, dict)
    }
    cells = {
        c["id"]: Cell(c["status"], c.get("cause") if isinstance(c.get("cause"), str) else None)
        for c in data["checks"]
    }
    target = data.get("target") if isinstance(data.get("target"), dict) else {}
    return Place(
        name=_text(data.get("vantage")) or Path(path).stem,
        source=path,
        status=_text(data["summary"].get("status")) or "skip",
        started_at=_text(data.get("started_at")),
        cells=cells,
        root_causes=tuple(str(c) for c in data["root_causes"]),
        titles=titles,
        facts=facts_of(data),
        timings=timings_of(data),
        target=_text((target or {}).get("url")),
    )


def load_places(paths: list[str]) -> list[Place]:
    """Every report as a Place, in the order given; duplicate names get a #N suffix."""
    places: list[Place] = []
    seen: dict[str, int] = {}
    for path in paths:
        place = place_of(path, read_report(path))
        count = seen[place.name] = seen.get(place.name, 0) + 1
        if count > 1:
            place = Place(**{**place.__dict__, "name": f"{place.name} #{count}"})
        places.append(place)
    return places
