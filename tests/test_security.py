"""Security settings: sign-in lockouts (django-axes) on the sign-in page, the admin's and the API's
token endpoint; sessions; password rules; the headers every answer carries, the Content Security
Policy among them, and templates that keep to it (no inline script)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from approvals.management.commands.seed_demo import PASSWORD as DEMO_PASSWORD
from approvals.models import User
from tests.api import error, ok
from tests.cast import Cast

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 5  # AXES_FAILURE_LIMIT's default
ALICE = "10.1.2.3"
ELSEWHERE = "10.9.9.9"


def page_client(address: str = ALICE, language: str = "en") -> Client:
    """A browser at ``address`` that chose ``language`` (the pages ignore Accept-Language)."""
    client = Client(REMOTE_ADDR=address)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" not in response["Location"]


def token(client: APIClient, username: str, password: str):
    return client.post("/api/auth/token/", {"username": username, "password": password}, format="json")


@pytest.fixture
def later(monkeypatch):
    """Move django-axes' clock forward (where it records attempts and where it expires them)."""

    def move(delta: timedelta) -> None:
        moved = timezone.now() + delta
        monkeypatch.setattr("axes.handlers.proxy.now", lambda: moved)
        monkeypatch.setattr("axes.attempts.now", lambda: moved)

    return move


# -- the sign-in page ---------------------------------------------------------------------------


def test_the_settings_come_from_the_environment_defaults() -> None:
    limits = (django_settings.AXES_FAILURE_LIMIT, django_settings.AXES_COOLOFF_TIME)
    assert limits == (LIMIT, timedelta(minutes=15))
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(cast: Cast) -> None:
    client = page_client()
    for attempt in range(1, LIMIT):
        response = sign_in(client, "alice", "wrong-password")
        assert response.status_code == 200, attempt  # the form again, with its error
    locked = sign_in(client, "alice", "wrong-password")
    assert locked.status_code == 429
    assert "Sign-in locked for a while" in locked.content.decode()
    right = sign_in(client, "alice", "pw-alice")
    assert right.status_code == 429 and not signed_in(right)
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_how_long_and_is_in_chinese_by_default(cast: Cast) -> None:
    client = Client(REMOTE_ADDR=ALICE)  # no language chosen
    for _ in range(LIMIT):
        response = sign_in(client, "alice", "wrong-password")
    page = response.content.decode()
    assert response.status_code == 429
    with translation.override("zh-hans"):
        assert translation.gettext("Sign-in locked for a while") in page
    assert "15" in page and "“alice”" in page
    english = page_client()
    for _ in range(LIMIT):
        response = sign_in(english, "olga", "wrong-password")
    assert "Try again in 15 minutes." in response.content.decode()
    assert "The password for “olga” was wrong 5 times in a row" in response.content.decode()


def test_other_users_and_other_addresses_are_not_affected(cast: Cast) -> None:
    for _ in range(LIMIT):
        sign_in(page_client(), "alice", "wrong-password")
    assert sign_in(page_client(), "alice", "pw-alice").status_code == 429
    assert signed_in(sign_in(page_client(), "olga", "pw-olga"))  # another user, same address
    assert signed_in(sign_in(page_client(ELSEWHERE), "alice", "pw-alice"))  # same user, another address


def test_the_lock_opens_after_the_cool_off(cast: Cast, later) -> None:
    for _ in range(LIMIT):
        sign_in(page_client(), "alice", "wrong-password")
    later(timedelta(minutes=14))
    assert sign_in(page_client(), "alice", "pw-alice").status_code == 429  # and the wait starts again:
    later(timedelta(minutes=28))
    assert sign_in(page_client(), "alice", "pw-alice").status_code == 429  # 14 minutes after the last try
    later(timedelta(minutes=28 + 16))
    assert signed_in(sign_in(page_client(), "alice", "pw-alice"))


def test_a_right_password_clears_the_count(cast: Cast) -> None:
    for _ in range(LIMIT - 1):
        sign_in(page_client(), "alice", "wrong-password")
    assert signed_in(sign_in(page_client(), "alice", "pw-alice"))
    assert not AccessAttempt.objects.exists()
    for _ in range(LIMIT - 1):
        assert sign_in(page_client(), "alice", "wrong-password").status_code == 200


def test_the_admin_sign_in_is_locked_too(cast: Cast) -> None:
    client = page_client()
    for _ in range(LIMIT):
        response = client.post("/admin/login/", {"username": "root", "password": "wrong-password"})
    assert response.status_code == 429
    assert sign_in(client, "root", "pw-root").status_code == 429


# -- the API's token endpoint -------------------------------------------------------------------


