"""End to end: ``ganbench explore`` on a free port, driven from headless Chromium (the system's Debian
``chromium``, through Playwright's Python API; no browser download): type a first query, add two steps,
read back every step's image at noise seed 0 for both shipped models and count the row of seeds each step
shows, check an empty step's message and that the page asked nothing of any host but 127.0.0.1. Skipped
without Chromium or without the ``explore`` extra.

``GANBENCH_EXPLORE_SCREENSHOT=docs/explore.png`` also saves the page there (the README's screenshot).
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
              pytest.mark.timeout(300)]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
STEPS = ["women's black pants", "petite", "capri"]
MODELS = ("restgan-synth", "stackgan-bow-synth")
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def app_url():
    pytest.importorskip("gradio")
    from ganbench.explore.server import free_port

    port = free_port()
    source = os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")])
    env = os.environ | {"GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": source}
    command = [sys.executable, "-c", "from ganbench.cli import main; main()", "explore", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        assert "Traceback" not in output, output


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ganbench explore exited with {process.returncode}: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"ganbench explore did not answer on {url} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def browser_page(app_url):
    playwright_api = pytest.importorskip("playwright.sync_api")
    outside: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
        page.goto(app_url)
        page.wait_for_selector("#start", timeout=60_000)
        yield page, outside
        browser.close()


def _images_at(page, step: int) -> list[dict]:
    """The images of one step at noise seed 0 (the first of the row of seeds), one per model."""
    selector = f'#grid img.gb-image[data-step="{step}"][data-seed="0"]'
    count = f"document.querySelectorAll('{selector}').length === {len(MODELS)}"
    page.wait_for_function(count, timeout=60_000)
    return page.eval_on_selector_all(selector, "els => els.map(e => ({model: e.dataset.model, "
                                     "width: e.naturalWidth, complete: e.complete, src: e.src}))")


def _type(page, element_id: str, text: str) -> None:
    page.locator(f"#{element_id} textarea, #{element_id} input").first.fill(text)


def test_two_added_steps_show_their_images_for_every_model(browser_page):
    from ganbench.explore.refine import step_images
    from ganbench.explore.sources import open_pretrained

    page, outside = browser_page
    _type(page, "first-query", STEPS[0])
    page.click("#start")
    shown = {1: _images_at(page, 1)}
    for number, step in enumerate(STEPS[1:], start=2):
        _type(page, "next-step", step)
        page.click("#add-step")
        shown[number] = _images_at(page, number)
    restgan = step_images(open_pretrained("restgan-synth"), STEPS, 0, True).permute(0, 2, 3, 1).numpy()
    for number, images in shown.items():
        assert [image["model"] for image in images] == list(MODELS)
        assert all(image["complete"] and image["width"] >= 256 for image in images)
        with Image.open(io.BytesIO(base64.b64decode(images[0]["src"].split(",", 1)[1]))) as picture:
            pixels = np.asarray(picture.convert("RGB"))
        assert np.array_equal(pixels[::4, ::4], restgan[number - 1])  # the model's own image, 4x
    from ganbench.explore.app import DEFAULT_SEEDS

    shown = len(MODELS) * len(STEPS) * DEFAULT_SEEDS  # every step: a row of seeds per model
    assert page.locator("#grid img.gb-image").count() == shown
    assert page.locator("#grid").inner_text().count("eval net:") == shown
    assert outside == [], f"the page asked other hosts: {outside[:5]}"
    path = os.environ.get("GANBENCH_EXPLORE_SCREENSHOT")
    if path:
        page.screenshot(path=path, full_page=True)


def test_an_empty_step_is_a_message_in_the_page(browser_page):
    page, _ = browser_page
    _type(page, "next-step", "   ")
    page.click("#add-step")
    page.wait_for_function("document.querySelector('#status').innerText.includes('is empty')", timeout=60_000)
    assert re.search(r"step \d+ is empty", page.locator("#status").inner_text())  # names the step
