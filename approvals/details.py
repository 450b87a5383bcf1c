"""An application's details (``Application.details``): one validation per procedure, shared by the
enterprise forms and the API.

``clean(procedure, details, mode)`` takes a plain dict (JSON-like: text, numbers, lists) and
returns the cleaned dict to store, or raises ``DetailsInvalid`` with the messages per field. The
messages are the web forms' own (the same msgids, translated in the active language), so the same
bad input gets the same message through a form and through the API.

Two modes:

- ``DRAFT``: a field may be missing or empty, but what is there must be right: its type, length
  and choice, domain syntax (at most ``MAX_DOMAINS``), digits in a number field, finite numbers,
  no nesting beyond what the procedure's details use, no unknown keys;
- ``COMPLETE``: moreover every field a submission needs is there (what the forms require).

The shapes (what templates/approvals/enterprise/details.html shows):

- telecom_licence: ``categories`` (codes of LICENCE_CATEGORIES, in catalogue order), ``business``
  (derived from the categories: "B25 信息服务业务；…"), ``coverage``; older drafts keep
  ``business`` alone and ``category`` (a class such as "B2");
- number_resource: ``number_type``, ``quantity`` (1 to 10,000), ``code`` (optional), ``purpose``;
- website_filing: ``website``, ``domains`` (a list, or text one per line); older drafts keep a
  single ``domain``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.inputs import Text
from approvals.models import Procedure
from approvals.procedures import CATEGORY_NAMES, LICENCE_CATEGORIES, MAX_DOMAINS, NUMBER_TYPES, normalise_domain

DRAFT = "draft"
COMPLETE = "complete"
MODES = (DRAFT, COMPLETE)

#: The key of the messages about the details as a whole (not one field).
WHOLE = ""


class DetailsInvalid(Exception):
    """The details are not right: ``errors`` maps a field of the details (or ``WHOLE``) to its
    messages, for the user, in the active language."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{key or 'details'}: {' '.join(msgs)}" for key, msgs in errors.items()))
        self.errors = errors

    def fields(self) -> dict[str, list[str]]:
        """The messages keyed as a request names its fields: ``details.<field>``, or ``details``
        for the details as a whole (the API's answer, and a submission's refusal)."""
        return {f"details.{key}" if key else "details": found for key, found in self.errors.items()}


# -- the rules of one field: a value in, the cleaned value out, or ValidationError -----------------

Rule = Callable[[Any, bool], Any]  # (value, required) -> cleaned value


