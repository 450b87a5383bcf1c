"""The accounts' pages (config/urls.py): no password reset by email (accounts are issued, and
forgotten passwords set again, by the administrators: docs/DEPLOY.md); changing one's own password
in the site's templates, not the admin's; the sign-in lockout's 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests.cast import Cast, browser

RESET_PATHS = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/MQ/no-such-token/",
    "/accounts/reset/done/",
]


@pytest.mark.parametrize("path", RESET_PATHS)
def test_there_is_no_password_reset(db, path: str) -> None:
    assert Client().get(path).status_code == 404


@pytest.mark.parametrize("name", ["password_reset", "password_reset_done", "password_reset_complete"])
def test_no_page_can_link_to_a_password_reset(name: str) -> None:
    with pytest.raises(NoReverseMatch):
        reverse(name)


def test_asking_for_a_reset_sends_nothing_to_a_known_address_or_an_unknown_one(cast: Cast) -> None:
    cast.alice.email = "alice@example.com"
    cast.alice.save(update_fields=["email"])
    for address in ["alice@example.com", "nobody@example.com", "alice@example.com"]:
        assert Client().post("/accounts/password_reset/", {"email": address}).status_code == 404
    assert mail.outbox == []


def test_the_sign_in_page_says_whom_to_ask(db) -> None:
    page = browser().get("/accounts/login/").content.decode()
    assert "If you have forgotten your password, ask your administrator to set a new one." in page
    assert "password_reset" not in page


def test_changing_ones_password_is_the_sites_page_not_the_admins(cast: Cast) -> None:
    client = browser(cast.alice)
    page = client.get("/accounts/password_change/").content.decode()
    assert "Change your password" in page and 'action="/accounts/password_change/"' in page
    assert "Django" not in page and "admin/css" not in page  # not the admin's template
    assert 'href="/track/"' in page  # the site's frame (base.html), its navigation
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "pw-alice", "new_password1": "Qz7-lantern-harbour", "new_password2": "Qz7-lantern-harbour"},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/done/"
    done = client.get(response["Location"]).content.decode()
    assert "Your password has been changed." in done and "Django" not in done
    cast.alice.refresh_from_db()
    assert cast.alice.check_password("Qz7-lantern-harbour")


def test_the_password_page_is_in_chinese_by_default(cast: Cast) -> None:
    client = Client()  # no language chosen
    client.force_login(cast.alice)
    page = client.get("/accounts/password_change/").content.decode()
    with translation.override("zh-hans"):
        label = translation.gettext("Old password")  # django.contrib.auth's form, translated by Django
    assert label != "Old password" and label in page
    assert '<html lang="zh-hans">' in page


def test_the_sign_in_lockout_says_when_to_retry(cast: Cast) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"})
    assert response.status_code == 429
    assert response["Retry-After"] == str(django_settings.AXES_COOLOFF_MINUTES * 60)
    assert "Sign-in locked for a while" in response.content.decode()
    admin = Client(REMOTE_ADDR="10.1.2.4")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        response = admin.post("/admin/login/", {"username": "root", "password": "wrong-password"})
    assert response.status_code == 429 and response["Retry-After"] == "900"
