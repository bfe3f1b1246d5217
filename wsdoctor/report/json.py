"""The JSON report (schema_version 1): the contract CI scripts and support tools read."""

from __future__ import annotations

import json
from typing import Any

from ..causes import Remediation
from ..model import CheckEntry, Finding, Mark, Report

SCHEMA_VERSION = 1


def _remediation(rem: Remediation | None) -> dict[str, Any] | None:
    if rem is None:
        return None
    return {
        "title": rem.title,
        "meaning": rem.meaning,
        "steps": list(rem.steps),
        "seed_section": rem.seed_section,
        "links": list(rem.links),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "level": finding.level.value,
        "cause": finding.cause,
        "message": finding.message,
        "evidence": dict(finding.evidence),
        "accepted": finding.accepted,
    }


def _check(entry: CheckEntry) -> dict[str, Any]:
    result = entry.result
    return {
        "id": entry.id,
        "title": entry.title,
        "status": result.status.value,
        "summary": result.summary,
        "cause": result.cause,
        "depends_on": list(entry.depends_on),
        "tags": list(entry.tags),
        "pulled_in": entry.pulled_in,
        "duration_ms": result.duration_ms,
        "measurements": dict(result.measurements),
        "evidence": dict(result.evidence),
        "remediation": _remediation(entry.remediation),
        "findings": [_finding(f) for f in result.findings],
        "phases": [{"label": p.label, "ms": p.ms} for p in result.phases],
        "spans": [{"label": s.label, "seconds": s.seconds} for s in result.spans],
        "not_applicable": result.not_applicable,
        "marks": [_mark(m) for m in result.marks],
    }


def _mark(mark: Mark) -> dict[str, Any]:
    return {"at": mark.at, "kind": mark.kind, "label": mark.label, "until": mark.until,
            "value": mark.value}  # fmt: skip


def report_to_dict(report: Report) -> dict[str, Any]:
    target = report.target
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "wsdoctor", "version": report.tool_version},
        "target": {
            "url": report.display_url,
            "host": target.host,
            "port": target.port,
            "scheme": target.scheme,
        },
        "started_at": report.started_at.isoformat().replace("+00:00", "Z"),
        "duration_ms": report.duration_ms,
        "command": report.command,
        "vantage": report.vantage,
        "interrupted": report.interrupted,
        "environment": report.environment,
        "summary": {"status": report.status.value, "counts": report.counts},
        "root_causes": list(report.root_causes),
        "accepted": list(report.accepted),
        "causes": {cause: _remediation(rem) for cause, rem in report.remediations.items()},
        "checks": [_check(entry) for entry in report.checks],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False, default=str) + "\n"