def _finite(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(gettext_lazy("Numbers must be finite."))


def _text(value: Any) -> str:
    """A value given as text ("" for none): anything else is refused."""
    _finite(value)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(gettext_lazy("Enter text."))
    return value


def text(max_length: int, *, required_message: str | None = None, pattern: re.Pattern | None = None) -> Rule:
    """Text (stripped) of at most ``max_length`` characters; with ``pattern``, text it matches."""

    def rule(value: Any, required: bool) -> str:
        value = _text(value)
        messages = {"required": required_message} if required_message else None
        cleaned = Text(max_length=max_length, required=required, error_messages=messages).clean(value)
        if cleaned and pattern is not None and not pattern.match(cleaned):
            raise ValidationError(gettext_lazy("Write the numbers in digits, separated by commas or spaces."))
        return cleaned

    return rule


def whole_number(min_value: int, max_value: int) -> Rule:
    """A whole number (an integer, or text or a float that is one) from min_value to max_value."""

    def rule(value: Any, required: bool) -> int | None:
        _finite(value)
        if isinstance(value, bool) or not isinstance(value, int | float | str | type(None)):
            raise ValidationError(forms.IntegerField.default_error_messages["invalid"], code="invalid")
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError(forms.IntegerField.default_error_messages["invalid"], code="invalid")
        return forms.IntegerField(min_value=min_value, max_value=max_value, required=required).clean(value)

    return rule


def choice(choices: list[tuple[str, Any]], *, required_message: str) -> Rule:
    """One of ``choices`` (their values)."""

    def rule(value: Any, required: bool) -> str:
        value = _text(value)
        field = forms.ChoiceField(choices=choices, required=required, error_messages={"required": required_message})
        return field.clean(value)

    return rule


def categories(value: Any, required: bool) -> list[str]:
    """Licence category codes, in the catalogue's order, each once."""
    _finite(value)
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(forms.MultipleChoiceField.default_error_messages["invalid_list"], code="invalid_list")
    field = forms.MultipleChoiceField(
        choices=[(code, code) for code in CATEGORY_NAMES],
        required=required,
        error_messages={"required": gettext_lazy("Tick at least one business category.")},
    )
    chosen = field.clean(value)
    return [code for code, _zh, _en in LICENCE_CATEGORIES if code in chosen]


_SEPARATORS = re.compile(r"[\n,，;；、]+")


def domains(value: Any, required: bool) -> list[str]:
    """Domain names, normalised (``normalise_domain``), each once, at most MAX_DOMAINS: a list
    (each item as a line) or text (one per line, or separated by commas, semicolons or 、).
    "a.cn b.cn" is two domains; "not a domain" is one mistake, named as typed."""
    _finite(value)
    if value in (None, "", []):
        if required:
            raise ValidationError(forms.Field.default_error_messages["required"], code="required")
        return []
    if isinstance(value, str):
        lines = _SEPARATORS.split(value)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        lines = value
    else:
        raise ValidationError(forms.MultipleChoiceField.default_error_messages["invalid_list"], code="invalid_list")
    found: list[str] = []
    wrong: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        names = [normalise_domain(part) for part in line.split()]
        if None in names:
            wrong.append(line[:100])
            continue
        for name in names:
            if name not in found:
                found.append(name)
        if len(found) > MAX_DOMAINS:
            break  # no need to read 50,000 of them to say so
    if wrong:
        raise ValidationError(
            _("Not a domain name: %(names)s. Write one domain per line, for example yunduan.cn.")
            % {"names": "、".join(f"“{w}”" for w in wrong[:MAX_DOMAINS])}
        )
    if not found:
        if required:
            raise ValidationError(_("Give at least one domain name."))
        return []
    if len(found) > MAX_DOMAINS:
        raise ValidationError(_("At most %(n)s domain names per filing.") % {"n": MAX_DOMAINS})
    return found


def legacy_domain(value: Any, required: bool) -> str:
    """An older draft's single domain: kept as it was in a draft, a domain name to submit."""
    cleaned = text(253)(value, False)
    if required and cleaned and normalise_domain(cleaned) is None:
        raise ValidationError(
            _("Not a domain name: %(names)s. Write one domain per line, for example yunduan.cn.")
            % {"names": f"“{cleaned[:100]}”"}
        )
    return cleaned


# -- the procedures ------------------------------------------------------------------------------

_NUMBERS = re.compile(r"^[0-9][0-9\s,，、;；-]*$")


class Spec:
    """A procedure's details: each field's rule, those a submission needs, and how the cleaned
    fields are finished (derived fields)."""

    def __init__(
        self,
        rules: dict[str, Rule],
        required: tuple[str, ...],
        finish: Callable[[dict], dict] | None = None,
        instead: dict[str, str] | None = None,
    ) -> None:
        self.rules = rules
        self.required = required
        self.finish = finish or (lambda cleaned: cleaned)
        self.instead = instead or {}  # a required field -> an older key that, given, does instead

    def needs(self, key: str, details: dict) -> bool:
        """Whether a submission needs ``key`` (present and right) in these details: a required
        field, unless an older key stands in for it; then that older key."""
        if key in self.required:
            older = self.instead.get(key)
            return not (older and key not in details and details.get(older))
        return any(older == key and new not in details and details.get(key) for new, older in self.instead.items())


def _licence_finish(cleaned: dict) -> dict:
    if "categories" in cleaned:  # the business is said by the categories, in words
        cleaned["business"] = "；".join(f"{code} {CATEGORY_NAMES[code]}" for code in cleaned["categories"])
    return cleaned


SPECS: dict[str, Spec] = {
    Procedure.TELECOM_LICENCE: Spec(
        {
            "categories": categories,
            "coverage": text(200),
            "business": text(1000),  # derived from categories; older drafts have it alone
            "category": text(20),  # older drafts: the class, "B1" or "B2"
        },
        required=("categories", "coverage"),
        finish=_licence_finish,
    ),
    Procedure.NUMBER_RESOURCE: Spec(
        {
            "number_type": choice(NUMBER_TYPES, required_message=gettext_lazy("Choose the type of number.")),
            "quantity": whole_number(1, 10_000),
            "code": text(200, pattern=_NUMBERS),
            "purpose": text(1000),
        },
        required=("number_type", "quantity", "purpose"),
    ),
    Procedure.WEBSITE_FILING: Spec(
        {"website": text(100), "domains": domains, "domain": legacy_domain},
        required=("website", "domains"),
        instead={"domains": "domain"},  # an older filing's one domain does
    ),
}


def clean(procedure: str, details: Any, mode: str = DRAFT) -> dict:
    """The cleaned details of an application of ``procedure``, or DetailsInvalid.

    In ``DRAFT`` mode a field may be missing or empty; in ``COMPLETE`` mode the fields a
    submission needs must be there and not empty (with the forms' messages). Unknown keys,
    values of the wrong type (nested objects included) and non-finite numbers are refused in
    both modes. Fields not given are not added (an API client's partial draft stays partial)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    spec = SPECS.get(procedure)
    if spec is None:
        raise DetailsInvalid({WHOLE: [_("Choose a procedure.")]})
    if details is None:
        details = {}
    if not isinstance(details, dict):
        raise DetailsInvalid({WHOLE: [_("Give the details as an object.")]})
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for key in details:
        if key not in spec.rules:
            errors[str(key)[:100]] = [_("Not one of this procedure's details.")]
    complete = mode == COMPLETE
    for key, rule in spec.rules.items():
        required = complete and spec.needs(key, details)
        if key not in details and not required:
            continue
        try:
            cleaned[key] = rule(details.get(key), required)
        except ValidationError as exc:
            errors[key] = [str(message) for message in exc.messages]
    if errors:
        raise DetailsInvalid(errors)
    return spec.finish(cleaned)
