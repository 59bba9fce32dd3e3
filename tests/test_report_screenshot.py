"""The HTML report as a browser shows it: headless Chromium renders a small report's index.html.

Checks that the tables are HTML tables with rendered rows (not Markdown text in a code block), that every
embedded image decodes, that nothing is wider than the window, and that the screenshot is a full,
non-blank page in which the figures' colours appear. Skipped where Chromium is not installed (Debian:
``apt-get install chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import seaborn as sns
from _report_helpers import make_results
from _run_helpers import write_embeddings
from PIL import Image

from ganbench.report.build import write_report

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"), pytest.mark.slow]
WIDTH, HEIGHT = 1280, 2000

# After the page has loaded, write what the browser made of it into an attribute that --dump-dom shows.
PROBE = """<script>window.addEventListener('load', () => {
  const images = [...document.images];
  document.body.setAttribute('data-probe', JSON.stringify({
    images: images.length,
    broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt),
    tables: [...document.querySelectorAll('table')].map(t => t.rows.length),
    tableHeights: [...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().height),
    rawMarkdown: [...document.querySelectorAll('pre, code, p')].some(e => e.textContent.includes('|---')),
    pageWidth: document.documentElement.scrollWidth}));
});</script>"""


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("screenshot")
    make_results(root, eval_net=True)
    write_embeddings(root / "cells" / "restgan__default__seed0", {"navy": [1.0, 0.0], "khaki": [0.0, 1.0]})
    write_report(root, root / "report")
    return root / "report" / "index.html"


def test_the_browser_renders_tables_and_every_image(report, tmp_path):
    probed = report.with_name("probe.html")
    probed.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    result = _chromium("--virtual-time-budget=10000", "--dump-dom", probed.as_uri(), profile=tmp_path)
    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found, f"no probe in Chromium's DOM (exit {result.returncode}): {result.stderr[-500:]}"
    probe = json.loads(html.unescape(found.group(1)))
    assert probe["images"] >= 8 and probe["broken"] == []
    # rows with the header: paper table and beyond-paper table (2 models + change row each), colour
    # study (1 model), provenance (5 rows: code, run, hardware, precision, versions), cells (4)
    assert probe["tables"] == [4, 4, 2, 6, 5]
    assert all(height > 40 for height in probe["tableHeights"])
    assert not probe["rawMarkdown"]
    assert probe["pageWidth"] <= WIDTH


def test_the_screenshot_is_a_full_page_showing_the_figures(report, tmp_path):
    shot = tmp_path / "shot.png"
    result = _chromium(f"--screenshot={shot}", report.as_uri(), profile=tmp_path / "profile")
    assert shot.is_file(), f"Chromium wrote no screenshot (exit {result.returncode}): {result.stderr[-500:]}"
    with Image.open(shot) as image:
        assert image.size == (WIDTH, HEIGHT)
        pixels = np.asarray(image.convert("RGB")).astype(int)
    assert (pixels < 240).any(axis=-1).mean() > 0.05  # text, tables and plots, not a blank page
    # the first two models' bar colours (seaborn's colour-blind palette) are on screen: the plots loaded
    for colour in sns.color_palette("colorblind", 2):
        target = np.round(np.asarray(colour) * 255).astype(int)
        assert (np.abs(pixels - target).max(axis=-1) <= 6).sum() > 500, target
