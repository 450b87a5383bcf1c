"""One error format for the whole API:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"field": ["..."]}}}

Workflow refusals keep their status (404 not visible, 403 not allowed, 400 not possible or bad
input, 409 someone else's change won the race) and their message for the user.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from approvals import workflow


def _code(exc: Exception) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def body(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"status": status_code, "code": code, "message": message, "fields": fields or {}}}


def handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, workflow.WorkflowError):
        fields = {exc.field: [str(exc)]} if exc.field else {}
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
            fields = {
                key: [str(m) for m in (value if isinstance(value, list) else [value])] for key, value in detail.items()
            }
            message = _("Some fields are not right: see fields.")
        else:
            items = detail if isinstance(detail, list) else [detail]
            fields = {"non_field_errors": [str(m) for m in items]}
            message = " ".join(str(m) for m in items)
        response.data = body(status.HTTP_400_BAD_REQUEST, "invalid", message, fields)
        return response
    detail = getattr(exc, "detail", "")
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = body(response.status_code, str(code), str(detail))
    return response
