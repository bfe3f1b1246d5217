"""The HTML report as a person meets it: opened in headless Chromium (Debian's), offline.

Playwright drives /usr/bin/chromium (its own browser download cannot work here).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from checkkit import run_against_lab

from wsdoctor.report.html import render_html

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra")
if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} is not installed (.ci/run installs Debian's chromium)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def reports():
    """Made before the browser starts: Playwright's sync API holds the event loop meanwhile."""
    runs = {"failing": ("drop-on-close",), "passing": (), "hostile": ("hostile",)}
    return {name: run_against_lab(*faults) for name, faults in runs.items()}


@pytest.fixture(scope="module")
def browser(reports):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Visit:
    """Open a report file, recording console errors, script errors, dialogs and requests."""

    def __init__(self, browser, html: str, tmp_path: Path, name: str) -> None:
        self.path = tmp_path / f"{name}.html"
        self.path.write_text(html, "utf-8")
        self.page = browser.new_page(viewport={"width": 1100, "height": 1400})
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(self.path.as_uri())
        self.page.wait_for_load_state("load")
        self.screenshot = tmp_path / f"{name}.png"
        self.page.screenshot(path=str(self.screenshot), full_page=True)

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if url != self.path.as_uri()]


def test_failing_report_shows_root_cause_and_request_id(reports, browser, tmp_path):
    report = reports["failing"]
    visit = Visit(browser, render_html(report), tmp_path, "failing")
    page = visit.page
    assert page.get_by_role("heading", name="The stream ends without a close frame").is_visible()
    rid = report.entry("handshake").result.evidence["dg_request_id"]
    assert page.locator("#request-ids").get_by_text(rid).is_visible()
    assert page.get_by_text("Improper Connection Handling").first.is_visible()
    assert visit.console_errors == [] and visit.outside_requests() == []
    assert visit.screenshot.stat().st_size > 10_000


def test_passing_report_is_calm(reports, browser, tmp_path):
    visit = Visit(browser, render_html(reports["passing"]), tmp_path, "passing")
    assert visit.page.get_by_role("heading", name="Healthy").is_visible()
    assert visit.page.locator("#root-causes").count() == 0
    assert visit.console_errors == [] and visit.outside_requests() == []


def test_hostile_server_strings_stay_text(reports, browser, tmp_path):
    html = render_html(reports["hostile"])
    visit = Visit(browser, html, tmp_path, "hostile")
    page = visit.page
    assert page.title().startswith("wsdoctor report")  # the payload sets document.title
    assert visit.dialogs == [] and visit.console_errors == [] and visit.outside_requests() == []
    assert page.locator("img").count() == 0
    assert "<script>document.title='pwned'</script>" in page.inner_text("body")
