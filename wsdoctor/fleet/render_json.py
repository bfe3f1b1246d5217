"""The fleet report as JSON (`fleet_schema_version` 1, wsdoctor/schema/fleet.schema.json).

Its own version key, not `schema_version`, so a fleet file is never mistaken for a
single run's report (and `merge` refuses it by name).
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from .load import Place
from .model import Fleet

FLEET_SCHEMA_VERSION = 1


def _place(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "source": place.source,
        "status": place.status,
        "started_at": place.started_at,
        "target": place.target,
        "root_causes": list(place.root_causes),
        "checks": {
            check: {"status": cell.status, "cause": cell.cause}
            for check, cell in place.cells.items()
        },
        "facts": dict(place.facts),
        "timings": dict(place.timings),
    }


def fleet_to_dict(fleet: Fleet) -> dict[str, Any]:
    return {
        "fleet_schema_version": FLEET_SCHEMA_VERSION,
        "tool": {"name": "wsdoctor", "version": __version__},
        "summary": {"status": fleet.status, "places": len(fleet.places), "counts": fleet.counts},
        "checks": list(fleet.checks),
        "places": [_place(p) for p in fleet.places],
        "root_causes": [
            {"cause": c.cause, "title": c.title, "count": c.count, "places": list(c.places)}
            for c in fleet.causes
        ],
        "differences": {
            "comparable": fleet.comparable,
            "facts": [
                {"name": f.name, "passing": f.passing, "failing": f.failing} for f in fleet.facts
            ],
            "timings": [
                {
                    "name": t.name,
                    "passing_median": t.passing_ms,
                    "failing_median": t.failing_ms,
                    "passing_places": t.passing_n,
                    "failing_places": t.failing_n,
                }
                for t in fleet.timings
            ],
        },
    }


def render_fleet_json(fleet: Fleet) -> str:
    return json.dumps(fleet_to_dict(fleet), indent=2, ensure_ascii=False) + "\n"
