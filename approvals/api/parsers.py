"""The API's JSON body parser: the project's one JSON reader (approvals.inputs.read_json), so a
body nested too deeply, holding NaN or an infinity (``1e999``), or not UTF-8 is a 400 in the
API's error format, never a RecursionError or an infinity in a JSON column (a 500)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from approvals.inputs import JSONRefused, read_json

#: The deepest body an operation takes: an application's details are two deep, a calendar
#: upload's ``text`` is a string (its schedule is read by approvals.holidays, with its own limit).
MAX_BODY_DEPTH = 32


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**31
        try:
            return read_json(stream.read(limit + 1), max_depth=MAX_BODY_DEPTH, max_bytes=limit)
        except JSONRefused as exc:
            raise ParseError(str(exc)) from None
