"""The Content-Security-Policy in a real browser: every main page, the admin and Swagger UI load
without a single violation, and what runs script still works under it (the feed page's Copy
button, htmx's polling of the calendar upload's progress, Swagger UI)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from approvals.models import CalendarJob, Procedure
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Both the console's words for a violation and the DOM's event (the init script runs whatever
# the page's policy says: Playwright adds it through the DevTools protocol).
REPORT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} in ${e.sourceFile || e.documentURI}`);
});
"""


class Watched:
    """A visitor's page with everything the browser says about the policy collected."""

    def __init__(self, visitor, name: str, username: str | None = None) -> None:
        self.visitor = visitor(name, language="en")
        self.page: Page = self.visitor.page
        self.page.add_init_script(REPORT_VIOLATIONS)
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        if username:
            self.visitor.sign_in(username, f"pw-{username}")

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path: str) -> Page:
        response = self.page.goto(self.visitor.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.page.wait_for_load_state("load")
        self.assert_clean(path)
        return self.page

    def assert_clean(self, where: str) -> None:
        events = self.page.evaluate("window.__csp || []")
        assert (self.console, events, self.errors) == ([], [], []), where


@pytest.fixture
def world(committed_cast: Cast):
    cast = committed_cast
    case = cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    cast.under_review(Procedure.WEBSITE_FILING, received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    return cast, case


PAGES = {
    "alice": ["/portal/", "/portal/new/", f"/portal/new/{Procedure.TELECOM_LICENCE}/", "/applications/{case}/"],
    "olga": ["/worklist/", "/applications/{case}/", "/feeds/", "/appointments/", "/notifications/"],
    "mia": ["/dashboard/", "/reports/", "/dashboard/officers/{olga}/"],
    "pat": ["/provider/"],
    "root": ["/calendar/", "/admin/", "/admin/approvals/application/", "/admin/approvals/application/{case}/change/"],
    None: ["/accounts/login/", "/track/", "/published/"],
}


def test_no_page_breaks_the_policy(world, visitor) -> None:
    cast, case = world
    values = {"case": case.pk, "olga": cast.olga.pk}
    for username, paths in PAGES.items():
        person = Watched(visitor, f"csp-{username or 'anonymous'}", username)
        for path in paths:
            page = person.visit(path.format(**values))
            if not path.startswith("/admin/"):
                assert page.evaluate("typeof htmx") == "object", path  # the vendored script runs


def test_swagger_ui_renders_under_the_policy(world, visitor) -> None:
    person = Watched(visitor, "csp-api-docs")
    page = person.visit("/api/docs/")
    # The schema is generated on the first request: a few seconds on a busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("shixian", timeout=60_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/applications/").first).to_be_visible()
    person.assert_clean("/api/docs/ once rendered")
    person.visitor.shot("api-docs")


def test_the_feed_address_is_copied_with_the_button(world, visitor) -> None:
    person = Watched(visitor, "csp-feed", "olga")
    person.visitor.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=person.visitor.base)
    page = person.visit("/feeds/")
    with page.expect_navigation():
        page.get_by_role("button", name="Create my calendar feed").click()
    address = page.locator("#feed-url")
    expect(address).to_have_value(re.compile(r"^http://.+\.ics$"))
    expect(address).to_be_focused()  # autofocus, its text selected for a manual copy
    assert page.evaluate(
        "() => { const e = document.getElementById('feed-url'); return e.selectionEnd - e.selectionStart; }"
    ) == len(address.input_value())
    button = page.locator("#copy-feed-url")
    expect(button).to_be_visible()  # shown only where the clipboard can be written
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == address.input_value()
    person.assert_clean("/feeds/ after copying")
    person.visitor.shot("feed-copied")


def test_htmx_polls_the_upload_progress_and_reloads_when_done(world, visitor) -> None:
    cast, _case = world
    # Confirmed and waiting for the worker (none runs here): the page polls until it is done.
    preview = {"entries": 0, "holidays": 0, "workdays": 0, "moves": [], "applications": 0}
    preview |= {"provisional": 0, "become_official": 0, "stay_provisional": 0}
    job = CalendarJob.objects.create(
        year=2027,
        file_name="2027.json",
        content="{}",
        preview=preview,
        created_by=cast.root,
        status=CalendarJob.Status.QUEUED,
    )
    person = Watched(visitor, "csp-calendar-job", "root")
    page = person.visit(f"/calendar/jobs/{job.pk}/")
    expect(page.locator("#job-progress h2")).to_have_text("Queued")
    progress = f"/calendar/jobs/{job.pk}/progress/"
    with page.expect_request(lambda r: r.url.endswith(progress) and r.headers.get("hx-request") == "true"):
        pass  # htmx asks every second
    CalendarJob.objects.filter(pk=job.pk).update(status=CalendarJob.Status.DONE, result="2027: 0 moved", total=0)
    expect(page.locator("#job-progress h2")).to_have_text("Done", timeout=10_000)
    person.assert_clean("the calendar job page after polling")


def test_the_lockout_page_in_a_browser(world, visitor) -> None:
    person = Watched(visitor, "csp-lockout")
    page = person.visit("/accounts/login/")
    for attempt in range(5):
        page.fill("#id_username", "olga")
        page.fill("#id_password", "not-her-password")
        with page.expect_navigation() as navigation:
            page.click("form button[type=submit]")
        assert navigation.value.status == (429 if attempt == 4 else 200)
    expect(page.locator("main h1")).to_have_text("Sign-in locked for a while")
    expect(page.locator("main")).to_contain_text("Try again in 15 minutes.")
    person.assert_clean("the lockout page")
    person.visitor.shot("lockout")