def test_the_api_locks_out_with_429_in_its_error_format(cast: Cast) -> None:
    client = APIClient(REMOTE_ADDR=ALICE, HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(LIMIT - 1):
        found = error(token(client, "olga", "wrong-password"), 400, "invalid")
        assert found["fields"] == {"non_field_errors": ["Unable to log in with provided credentials."]}
    response = token(client, "olga", "wrong-password")
    found = error(response, 429, "locked_out")
    assert found["message"] == "Too many wrong passwords for this user from this address: try again in 15 minutes."
    assert response["Retry-After"] == "900"
    error(token(client, "olga", "pw-olga"), 429, "locked_out")  # the right password too
    assert ok(token(client, "alice", "pw-alice"))["token"]  # another user
    assert ok(token(APIClient(REMOTE_ADDR=ELSEWHERE), "olga", "pw-olga"))["token"]  # another address


def test_the_api_and_the_page_share_the_count(cast: Cast) -> None:
    for _ in range(LIMIT - 1):
        sign_in(page_client(), "olga", "wrong-password")
    client = APIClient(REMOTE_ADDR=ALICE, HTTP_ACCEPT_LANGUAGE="en")
    error(token(client, "olga", "wrong-password"), 429, "locked_out")
    assert sign_in(page_client(), "olga", "pw-olga").status_code == 429


def test_the_api_opens_after_the_cool_off(cast: Cast, later) -> None:
    client = APIClient(REMOTE_ADDR=ALICE)
    for _ in range(LIMIT):
        token(client, "olga", "wrong-password")
    error(token(client, "olga", "pw-olga"), 429, "locked_out")
    later(timedelta(minutes=16))
    assert ok(token(client, "olga", "pw-olga"))["token"]


def test_the_lockout_message_follows_accept_language(cast: Cast) -> None:
    client = APIClient(REMOTE_ADDR=ALICE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(LIMIT):
        response = token(client, "olga", "wrong-password")
    with translation.override("zh-hans"):
        expected = translation.ngettext(
            "Too many wrong passwords for this user from this address: try again in %(n)d minute.",
            "Too many wrong passwords for this user from this address: try again in %(n)d minutes.",
            15,
        ) % {"n": 15}
    assert error(response, 429, "locked_out")["message"] == expected


def test_the_schema_documents_the_lockout() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    responses = schema["paths"]["/api/auth/token/"]["post"]["responses"]
    assert responses["429"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


# -- sessions and passwords ---------------------------------------------------------------------


def test_a_session_ends_with_the_browser_and_after_eight_hours(cast: Cast) -> None:
    client = page_client()
    assert signed_in(sign_in(client, "alice", "pw-alice"))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == 8 * 3600
    assert not django_settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw1", "at least 10 characters"),
        ("password123", "too common"),
        ("8412907735", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_password(password)


def test_a_password_like_the_users_name_is_refused(db) -> None:
    user = User(username="zhangsanfeng", email="zsf@example.cn")
    with pytest.raises(ValidationError, match="too similar"):
        validate_password("zhangsanfeng1", user=user)


def test_the_demo_password_passes_the_rules() -> None:
    validate_password(DEMO_PASSWORD)


# -- headers and the Content Security Policy ----------------------------------------------------


def csp(response) -> dict[str, str]:
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
        if part
    }


@pytest.mark.parametrize("path", ["/accounts/login/", "/track/", "/published/", "/api/docs/"])
def test_every_answer_carries_the_security_headers(db, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"


def test_the_api_answers_carry_the_policy_too(cast: Cast) -> None:
    client = APIClient()
    client.force_authenticate(cast.olga)
    response = client.get("/api/applications/")
    assert response.status_code == 200 and "script-src 'self'" in response["Content-Security-Policy"]


def test_the_lockout_page_carries_the_policy(cast: Cast) -> None:
    client = page_client()
    for _ in range(LIMIT):
        response = sign_in(client, "alice", "wrong-password")
    assert response.status_code == 429 and csp(response)["script-src"] == "'self'"


def test_swagger_ui_loads_its_start_up_script_from_a_file(db) -> None:
    page = Client().get("/api/docs/").content.decode()
    assert re.search(r"<script>\s*\S", page) is None  # no inline script
    src = re.search(r'<script src="([^"]*script=[^"]*)"', page)
    assert src, page
    script = Client().get(src.group(1).replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_no_template_has_inline_script() -> None:
    """script-src 'self' blocks inline <script>, onclick= and javascript: URLs: behaviour goes in
    static/shixian/app.js, bound by data attributes."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_ATTRIBUTE, JAVASCRIPT_URL):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []
