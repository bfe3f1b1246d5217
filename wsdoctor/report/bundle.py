"""The support bundle: every report format plus the environment, in one zip for a ticket."""

from __future__ import annotations

import io
import json
import zipfile

from ..model import Report
from .html import render_html
from .json import render_json
from .junit import render_junit


def render_bundle(report: Report) -> bytes:
    """The report is already redacted, so everything in the zip is too."""
    stamp = report.started_at.strftime("%Y%m%dT%H%M%SZ")
    members = {
        "report.json": render_json(report),
        "report.html": render_html(report),
        "junit.xml": render_junit(report),
        "environment.json": json.dumps(report.environment, indent=2, default=str) + "\n",
        "README.txt": (
            f"wsdoctor {report.tool_version} report of {stamp} for {report.display_url}\n"
            "Open report.html in a browser; report.json follows wsdoctor's schema_version 1.\n"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(f"wsdoctor-{stamp}/{name}", text)
    return buffer.getvalue()
