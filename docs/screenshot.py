"""Regenerate docs/report-failing.png: the HTML report of `check --lab drop-on-close`.

Offline: the lab runs in-process; Debian's chromium renders the page.
Run: .venv/bin/python docs/screenshot.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
OUT = Path(__file__).resolve().parent / "report-failing.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        argv = [sys.executable, "-m", "wsdoctor", "check", "--lab", "drop-on-close", "--quick"]
        subprocess.run([*argv, "--html", str(html), "-q"], check=False)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(html.as_uri())
            page.screenshot(path=str(OUT), full_page=False)
            browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
