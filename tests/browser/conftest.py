"""Playwright journeys in Debian's Chromium against the live test server (never `playwright install`)."""

import os

import pytest

from portal.demo import DEMO_PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# clicks are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """A factory of pages, each in its own browser context (its own cookies: one person each)."""
    contexts = []

    def _new_page(viewport=(1366, 768)):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", accept_downloads=True,
                                      viewport={"width": viewport[0], "height": viewport[1]})
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, username: str, password: str = DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
