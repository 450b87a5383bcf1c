"""Browser tests: Playwright for Python driving Debian's chromium (no browser download).

The tests run against pytest-django's live server on the test database. Screenshots of every
main page go to artifacts/screenshots/ (CHROMIUM=/path/to/chromium to use another binary).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Visitor:
    """One person's browser: signs in, goes places, takes screenshots of the main pages."""

    def __init__(self, chromium, base: str, name: str, width: int = 1280, language: str | None = None) -> None:
        self.context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        if language:  # the site ignores Accept-Language: a language is chosen with Django's cookie
            from django.conf import settings

            self.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base = base
        self.name = name

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def sign_in(self, username: str, password: str) -> None:
        self.go("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("form button[type=submit]")
        self.page.wait_for_load_state()
        # Signed in is leaving the sign-in page (a wrong password stays there with an error).
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def shot(self, label: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{self.name}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(chromium, live_server):
    opened: list[Visitor] = []

    def open_(name: str, width: int = 1280, language: str | None = None) -> Visitor:
        visitor = Visitor(chromium, live_server.url, name, width, language)
        opened.append(visitor)
        return visitor

    yield open_
    for v in opened:
        v.close()
