"""One error format for the whole API:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"field": ["..."]}}}

Workflow refusals keep their status (404 not visible, 403 not allowed, 400 not possible or bad
input, 409 someone else's change won the race) and their message for the user.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from approvals import workflow


def _code(exc: Exception) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def _messages(detail: object) -> list[str]:
    """The messages of one field's error detail, flat. A list field's errors come keyed by the
    item's index and a dict field's by key: each message says which item it is about."""
    if isinstance(detail, dict):
        return [f"{key}: {message}" for key, value in detail.items() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [str(detail)]


def body(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"status": status_code, "code": code, "message": message, "fields": fields or {}}}


class TooLarge(exceptions.APIException):
    """A body over Django's limit (DATA_UPLOAD_MAX_MEMORY_SIZE), read by no parser: 413."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _refused_body(exc: Exception) -> exceptions.APIException:
    """Django's refusal of a request body (a SuspiciousOperation, which it answers with an HTML
    400) as the API's error."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return TooLarge(_("The body is over %(n)s KB; no operation reads more.") % {"n": limit // 1024})
    return exceptions.ParseError(_("The body holds too many fields or files."))


def handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        exc = _refused_body(exc)
    if isinstance(exc, workflow.WorkflowError):
        fields = {field: [str(message) for message in found] for field, found in exc.errors.items()}
        return Response(body(exc.status, _code(exc), str(exc), fields), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = {key: _messages(value) for key, value in detail.items()}
            message = _("Some fields are not right: see fields.")
        else:
            items = _messages(detail)
            fields = {"non_field_errors": items}
            message = " ".join(items)
        response.data = body(status.HTTP_400_BAD_REQUEST, "invalid", message, fields)
        return response
    detail = getattr(exc, "detail", "")
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = body(response.status_code, str(code), str(detail))
    return response


# -- the schema: every operation documents the error answers it can give -------------------------

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "fields"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}  # ERROR_SCHEMA, as document_errors registers it
CHANGES = {"post", "put", "patch", "delete"}


def _error_statuses(method: str, operation: dict) -> dict[int, str]:
    """The errors an operation can answer with: anyone can be unauthenticated or forbidden
    (CSRF, role); input can be bad; a path or a page can point at nothing; a change can lose a race."""
    parameters = operation.get("parameters", [])
    statuses = {
        401: _("No credentials, or wrong ones."),
        403: _("Not yours to do."),
    }
    if method in CHANGES or any(p.get("in") == "query" for p in parameters):
        statuses[400] = _("Bad input (see fields), or the action is not possible now.")
    if any(p.get("in") == "path" or p.get("name") == "page" for p in parameters):
        statuses[404] = _("Not found, or not visible to you.")
    if method in CHANGES:
        statuses[409] = _("Someone else changed it first: reload and try again.")
        statuses[413] = _("The body is larger than any operation reads.")
        statuses[415] = _("The body's content type is not one the operation reads.")
    return statuses


def document_errors(result: dict, generator: object, request: object, public: bool) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): the error format as the
    ``Error`` component, and the error statuses of each operation answering with it."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in sorted(_error_statuses(method, operation).items()):
                operation["responses"].setdefault(
                    str(code),
                    {
                        "description": str(description),
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
