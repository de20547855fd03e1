"""Headless Chromium for the browser checks, driven by Playwright.

The browser is a system Chromium when there is one (CI installs Debian's package; CHROMIUM_PATH points elsewhere),
else the one `playwright install chromium` downloaded (what `make test` does on a machine without Chromium).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SYSTEM_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "artifacts"


@dataclass
class PageLog:
    """What the page did while it loaded: console errors, page errors, every request, failed requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)


def chromium_executable() -> str | None:
    """A system Chromium (CHROMIUM_PATH, then PATH), or None for Playwright's own downloaded Chromium."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        if not Path(configured).exists():
            pytest.fail(f"CHROMIUM_PATH={configured} does not exist", pytrace=False)
        return configured
    return next(filter(None, (shutil.which(name) for name in SYSTEM_CHROMIUM_NAMES)), None)


def launch(playwright):
    """Start headless Chromium; the test FAILS (not skips) when there is none: the browser checks are required."""
    try:
        return playwright.chromium.launch(executable_path=chromium_executable(), args=LAUNCH_ARGS)
    except Exception as error:  # Playwright raises its own Error type when the browser is missing
        pytest.fail(
            f"no Chromium to run the browser checks ({str(error).splitlines()[0]}). Install one: "
            "`apt-get install chromium` (Debian/Ubuntu), `.venv/bin/playwright install chromium`, "
            "or set CHROMIUM_PATH.",
            pytrace=False,
        )


@contextmanager
def open_page(url: str, width: int = 1200, height: int = 900) -> Iterator[tuple[object, PageLog]]:
    """Open `url` in a fresh headless Chromium page; yields the page and the log of what it did."""
    from playwright.sync_api import sync_playwright

    log = PageLog()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda message: _console(log, message))
            page.on("pageerror", lambda error: log.page_errors.append(str(error)))
            page.on("request", lambda request: log.requests.append(request.url))
            page.on("requestfailed", lambda request: log.failed_requests.append(f"{request.url}: {request.failure}"))
            page.on("response", lambda response: _response(log, response))
            page.goto(url, wait_until="load")
            yield page, log
        finally:
            browser.close()


def _console(log: PageLog, message) -> None:
    if message.type == "error":
        log.console_errors.append(f"{message.text} ({message.location})")


def _response(log: PageLog, response) -> None:
    if response.status >= 400:
        log.bad_responses.append(f"{response.url}: HTTP {response.status}")


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG in artifacts/ at the repository root (kept as a test artifact)."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / name
    page.screenshot(path=str(path), full_page=True)
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) from a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
