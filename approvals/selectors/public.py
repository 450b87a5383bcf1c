"""The public lookup (办件进度查询): an application found by its tracking number and query code."""

from __future__ import annotations

import secrets

from approvals.models import Application


def tracked(tracking_number: str, query_code: str) -> Application | None:
    """The application with ``tracking_number`` whose query code is ``query_code`` (compared in
    constant time); None for any mismatch, and for an application given no query code. Compared as
    bytes: compare_digest refuses a str that is not ASCII, and what a visitor types may be anything
    (a lone surrogate too, hence surrogatepass)."""
    app = Application.objects.filter(tracking_number=tracking_number).exclude(query_code="").first()
    if app is None or not secrets.compare_digest(_bytes(app.query_code), _bytes(query_code)):
        return None
    return app


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
