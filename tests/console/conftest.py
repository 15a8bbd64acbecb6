"""The console served on loopback and driven by the system's Chromium through Playwright.

Never a downloaded browser: `/usr/bin/chromium` (Debian's package; `make test` installs it when
missing). Screenshots of every page go to CONSOLE_SCREENSHOTS (default var/console-screenshots).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend.extensions import db
from simulators.server import SimulatorServer
from tests.conftest import make_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("CONSOLE_SCREENSHOTS", "var/console-screenshots"))


@pytest.fixture(scope="module")
def console_url(app, simulators):
    served = make_app(simulators)
    with SimulatorServer(served) as server:
        yield server.url
    with served.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def page(chromium, console_url):
    """A fresh browser profile at 1366×768; CSP violations and script errors are collected."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                   base_url=console_url)
    page = context.new_page()
    page.problems = []
    # What the page itself got wrong: a script error, or something the CSP refused. (An
    # expected 401/404 answer is also logged as an error by Chromium; that is not a problem.)
    page.on("console", lambda m: page.problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
