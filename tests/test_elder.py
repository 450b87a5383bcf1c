"""Easy reading (适老化, approvals.elder): the header's switch turns it on and off with a POST,
kept on a signed-in user (so every session and browser of theirs has it) or in a cookie for an
anonymous visitor, which whoever signs in with it on takes over; it goes back only to an address
of this site; every page then has <html class="elder">."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from approvals import elder
from approvals.models import User
from tests.cast import Cast, browser

pytestmark = pytest.mark.django_db

SWITCH = "/easy-reading/"


def html_classes(response) -> list[str]:
    match = re.search(r"<html\b[^>]*>", response.content.decode())
    assert match, "no <html> tag"
    found = re.search(r'class="([^"]*)"', match.group(0))
    return found.group(1).split() if found else []


def switch_button(response) -> str:
    match = re.search(r'<button[^>]*class="[^"]*elder-switch[^"]*"[^>]*>.*?</button>', response.content.decode(), re.S)
    assert match, "no easy-reading switch in the header"
    return match.group(0)


def test_the_switch_is_at_the_url_the_header_posts_to() -> None:
    assert reverse("approvals:elder-mode") == SWITCH


def test_a_signed_in_user_turns_it_on_and_it_stays_on_in_a_new_session(cast: Cast) -> None:
    client = browser(cast.alice)
    page = client.get("/portal/")
    assert "elder" not in html_classes(page)
    assert 'aria-pressed="false"' in switch_button(page)
    assert "Easy reading" in switch_button(page)

    response = client.post(SWITCH, {"elder": "1", "next": "/portal/"})
    assert response.status_code == 302 and response.url == "/portal/"
    assert User.objects.get(pk=cast.alice.pk).elder_mode is True
    assert response.cookies[elder.COOKIE].value == "1"  # and this browser's last choice

    page = client.get("/portal/")
    assert "elder" in html_classes(page)
    assert 'aria-pressed="true"' in switch_button(page)

    # another browser, another session: still on
    other = browser(User.objects.get(pk=cast.alice.pk))
    assert "elder" in html_classes(other.get("/portal/"))
    # and off again from there
    other.post(SWITCH, {"elder": "0", "next": "/portal/"})
    assert User.objects.get(pk=cast.alice.pk).elder_mode is False
    assert "elder" not in html_classes(client.get("/portal/"))


def test_without_a_value_the_switch_turns_it_the_other_way(cast: Cast) -> None:
    client = browser(cast.olga)
    client.post(SWITCH, {"next": "/worklist/"})
    assert User.objects.get(pk=cast.olga.pk).elder_mode is True
    client.post(SWITCH, {"next": "/worklist/"})
    assert User.objects.get(pk=cast.olga.pk).elder_mode is False


def test_it_is_one_users_choice_not_everyones(cast: Cast) -> None:
    browser(cast.alice).post(SWITCH, {"elder": "1"})
    assert "elder" not in html_classes(browser(cast.olga).get("/worklist/"))
    assert "elder" in html_classes(browser(User.objects.get(pk=cast.alice.pk)).get("/portal/"))


def test_an_anonymous_visitor_keeps_it_in_a_cookie(cast: Cast) -> None:
    client = browser()
    assert "elder" not in html_classes(client.get("/track/"))
    response = client.post(SWITCH, {"elder": "1", "next": "/track/"})
    assert response.status_code == 302 and response.url == "/track/"
    cookie = response.cookies[elder.COOKIE]
    assert cookie.value == "1" and cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 0
    page = client.get("/track/")
    assert "elder" in html_classes(page)
    assert 'aria-pressed="true"' in switch_button(page)
    assert "elder" in html_classes(client.get("/accounts/login/"))
    # no user was changed
    assert not User.objects.filter(elder_mode=True).exists()

    response = client.post(SWITCH, {"elder": "0", "next": "/track/"})
    assert response.cookies[elder.COOKIE].value == ""  # deleted
    assert "elder" not in html_classes(client.get("/track/"))


def test_someone_who_turned_it_on_before_signing_in_keeps_it(cast: Cast) -> None:
    cast.alice.set_password("pw-test-2026")
    cast.alice.save()
    client = browser()
    client.post(SWITCH, {"elder": "1", "next": "/accounts/login/"})
    assert "elder" in html_classes(client.get("/accounts/login/"))
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw-test-2026"})
    assert response.status_code == 302
    assert User.objects.get(pk=cast.alice.pk).elder_mode is True
    assert "elder" in html_classes(client.get("/portal/"))
    # turned off while signed in: off for the user and this browser, after signing out too
    client.post(SWITCH, {"elder": "0", "next": "/portal/"})
    assert User.objects.get(pk=cast.alice.pk).elder_mode is False
    client.post("/accounts/logout/")
    assert "elder" not in html_classes(client.get("/accounts/login/"))
    client.post("/accounts/login/", {"username": "alice", "password": "pw-test-2026"})
    assert User.objects.get(pk=cast.alice.pk).elder_mode is False


def test_signing_in_without_the_cookie_changes_nothing(cast: Cast) -> None:
    User.objects.filter(pk=cast.alice.pk).update(elder_mode=True)
    cast.alice.set_password("pw-test-2026")
    cast.alice.save(update_fields=["password"])
    client = browser()
    client.post("/accounts/login/", {"username": "alice", "password": "pw-test-2026"})
    assert User.objects.get(pk=cast.alice.pk).elder_mode is True  # not turned off either
    assert "elder" in html_classes(client.get("/portal/"))


def test_a_signed_in_users_choice_wins_over_the_browsers_cookie(cast: Cast) -> None:
    client = browser(cast.alice)
    client.cookies[elder.COOKIE] = "1"
    assert "elder" not in html_classes(client.get("/portal/"))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/portal/",
        "http://evil.example",
        "javascript:alert(1)",
        "",
        "\\\\evil.example",
    ],
)
def test_a_next_outside_the_site_goes_home_instead(cast: Cast, target: str) -> None:
    response = browser(cast.alice).post(SWITCH, {"elder": "1", "next": target})
    assert response.status_code == 302
    assert response.url == reverse("approvals:home")
    assert User.objects.get(pk=cast.alice.pk).elder_mode is True  # the choice is still made


def test_a_next_on_this_site_keeps_its_query(cast: Cast) -> None:
    response = browser(cast.olga).post(SWITCH, {"elder": "1", "next": "/worklist/?level=red&page=2"})
    assert response.url == "/worklist/?level=red&page=2"


def test_get_is_not_allowed(cast: Cast) -> None:
    response = browser(cast.alice).get(SWITCH, {"elder": "1", "next": "/portal/"})
    assert response.status_code == 405
    assert User.objects.get(pk=cast.alice.pk).elder_mode is False


def test_the_switch_needs_the_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    assert client.post(SWITCH, {"elder": "1"}).status_code == 403
    assert User.objects.get(pk=cast.alice.pk).elder_mode is False
    # the header's form carries it
    page = client.get("/portal/")
    form = re.search(r'<form method="post" action="/easy-reading/">.*?</form>', page.content.decode(), re.S)
    assert form and 'name="csrfmiddlewaretoken"' in form.group(0)
    assert 'name="next" value="/portal/"' in form.group(0)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("alice", "/portal/"),
        ("alice", "/portal/new/"),
        ("olga", "/worklist/"),
        ("mia", "/dashboard/"),
        ("pat", "/provider/"),
        ("root", "/dashboard/"),
        ("alice", "/notifications/"),
    ],
)
def test_the_class_is_on_every_main_page(cast: Cast, who: str, path: str) -> None:
    user = getattr(cast, who)
    user.elder_mode = True
    user.save()
    page = browser(user).get(path)
    assert page.status_code == 200
    assert "elder" in html_classes(page)


def test_the_case_page_has_it_too(cast: Cast) -> None:
    app = cast.received()
    for user in (cast.alice, cast.olga):
        user.elder_mode = True
        user.save()
        assert "elder" in html_classes(browser(user).get(f"/applications/{app.pk}/"))


def test_the_switch_is_said_in_chinese_by_default(cast: Cast) -> None:
    page = browser(cast.alice, language="zh-hans").get("/portal/")
    assert "适老模式" in switch_button(page)
