"""Easy reading (适老化) in a real browser at 390 px: on the main page of each role and on /track/,
body text of 18px or more, no page-level horizontal scroll, buttons and menu links at least 44px
tall. Screenshots: artifacts/screenshots/elder-<role>-<page>.png (full page, menu closed) and
elder-<role>-menu.png (the menu open)."""

from __future__ import annotations

from datetime import date

import pytest

from approvals.models import Application, User
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTH = 390

# Every visible target of the header and the forms: buttons, links styled as buttons, the menu's
# links and summaries (a closed menu's links or a closed action's form are not rendered: not counted).
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, a.button, input[type=submit], .nav a, .userbox a, summary, .segmented a, .pagination a')]
  .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .map(el => ({text: (el.innerText || el.value || el.className).trim().slice(0, 40),
               h: el.getBoundingClientRect().height}))
  .filter(t => t.h < 44)"""

WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > innerWidth + 1 && !el.closest('.table-wrap'))
  .slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations (WCAG 2.1 A and AA) of the page as it is: the
    mode's colours, sizes and hidden items must not make it less accessible."""
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "resultTypes": ["violations"],
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    }
    found = Axe().run(page, options=options).response["violations"]
    return [
        f"{v['id']}: {node['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"][:3]
    ]


def check(v, label: str):
    page = v.page
    assert "elder" in (page.locator("html").get_attribute("class") or "").split()
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body >= 18, f"{label}: body text {body}px"
    small = page.evaluate(
        "() => [...document.querySelectorAll('main p, main li, main dd, main td:not(.places td), main label')]"
        ".filter(el => el.innerText.trim() && parseFloat(getComputedStyle(el).fontSize) < 18)"
        ".slice(0, 5).map(el => el.innerText.trim().slice(0, 30) + ' ' + getComputedStyle(el).fontSize)"
    )
    assert small == [], f"{label}: text under 18px"
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    inner = page.evaluate("innerWidth")
    assert scroll <= inner + 1, f"{label}: scrolls sideways ({scroll} > {inner}): {page.evaluate(WIDER)}"
    assert page.evaluate(SMALL_TARGETS) == [], label
    v.shot(label)
    assert serious_violations(page) == [], label
    # the menu open: its links, the sign-out, language and easy-reading buttons
    page.click("details.menu > summary")
    assert page.locator(".nav a").first.is_visible()
    assert page.evaluate(SMALL_TARGETS) == [], f"{label}, menu open"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= inner + 1, f"{label}, menu open"
    switch = page.locator("button.elder-switch")
    assert switch.get_attribute("aria-pressed") == "true"
    page.click("details.menu > summary")  # closed again


@pytest.fixture
def cases(committed_cast: Cast, now) -> dict[str, Application]:
    now(date(2026, 3, 10))
    reviewed = committed_cast.under_review(received=date(2026, 3, 2), accepted=date(2026, 3, 3))
    received = committed_cast.received(on=date(2026, 3, 9))
    committed_cast.draft(on=date(2026, 3, 9))
    return {"reviewed": Application.objects.get(pk=reviewed.pk), "received": Application.objects.get(pk=received.pk)}


def on_for(cast: Cast, username: str, visitor):
    """A user who chose easy reading earlier (on the user: it is there at sign-in)."""
    User.objects.filter(username=username).update(elder_mode=True)
    v = visitor(f"elder-{username}", WIDTH)
    v.sign_in(username, f"pw-{username}")
    return v


def test_the_switch_in_the_menu_turns_it_on_and_off(committed_cast: Cast, cases, visitor) -> None:
    v = visitor("elder-switch", WIDTH)
    v.sign_in("alice", "pw-alice")
    page = v.go("/portal/")
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert before < 18
    page.click("details.menu > summary")
    switch = page.locator("button.elder-switch")
    assert switch.get_attribute("aria-pressed") == "false"
    assert switch.inner_text() == "适老模式"
    v.shot("off-menu")
    with page.expect_navigation():
        switch.click()
    assert page.url.endswith("/portal/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    assert User.objects.get(username="alice").elder_mode
    page.click("details.menu > summary")
    v.shot("on-menu")
    with page.expect_navigation():
        page.locator("button.elder-switch").click()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == before
    assert not User.objects.get(username="alice").elder_mode


def test_the_enterprise_pages(committed_cast: Cast, cases, visitor) -> None:
    v = on_for(committed_cast, "alice", visitor)
    v.go("/portal/")
    check(v, "portal")
    v.go(f"/applications/{cases['reviewed'].pk}/")
    check(v, "case")
    v.go("/portal/new/")
    check(v, "new")
    v.go("/portal/new/telecom_licence/")
    check(v, "new-form")


def test_the_officer_pages(committed_cast: Cast, cases, visitor) -> None:
    v = on_for(committed_cast, "olga", visitor)
    v.go("/worklist/")
    check(v, "worklist")
    page = v.go(f"/applications/{cases['reviewed'].pk}/")
    check(v, "case")
    page.locator("details.action > summary").first.click()  # an action's form, open
    check(v, "case-action")
    v.go(f"/applications/{cases['received'].pk}/")
    check(v, "case-received")


def test_the_manager_dashboard(committed_cast: Cast, cases, visitor) -> None:
    v = on_for(committed_cast, "mia", visitor)
    v.go("/dashboard/")
    check(v, "dashboard")


def test_the_public_lookup_with_the_switch_of_an_anonymous_visitor(committed_cast: Cast, cases, visitor) -> None:
    v = visitor("elder-public", WIDTH)
    page = v.go("/track/")
    page.click("details.menu > summary")
    with page.expect_navigation():
        page.locator("button.elder-switch").click()
    assert page.url.endswith("/track/")
    check(v, "track")
    app = cases["reviewed"]
    page.fill("#id_tracking_number", app.tracking_number)
    page.fill("#id_query_code", app.query_code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert app.tracking_number in page.content()
    check(v, "track-result")
    v.go("/accounts/login/")
    check(v, "login")


@pytest.mark.parametrize("on", [False, True])
def test_the_header_on_a_wide_screen_keeps_the_switch_in_view(committed_cast: Cast, cases, visitor, on) -> None:
    User.objects.filter(username="mia").update(elder_mode=on)
    v = visitor(f"elder-wide-{'on' if on else 'off'}", 1280)
    v.sign_in("mia", "pw-mia")
    page = v.go("/dashboard/")
    switch = page.locator("button.elder-switch")
    assert switch.is_visible()
    assert not page.locator("details.menu > summary").is_visible()  # no menu button: the menu is open
    assert switch.get_attribute("aria-pressed") == ("true" if on else "false")
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1")
    v.shot("dashboard")


def test_more_pages_and_in_english(committed_cast: Cast, cases, visitor) -> None:
    """English words are longer than Chinese ones: the same checks on the English pages, and on
    the access provider's queue, the notifications and the appointments."""
    User.objects.filter(username__in=["pat", "alice", "olga"]).update(elder_mode=True)
    provider = visitor("elder-pat", WIDTH)
    provider.sign_in("pat", "pw-pat")
    provider.go("/provider/")
    check(provider, "provider")
    for username in ("alice", "olga"):
        v = visitor(f"elder-{username}-en", WIDTH, "en")
        v.sign_in(username, f"pw-{username}")
        v.go("/portal/" if username == "alice" else "/worklist/")
        check(v, "home")
        v.go(f"/applications/{cases['reviewed'].pk}/")
        check(v, "case")
        v.go("/notifications/")
        check(v, "notifications")
        v.go("/appointments/")
        check(v, "appointments")
