"""The real app served by uvicorn over the demo data, and Debian's Chromium driven by Playwright.

Chromium comes from Debian (``/usr/bin/chromium``, installed by deploy/setup.sh); Playwright's
own browser download is never used. Without Chromium the tests skip locally and fail in CI.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from api.app import create_app
from api.auth import Role, create_token
from graph.settings import get_settings
from graph.store import GraphStore, open_store
from tests.web.demo import DemoLab, build_demo

CHROMIUM = Path(os.environ.get("CMDB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("CMDB_SCREENSHOTS", "/tmp"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@dataclass(frozen=True)
class Demo:
    store: GraphStore
    lab: DemoLab
    tokens: dict[Role, str]
    url: str  # base URL of the running app

    def name(self, role: Role) -> str:
        return f"web-{role.value}"


def _serve(store: GraphStore) -> Iterator[str]:
    """uvicorn on a socket bound here (no port race), in a thread, until the test module ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(get_settings(), store=store)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The lab discovered twice into an embedded store, a token per role, the app serving it."""
    store = open_store("memory://")
    lab = build_demo(store, tmp_path_factory.mktemp("lab"))
    tokens = {role: create_token(store, f"web-{role.value}", role) for role in Role}
    try:
        for url in _serve(store):
            yield Demo(store, lab, tokens, url)
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with a fresh temporary profile (Playwright makes one per launch).

    Module scope: while Playwright's sync API is active its event loop counts as running in
    this thread, so it must be closed before other modules' asyncio tests run.
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (deploy/setup.sh does)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in its own browser context: empty sessionStorage, no token from another test."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    context.close()
