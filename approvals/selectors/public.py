"""The public lookup (办件进度查询): an application found by its tracking number and query code."""

from __future__ import annotations

import secrets

from approvals.models import Application


def tracked(tracking_number: str, query_code: str) -> Application | None:
    """The application with ``tracking_number`` whose query code is ``query_code`` (compared in
    constant time); None for any mismatch, and for an application given no query code."""
    app = Application.objects.filter(tracking_number=tracking_number).exclude(query_code="").first()
    if app is None or not secrets.compare_digest(app.query_code, query_code):
        return None
    return app
