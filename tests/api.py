"""The cast through the REST API: a client per person, and answers checked against the API's one
error format ({"error": {"status", "code", "message", "fields"}})."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from approvals.models import User


def api(user: User | None = None, language: str = "en") -> APIClient:
    """A client signed in as ``user`` (anonymous if None) that asks for ``language`` with
    Accept-Language, as API clients do: tests read the English msgids."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def ok(response, status: int = 200) -> Any:
    """The body of a successful answer."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.json()


def error(response, status: int, code: str | None = None) -> dict:
    """The error of a refused request, after checking it is in the API's format."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    found = body["error"]
    assert set(found) == {"status", "code", "message", "fields"}
    assert found["status"] == status and found["message"]
    assert all(isinstance(messages, list) and messages for messages in found["fields"].values())
    if code is not None:
        assert found["code"] == code, found
    return found


def act(client: APIClient, pk: int, action: str, **data: Any):
    """POST one workflow action (``request_correction`` → /request-correction/)."""
    return client.post(f"/api/applications/{pk}/{action.replace('_', '-')}/", data, format="json")
