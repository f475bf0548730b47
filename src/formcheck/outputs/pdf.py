"""report.pdf from report.html through headless Chromium's print-to-PDF (A4, the report's
print styles), run as a subprocess with its network features off."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from formcheck.errors import InputError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--no-pdf-header-footer")
TIMEOUT_S = 120


def find_browser() -> str:
    for name in BROWSERS:
        if path := shutil.which(name):
            return path
    raise InputError("--pdf needs Chromium (Debian: apt-get install chromium); or open "
                     "report.html in a browser and print it")


def write_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium."""
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="formcheck-pdf-") as profile:
        proc = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}",
             html_path.resolve().as_uri()],
            capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    if proc.returncode != 0 or not pdf_path.is_file():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"Chromium could not print {html_path} to PDF ({last}); open the "
                         "report in a browser and print it instead")
    return pdf_path
