"""End to end: `kbase serve` on the sample corpus, driven by headless Chromium (Playwright).

Uses Debian's /usr/bin/chromium (no browser download). Skips on a machine without it, never in
CI (CI=true): there a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists() or not os.access(CHROMIUM, os.X_OK):
    if os.environ.get("CI") == "true":
        raise RuntimeError(
            "CI needs Debian's chromium for the end-to-end tests (.ci/run installs it)"
        )
    pytest.skip("no Chromium on this machine: apt-get install chromium", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

# the picture in the README; a test run leaves the checkout clean unless asked to refresh it
SCREENSHOT = ROOT / "docs" / "screenshot-search.png"
REFRESH_SCREENSHOT = os.environ.get("KBASE_REFRESH_SCREENSHOT") == "1"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("e2e")
    shutil.copytree(CORPUS, root / "corpus")
    kbase = [
        sys.executable,
        "-c",
        "from kbase.cli import main; main()",
        "--index",
        str(root / "ix"),
    ]
    subprocess.run([*kbase, "ingest", "corpus"], cwd=root, check=True, capture_output=True)
    proc = subprocess.Popen(
        [*kbase, "serve", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("kbase serve: http://127.0.0.1:"), line + proc.stderr.read()
        yield line.split()[2]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_search_facet_passage_copy_and_back(server: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            permissions=["clipboard-read", "clipboard-write"],
        )
        page = context.new_page()
        page.goto(server)
        page.get_by_label("Søk i planene").fill("demens")
        page.keyboard.press("Enter")
        expect(page.locator("li.hit").first).to_be_visible()
        assert "q=demens" in page.url
        shot = page.screenshot(full_page=False)
        assert shot.startswith(b"\x89PNG")
        if REFRESH_SCREENSHOT:
            SCREENSHOT.write_bytes(shot)

        page.locator(
            "aside.facets a", has_text="Sentraliserte tjenester til spesielle behov"
        ).click()
        assert "veivalg=sentraliserte-tjenester-til-spesielle-behov" in page.url
        hits = page.locator("li.hit")
        expect(hits.first).to_be_visible()
        for i in range(hits.count()):
            expect(hits.nth(i).locator(".chip.veivalg", has_text="Sentraliserte")).to_have_count(1)
        filtered_url = page.url

        title = hits.first.locator("h2 a").inner_text()
        hits.first.locator("h2 a").click()
        expect(page.locator("article.passage h1")).to_have_text(title)
        page.get_by_role("button", name="Kopier sitat").click()
        expect(page.locator(".copied")).to_have_text("Kopiert til utklippstavlen.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#cite-text").input_value()
        assert copied.startswith("«") and "Fjordvik kommune:" in copied

        page.get_by_role("link", name="← Tilbake til søket").click()
        assert page.url == filtered_url
        expect(page.locator("li.hit").first).to_be_visible()

        # keyboard: on a page without the search box, the skip link is the first stop
        page.goto(server + "dokumenter")
        page.keyboard.press("Tab")
        expect(page.locator("a.skip")).to_be_focused()
        browser.close()


def test_narrow_screen_keeps_results_readable(server: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.goto(server + "?q=helsehus")
        box = page.locator("li.hit").first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        browser.close()
