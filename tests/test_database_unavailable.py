"""While the database cannot be reached, every request is answered at once with 503 Service
Unavailable and Retry-After (approvals.middleware.DatabaseUnavailableMiddleware): a short page for
people, the API's error format for /api/; and the same client is served again as soon as the
database answers. scripts/fault_drill.py shows the same against a real PostgreSQL restart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory

from approvals.middleware import DatabaseUnavailableMiddleware
from tests.api import error
from tests.cast import Cast, browser


@contextmanager
def database_down(exception: type[Exception] = OperationalError) -> Iterator[None]:
    """Every query fails as psycopg fails when the server has gone."""

    def refuse(execute, sql, params, many, context):
        raise exception('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    with connection.execute_wrapper(refuse):
        yield


def assert_clean_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Service unavailable for a moment" in page
    assert "Traceback" not in page and "Connection refused" not in page and "5432" not in page


def test_a_public_page_says_the_service_is_unavailable_for_a_moment(cast: Cast) -> None:
    with database_down():
        response = browser().get("/published/")
    assert_clean_page(response)


def test_a_signed_in_page_says_so_too_and_works_again_when_the_database_is_back(cast: Cast) -> None:
    client = browser(cast.olga)
    with database_down(InterfaceError):
        assert_clean_page(client.get("/worklist/"))
    assert client.get("/worklist/").status_code == 200


def test_the_page_is_in_chinese_by_default(cast: Cast) -> None:
    from django.conf import settings
    from django.test import Client

    with database_down():
        response = Client().get("/published/")
    assert response.status_code == 503
    assert f'lang="{settings.LANGUAGE_CODE}"' in response.content.decode()


def test_the_api_answers_503_in_its_error_format(cast: Cast) -> None:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=cast.olga)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Token {token.key}")
    with database_down():
        response = client.get("/api/applications/")
    found = error(response, 503, "service_unavailable")
    assert found["message"] == "The service is unavailable for a moment: please try again shortly."
    assert response["Retry-After"].isdigit()
    assert client.get("/api/applications/").status_code == 200


@pytest.mark.parametrize("exception", [ValueError("a bug"), PermissionError("not a database error")])
def test_other_errors_are_left_to_django(exception: Exception) -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(RequestFactory().get("/worklist/"), exception) is None
