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

    def login(self, username, password="demo-password-1"):
        """Log in through the login page, as a person would, and land where the role lands."""
        self.open("/login")
        self.tab.get_by_label(LOGIN_LABELS[self.language][0]).fill(username)
        self.tab.get_by_label(LOGIN_LABELS[self.language][1]).fill(password)
        with self.tab.expect_navigation():
            self.tab.locator("main button[type=submit]").click()

    @property
    def language(self):
        return "zh" if self.tab.evaluate("navigator.language").startswith("zh") else "en"

    def assert_accessible(self):
        """axe-core on the page as it stands: no serious or critical violation."""
        assert_accessible(self.tab)


LOGIN_LABELS = {"en": ("User name", "Password"), "zh": ("用户名", "密码")}

# The viewports every page is tried at: a desktop and a phone (360 px wide, the narrowest
# common Android screen).
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def assert_accessible(tab):
    """Run axe-core (vendored by axe-playwright-python, injected by the test, not served
    by the site) and fail on any serious or critical violation, naming each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    bad = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{tab.url}:\n" + "\n".join(bad)


def open_page(chromium, live_server, *, locale="en-US", viewport=None):
    """A fresh tab in its own browser context (its own cookies): one per user."""
    context = chromium.new_context(locale=locale, viewport=viewport or DESKTOP)
    context.set_default_timeout(15_000)
    return BrowserPage(context, live_server.url)


@pytest.fixture
def new_page(chromium, live_server):
    """Opens tabs as ``new_page(locale=..., viewport=...)``, each in its own context, and
    closes them all at the end: a test with several users (clerk, auditor) opens one each."""
    pages = []

    def make(*, locale="en-US", viewport=None):
        page = open_page(chromium, live_server, locale=locale, viewport=viewport)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A tab in English (the browser's language picks the page's) on the live server."""
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = BrowserPage(context, live_server.url)
    yield page
    context.close()
