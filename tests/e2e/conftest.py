"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

No browser is ever downloaded: the tests use /usr/bin/chromium (``apt-get install
chromium``) and are skipped where it is missing.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop on this thread, which Django's ORM takes
    # for an async context. The ORM calls here are the test's own setup and teardown, on
    # the one thread, so the check is lifted for this module's lifetime only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class BrowserPage:
    """A fresh browser tab, plus every request it made to a host other than the server's
    and everything the Content-Security-Policy blocked in it."""

    def __init__(self, context, base_url):
        self.context = context
        self.tab = context.new_page()
        self.base_url = base_url.rstrip("/")
        self.foreign_requests = []
        self.csp_violations = []
        # Chromium reports each blocked script, style, image or connection on the console.
        self.tab.on(
            "console",
            lambda message: (
                self.csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        origin = urlsplit(self.base_url).netloc
        self.tab.on(
            "request",
            lambda request: (
                self.foreign_requests.append(request.url)
                if urlsplit(request.url).scheme in ("http", "https")
                and urlsplit(request.url).netloc != origin
                else None
            ),
        )

    def open(self, path):
        response = self.tab.goto(self.base_url + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return response


@pytest.fixture
def browser_page(chromium, live_server):
    """A tab in English (the browser's language picks the page's) on the live server."""
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = BrowserPage(context, live_server.url)
    yield page
    context.close()
