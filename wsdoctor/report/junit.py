"""JUnit XML for CI: one testsuite, one testcase per check (written with ElementTree).

fail -> <failure type=cause> with the remediation; error -> <error>; skip ->
<skipped>; warn -> a passing case with the warning in <system-out> and a
`status=warn` property, so CI dashboards show it without failing the build.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model import CheckEntry, Report, Status


def _remediation_text(entry: CheckEntry) -> str:
    lines = [entry.result.summary]
    rem = entry.remediation
    if rem is not None:
        lines += ["", f"{rem.title} ({rem.seed_section})", rem.meaning, ""]
        lines += [f"{n}. {step}" for n, step in enumerate(rem.steps, 1)]
        lines += [f"Docs: {link}" for link in rem.links]
    return "\n".join(lines)


def _case(entry: CheckEntry) -> ET.Element:
    result = entry.result
    case = ET.Element(
        "testcase",
        classname="wsdoctor",
        name=entry.id,
        time=f"{result.duration_ms / 1000:.3f}",
    )
    properties = ET.SubElement(case, "properties")
    ET.SubElement(properties, "property", name="status", value=result.status.value)
    if result.cause:
        ET.SubElement(properties, "property", name="cause", value=result.cause)
    for finding in result.findings:
        value = f"{finding.level.value} {finding.cause}" + (
            " (accepted)" if finding.accepted else ""
        )
        ET.SubElement(properties, "property", name="finding", value=value)
    if result.status is Status.FAIL:
        failure = ET.SubElement(
            case, "failure", message=result.summary, type=result.cause or "fail"
        )
        failure.text = _remediation_text(entry)
    elif result.status is Status.ERROR:
        error = ET.SubElement(case, "error", message=result.summary, type="wsdoctor.error")
        error.text = str(result.evidence.get("traceback", result.summary))
    elif result.status is Status.SKIP:
        ET.SubElement(case, "skipped", message=result.summary)
    elif result.status is Status.WARN:
        ET.SubElement(case, "system-out").text = f"WARNING: {_remediation_text(entry)}"
    return case


def render_junit(report: Report) -> str:
    counts = report.counts
    suite = ET.Element(
        "testsuite",
        name="wsdoctor",
        tests=str(len(report.checks)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["skip"]),
        time=f"{report.duration_ms / 1000:.3f}",
        timestamp=report.started_at.strftime("%Y-%m-%dT%H:%M:%S"),
        hostname=report.target.host,
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", report.display_url),
        ("wsdoctor_version", report.tool_version),
        ("root_causes", ",".join(report.root_causes)),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    suite.extend(_case(entry) for entry in report.checks)
    ET.indent(suite)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
    )
