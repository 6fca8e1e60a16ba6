"""The chat widget in Debian's chromium, driven by Playwright: the browser, what a visitor does."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOG = ".cryo-chat__log"


# Per module: Playwright's sync API holds an event loop while it is open, which the async
# tests of later modules cannot share.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("chromium is not installed: `make test` installs it (make browser).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def bot_messages(page):
    return page.locator(f"{LOG} .cryo-chat__msg--bot")


def wait_for_bot_text(page, text, timeout=30_000):
    page.locator(f"{LOG} .cryo-chat__msg--bot", has_text=text).last.wait_for(timeout=timeout)


def open_widget(page):
    page.get_by_role("button", name="Ask about cryotherapy").click()
    wait_for_bot_text(page, "not medical advice")


def ask(page, text):
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
