"""The HTML report: one self-contained file to attach to a ticket (inline CSS, no scripts).

jinja2 escapes every value (autoescape), so headers, close reasons and error
bodies from a hostile server render as text; a Content-Security-Policy that
allows no scripts at all backs that up.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from ..causes import SUPPORT_ADVICE
from ..display import format_duration
from ..model import CheckEntry, Report
from .terminal import footer, platform_titles, request_ids
from .views import LANES, rtt_chart, scale, session_chart, stream_timeline, waterfall

if TYPE_CHECKING:
    import jinja2

CHART_WIDTH = 600
RTT_HEIGHT = 120
STATUS_COLORS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "skip": "#6e7781",
                 "error": "#8250df"}  # fmt: skip
MARK_COLORS = {"audio": "#0969da", "keepalive": "#1a7f37", "control": "#8250df",
               "server": "#6e7781", "client-close": "#9a6700", "server-close": "#cf222e",
               "drop": "#cf222e", "idle": "#ffebe9"}  # fmt: skip
VERDICT_WORDS = {
    "pass": "Healthy",
    "warn": "Warnings",
    "fail": "Problems found",
    "error": "Error",
    "skip": "Nothing checked",
}


def _template() -> jinja2.Template:
    import jinja2

    source = files(__package__).joinpath("templates/report.html.j2").read_text("utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(source)


def _duration(entry: CheckEntry) -> str:
    return format_duration(entry.result.duration_ms, entry.status)


def render_html(report: Report) -> str:
    phases = waterfall(report)
    _, drawn_phases = scale(phases, CHART_WIDTH)
    spans = stream_timeline(report)
    top, drawn_spans = scale(spans, CHART_WIDTH)
    server_idle_s = report.environment.get("server_idle_s")
    marker = None
    if isinstance(server_idle_s, int | float) and spans and server_idle_s <= top:
        marker = server_idle_s / top * CHART_WIDTH
    return _template().render(
        report=report,
        verdict_word=VERDICT_WORDS[report.status.value],
        footer=footer(report),
        started=report.started_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        request_ids=request_ids(report),
        platforms=platform_titles(report),
        roots=report.roots,
        root_checks={root.entry.id for root in report.roots},
        level_status={"info": "pass", "warn": "warn", "fail": "fail"},
        waterfall=drawn_phases,
        waterfall_total=sum(b.length for b in phases),
        timeline=drawn_spans,
        idle_marker=marker,
        server_idle_s=server_idle_s,
        chart_width=CHART_WIDTH,
        colors=STATUS_COLORS,
        duration=_duration,
        support_advice=SUPPORT_ADVICE,
        session_chart=lambda marks: session_chart(marks, CHART_WIDTH),
        rtt_chart=lambda marks: rtt_chart(marks, CHART_WIDTH, RTT_HEIGHT),
        rtt_height=RTT_HEIGHT,
        lanes=LANES,
        mark_colors=MARK_COLORS,
    )
