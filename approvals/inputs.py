"""The one reader of each kind of untrusted input, for every screen, the API, the admin and the
commands: an id (``parse_id``), a JSON document (``read_json``: bounded in size and depth, finite
numbers only) and stored text (``unstorable``, the ``storable`` validator and the ``Text`` form
field). Each refuses what it cannot take with a message for the user, never a server error: an
id that overflows the database's integers, a nesting that exhausts Python's recursion, an
infinity that no JSON column keeps, a NUL (PostgreSQL) or a lone surrogate (not UTF-8)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# -- ids ----------------------------------------------------------------------------------------

#: The largest id a database integer holds (PostgreSQL's bigint; SQLite's integer is as wide).
MAX_ID = 2**63 - 1


def parse_id(raw: object) -> int | None:
    """The positive id that ``raw`` writes in ASCII digits, or None for anything else (``abc``,
    ``1.5``, ``-1``, ``²``, a number past ``MAX_ID``, a list)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else None
    if not isinstance(raw, str) or not re.fullmatch(r"[0-9]{1,19}", raw.strip()):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


# -- JSON ---------------------------------------------------------------------------------------

#: The most digits an integer in a JSON document may have: no value this project stores needs
#: more, and Python refuses to read an integer of over 4,300 digits (a ValueError, not a parse error).
MAX_INT_DIGITS = 30


class JSONRefused(ValueError):
    """A JSON document ``read_json`` does not take; ``str()`` says why, for the user."""


class JSONTooDeep(JSONRefused):
    def __init__(self, limit: int) -> None:
        super().__init__(_("The JSON nests more than %(n)s levels deep.") % {"n": limit})
        self.limit = limit


class JSONTooBig(JSONRefused):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            _("The JSON is %(size)s bytes long; at most %(limit)s are read.") % {"size": size, "limit": limit}
        )
        self.size, self.limit = size, limit


def json_depth(text: str, limit: int) -> int:
    """How deep the JSON's arrays and objects nest (brackets inside strings do not count), read
    without recursion, so before ``json.loads``, whose recursion a deeply nested document would
    exhaust; it stops counting once past ``limit``."""
    depth = deepest = 0
    outside = re.sub(r'"(?:[^"\\]|\\.)*+"', '""', text)
    for match in re.finditer(r"[\[\]{}]", outside):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _constant(name: str) -> float:
    raise JSONRefused(_("The JSON holds %(value)s, which is not a number JSON allows.") % {"value": name})


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 reads as infinity
        raise JSONRefused(_("The JSON holds %(value)s, a number too large to keep.") % {"value": text[:40]})
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONRefused(
            _("The JSON holds an integer of %(n)s digits; at most %(limit)s.")
            % {"n": len(text.lstrip("-")), "limit": MAX_INT_DIGITS}
        )
    return int(text)


def read_json(text: str | bytes, *, max_depth: int, max_bytes: int) -> Any:
    """The value of the JSON document ``text``, or JSONRefused: over ``max_bytes`` (in UTF-8),
    nested deeper than ``max_depth``, not valid JSON (naming the line and column), not UTF-8,
    or holding NaN, an infinity or a number too large to keep."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise JSONTooBig(size, max_bytes)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONRefused(_("The JSON is not UTF-8 (byte %(n)s).") % {"n": exc.start + 1}) from None
    if json_depth(text, max_depth) > max_depth:
        raise JSONTooDeep(max_depth)
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise JSONRefused(
            _("not valid JSON: %(msg)s at line %(line)s column %(col)s")
            % {"msg": exc.msg, "line": exc.lineno, "col": exc.colno}
        ) from None
    except RecursionError:  # what the depth check missed: still a refusal, not a server error
        raise JSONTooDeep(max_depth) from None


# -- stored text --------------------------------------------------------------------------------

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """What in ``text`` no database stores, if anything: a NUL (PostgreSQL refuses it) or a lone
    surrogate (not UTF-8: neither database encodes it), named for the user."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("a NUL character")
    return _("a lone surrogate (U+%(code)04X), which is not text") % {"code": ord(found.group())}


def texts(value: object) -> list[str]:
    """Every string in ``value`` (a JSON value: its dicts' keys too)."""
    found: list[str] = []
    pending = [value]
    while pending:  # no recursion: a deep value is the depth limit's to refuse, not this
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(str(key) for key in item)
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return found


def storable(value: object) -> None:
    """A validator (forms, serializers, models): ``value``, a text or a JSON value, holds nothing
    a database cannot store."""
    for text in texts(value):
        bad = unstorable(text)
        if bad:
            raise ValidationError(_("Text may not contain null characters or unpaired surrogates."), code="unstorable")


class Text(forms.CharField):
    """Text, stripped, a textarea's line breaks (CRLF, as browsers send them) read as one
    character each; what no database stores is refused (``storable``). A JSON body may give a
    number for it (its digits), not a list, an object or true/false: those are refused rather
    than kept as their Python text. Every form field that stores text is one."""

    default_validators = [storable]

    def to_python(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
            raise ValidationError(gettext_lazy("Enter text."), code="invalid")
        if isinstance(value, str):
            storable(value)  # before CharField's own NUL check, with the one message
            value = value.replace("\r\n", "\n")
            # The length the schema states is of the text as sent, not of what stripping leaves
            # (a no-break space before 2,000 characters is 2,001).
            if self.max_length is not None and len(value) > self.max_length:
                MaxLengthValidator(self.max_length)(value)
        return super().to_python(value)
