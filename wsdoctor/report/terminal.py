"""The terminal report, in the spirit of `flutter doctor`: a line per check, root causes first."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from ..causes import SUPPORT_ADVICE
from ..display import format_duration, glyph, paint
from ..model import CheckEntry, Report, RootCause, Status

WIDTH = 100


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    ) or [indent]


def _root_cause_block(root: RootCause, color: bool) -> list[str]:
    rem = root.remediation
    title = rem.title if rem else root.finding.message
    lines = [f" {glyph(root.entry.status, color)} {paint(title, '1', color)}  ({root.cause})"]
    lines += _wrap(f"{root.entry.id}: {root.finding.message}", "     ") if rem else []
    if rem is None:
        return lines
    lines += _wrap(rem.meaning, "     ")
    lines.append(f"     What to do (article section: {rem.seed_section}):")
    for number, step in enumerate(rem.steps, 1):
        lines += textwrap.wrap(
            step, WIDTH, initial_indent=f"       {number}. ", subsequent_indent="          "
        )
    lines += [f"     Docs: {link}" for link in rem.links]
    return lines


def _details(entry: CheckEntry) -> list[str]:
    result = entry.result
    lines = [f"        {k} = {v}" for k, v in result.measurements.items()]
    for key, value in result.evidence.items():
        text = str(value)
        if "\n" in text:
            lines.append(f"        {key}:")
            lines += [f"          {line}" for line in text.rstrip().splitlines()]
        else:
            lines.append(f"        {key}: {text}")
    return lines


def _check_line(entry: CheckEntry, id_width: int, color: bool, verbose: bool) -> list[str]:
    result = entry.result
    duration = format_duration(result.duration_ms, entry.status)
    suffix = " (needed by --only)" if entry.pulled_in else ""
    line = f" {glyph(entry.status, color)} {entry.id:<{id_width}} {duration:>8}  "
    lines = [line + result.summary + suffix]
    pad = " " * (id_width + 15)
    others = [f for f in result.findings if f.message != result.summary or f.accepted]
    for finding in others:
        note = " (accepted)" if finding.accepted else ""
        lines.append(f"{pad}{finding.level.value}: {finding.message} [{finding.cause}]{note}")
    if result.phases:
        steps = " → ".join(f"{p.label} {p.ms:.1f} ms" for p in result.phases)
        lines.append(paint(f"{pad}{steps}", "2", color))
    return lines + (_details(entry) if verbose else [])


def request_ids(report: Report) -> list[str]:
    """Every dg-request-id the checks saw: the first thing Deepgram support asks for."""
    found: list[str] = []
    for entry in report.checks:
        value = entry.result.evidence.get("dg_request_id")
        if isinstance(value, str) and value and value not in found:
            found.append(value)
    return found


def footer(report: Report) -> str:
    counts = report.counts
    problems = counts["fail"] + counts["error"]
    roots = len(report.root_causes)
    parts = []
    if report.status is Status.SKIP:
        parts.append("Nothing was checked: every check was skipped")
    elif problems:
        plural = "s" if problems != 1 else ""
        root_plural = "s" if roots != 1 else ""
        parts.append(f"{problems} problem{plural} found ({roots} root cause{root_plural})")
    else:
        parts.append("No problems found")
    if counts["warn"]:
        parts.append(f"{counts['warn']} warning{'s' if counts['warn'] != 1 else ''}")
    if counts["skip"]:
        parts.append(f"{counts['skip']} skipped")
    text = ", ".join(parts) + f" in {report.duration_ms / 1000:.1f} s"
    return text + (" (interrupted)" if report.interrupted else "") + "."


def platform_titles(report: Report) -> list[str]:
    """The detected platforms' names, from the environment snapshot."""
    found = report.environment.get("platforms")
    if not isinstance(found, list):
        return []
    return [str(p.get("title")) for p in found if isinstance(p, dict) and p.get("title")]


def header(report: Report) -> str:
    """Version, target, and where the run looked from (vantage point and platform)."""
    text = f"wsdoctor {report.tool_version} · {report.display_url}"
    if report.vantage:
        text += f" · from {report.vantage}"
    titles = platform_titles(report)
    return text + (f" (on {', '.join(titles)})" if titles else "")


def _suppressed(report: Report) -> list[str]:
    noise = report.environment.get("suppressed_errors")
    if not isinstance(noise, list) or not noise:
        return []
    lines = [f"Library messages kept out of the output above ({len(noise)}):"]
    for item in noise:
        lines += [f"    {line}" for line in str(item).splitlines()]
    return lines


def render_terminal(
    report: Report,
    *,
    color: bool = False,
    verbose: bool = False,
    saved: Iterable[str] = (),
) -> str:
    lines = [header(report), ""]
    roots = report.roots
    if roots:
        lines.append(paint("Root causes" if len(roots) > 1 else "Root cause", "1", color))
        for root in roots:
            lines += [*_root_cause_block(root, color), ""]
    lines.append(paint("Checks", "1", color))
    id_width = max((len(e.id) for e in report.checks), default=4)
    for entry in report.checks:
        lines += _check_line(entry, id_width, color, verbose)
    lines.append("")
    ids = request_ids(report)
    if ids:
        lines.append(f"dg-request-id: {', '.join(ids)}")
    status = report.status
    lines.append(f"{glyph(status, color)} {footer(report)}")
    if report.accepted:
        lines.append(f"Accepted (--accept, reported as info): {', '.join(report.accepted)}")
    if status in (Status.FAIL, Status.ERROR):
        lines += _wrap(SUPPORT_ADVICE, "    ")
    if verbose:
        lines += _suppressed(report)
    lines += [f"Report saved: {path}" for path in saved]
    return "\n".join(lines) + "\n"
