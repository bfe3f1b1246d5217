"""The fleet report as one self-contained HTML page (inline CSS, no scripts).

It borrows the single-run report's stylesheet, read from that template, so both pages
look alike without a second copy of the CSS. Every value from a report is escaped by
jinja2's autoescape; a Content-Security-Policy allowing no scripts backs that up.
"""

from __future__ import annotations

import re
from importlib.resources import files

from markupsafe import Markup

from ..report.html import STATUS_COLORS
from .model import Fleet

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _shared_style() -> str:
    source = files("wsdoctor.report").joinpath("templates/report.html.j2").read_text("utf-8")
    found = _STYLE.search(source)
    return found.group(1) if found else ""


def render_fleet_html(fleet: Fleet) -> str:
    import jinja2

    source = files(__package__).joinpath("templates/fleet.html.j2").read_text("utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(source).render(
        fleet=fleet,
        counts={s: n for s, n in fleet.counts.items() if n},
        shared_style=Markup(_shared_style()),  # our own packaged stylesheet
        colors=STATUS_COLORS,
    )
