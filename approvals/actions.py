"""The forms behind the buttons of an application's page, one per workflow action: each action's
one validator, for the screens and the API alike.

A page shows exactly ``workflow.available_actions(app, user)``; each action of the catalogue
(approvals.catalogue) names its form here (what the person must say), and ``RUNS`` the workflow
call it makes with the form's cleaned values. The API's action endpoints (approvals.api.urls)
validate their body with the same form, unprefixed (``make_form(..., prefixed=False)``), and
nothing else: the fields below also refuse what only a JSON body can hold (a list where text is
asked for, a number where a date is), so the same bad input gets the same field error through
either path. The workflow takes the cleaned values as they are and checks only what depends on
the case (its state, its dates, its policy, the filing number's register).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from approvals import catalogue, uploads, workflow
from approvals.inputs import Text
from approvals.models import (
    MAX_EXTENSION_DAYS,
    Application,
    RatingLevel,
    Role,
    SpecialProcedureKind,
    User,
    VerificationMethod,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _materials_help() -> str:
    return uploads.accepted_types_text()


# -- the fields: what a page posts, and what a JSON body may hold (Text: approvals.inputs) ---------


class Day(forms.DateField):
    """A day written YYYY-MM-DD: what a date input sends, and the API's one date format (an ISO
    week date, a day in words or a number is refused)."""

    input_formats = ["%Y-%m-%d"]
    default_error_messages = {
        # DRF's msgid, translated in its catalogue: the API's message for a bad date, now the page's too.
        "invalid": format_lazy(
            _("Date has wrong format. Use one of these formats instead: {format}."), format="YYYY-MM-DD"
        ),
    }

    def to_python(self, value: Any) -> date | None:
        if value is not None and not isinstance(value, str | date):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class Moment(forms.DateTimeField):
    """A date and time: a datetime-local input's 2026-03-02T10:30, or ISO 8601 with its offset;
    without one, Beijing time. Text only: a number is refused, not parsed."""

    def to_python(self, value: Any) -> datetime | None:
        if value is not None and not isinstance(value, str | datetime):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class Officer(forms.ModelChoiceField):
    """A case officer by id: a whole number or its digits, not true or 2.5 (which the database's
    lookup would read as 1 and 2)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | User | type(None)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


# -- the forms, one per kind of input -------------------------------------------------------------


class Empty(forms.Form):
    pass


class Reasons(forms.Form):
    reasons = Text(label=_("Reasons"), widget=forms.Textarea, max_length=2000)


class Correction(forms.Form):
    items = Text(
        label=_("Every correction needed"),
        widget=forms.Textarea,
        max_length=5000,
        help_text=_("One notice lists everything: a second notice will be flagged."),
    )


class Resubmit(forms.Form):
    files = MultipleFileField(label=_("Corrected materials"), required=False, help_text=_materials_help)
    note = Text(label=_("Note"), widget=forms.Textarea, required=False, max_length=2000)


class SpecialProcedure(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=SpecialProcedureKind.choices)
    basis = Text(label=_("Legal basis"), max_length=300)
    notice_date = Day(label=_("Applicant told in writing on"), widget=forms.DateInput(attrs={"type": "date"}))
    expected_end = Day(label=_("Expected to end on"), widget=forms.DateInput(attrs={"type": "date"}))


class Note(forms.Form):
    note = Text(label=_("Note"), widget=forms.Textarea, required=False, max_length=2000)


class RequiredNote(forms.Form):
    note = Text(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class Extension(forms.Form):
    """1 to the case's policy's limit (at most MAX_EXTENSION_DAYS): the input's min and max,
    and the same message as the workflow's check for any number outside them."""

    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = Text(label=_("Reason"), widget=forms.Textarea, max_length=2000)

    def __init__(self, *args, app: Application | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit = app.policy.extension_limit if app is not None and app.policy is not None else 0
        limit = limit or MAX_EXTENSION_DAYS
        outside = gettext("An extension is 1 to %(max)s working days.") % {"max": limit}
        self.fields["days"] = forms.IntegerField(
            label=_("Working days"),
            min_value=1,
            max_value=limit,
            help_text=gettext("1 to %(max)s working days, approved by the department's manager.") % {"max": limit},
            error_messages={"min_value": outside, "max_value": outside},
        )


class Grant(forms.Form):
    reasons = Text(label=_("Decision notes"), widget=forms.Textarea, required=False, max_length=2000)


class Deny(forms.Form):
    reasons = Text(label=_("Reasons"), widget=forms.Textarea, max_length=2000)
    remedies = Text(
        label=_("Remedies"),
        widget=forms.Textarea,
        max_length=2000,
        initial=_(
            "You may apply for administrative review within 60 days of receiving this decision, or bring an "
            "administrative lawsuit within 6 months."
        ),
    )


class Serve(forms.Form):
    certificate_number = Text(label=_("Certificate number"), max_length=50)


class File(forms.Form):
    filing_number = Text(label=_("Filing number"), max_length=40, help_text=_("For example 皖ICP备2026001234号"))


class Withdraw(forms.Form):
    reason = Text(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class Forward(forms.Form):
    method = forms.ChoiceField(label=_("How the identity was verified"), choices=VerificationMethod.choices)
    verified_at = Moment(
        label=_("Verified at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    reference = Text(label=_("Verification reference"), max_length=100)


class Rate(forms.Form):
    """The applicant's rating of an ended case (好差评): on its page and in the API."""

    level = forms.TypedChoiceField(
        label=_("How was the service?"), choices=RatingLevel.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = Text(label=_("Comment"), widget=forms.Textarea, required=False, max_length=2000)


class FollowUp(forms.Form):
    """A manager's follow-up of a bad rating."""

    note = Text(label=_("How it was followed up"), widget=forms.Textarea, max_length=2000)


class Reassign(forms.Form):
    officer = Officer(label=_("New case officer"), queryset=User.objects.none())
    note = Text(label=_("Note"), widget=forms.Textarea, required=False, max_length=2000)

    def __init__(self, *args, app: Application, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        officers = User.objects.filter(role=Role.OFFICER, is_active=True).order_by("name", "username")
        if app.department_id:
            officers = officers.filter(department_id=app.department_id)
        self.fields["officer"].queryset = officers.exclude(pk=app.officer_id)


@dataclass(frozen=True)
class Action:
    name: str
    form: type[forms.Form]
    run: Callable[[Application, User, dict], Application]
    style: str = ""  # "danger" for the irreversible ones


def _resubmit(app: Application, user: User, data: dict) -> Application:
    with transaction.atomic():  # all the files and the resubmission, or nothing
        for upload in data["files"]:
            workflow.add_material(app.pk, user, upload)
        return workflow.resubmit(app.pk, user, note=data["note"])


#: What each screen action runs, by the action's name: the workflow call with the form's values.
RUNS: dict[str, Callable[[Application, User, dict], Application]] = {
    # A submission's details must be complete (approvals.details), through the page and the API alike.
    "submit": lambda a, u, d: workflow.submit(a.pk, u, complete=True),
    "submit_to_provider": lambda a, u, d: workflow.submit(a.pk, u, complete=True),
    "return_to_applicant": lambda a, u, d: workflow.return_to_applicant(a.pk, u, d["reasons"]),
    "forward_to_administration": lambda a, u, d: workflow.forward_to_administration(
        a.pk, u, method=d["method"], verified_at=d["verified_at"], reference=d["reference"]
    ),
    "accept": lambda a, u, d: workflow.accept(a.pk, u),
    "refuse_to_accept": lambda a, u, d: workflow.refuse_to_accept(a.pk, u, d["reasons"]),
    "request_correction": lambda a, u, d: workflow.request_correction(a.pk, u, d["items"]),
    "resubmit": _resubmit,
    "start_special_procedure": lambda a, u, d: workflow.start_special_procedure(
        a.pk, u, kind=d["kind"], basis=d["basis"], notice_date=d["notice_date"], expected_end=d["expected_end"]
    ),
    "end_special_procedure": lambda a, u, d: workflow.end_special_procedure(a.pk, u, note=d["note"]),
    "request_extension": lambda a, u, d: workflow.request_extension(a.pk, u, d["days"], d["reason"]),
    "approve_extension": lambda a, u, d: workflow.approve_extension(a.pk, u, note=d["note"]),
    "reject_extension": lambda a, u, d: workflow.reject_extension(a.pk, u, d["note"]),
    "grant": lambda a, u, d: workflow.grant(a.pk, u, reasons=d["reasons"]),
    "deny": lambda a, u, d: workflow.deny(a.pk, u, d["reasons"], d["remedies"]),
    "serve_certificate": lambda a, u, d: workflow.serve_certificate(a.pk, u, d["certificate_number"]),
    "file": lambda a, u, d: workflow.file(a.pk, u, d["filing_number"]),
    "refuse_filing": lambda a, u, d: workflow.refuse_filing(a.pk, u, d["reasons"]),
    "withdraw": lambda a, u, d: workflow.withdraw(a.pk, u, d["reason"]),
    "reassign": lambda a, u, d: workflow.reassign(a.pk, u, d["officer"].pk, note=d["note"]),
}

#: The screen actions, in the catalogue's order: each entry's form (a class of this module) and run.
ACTIONS: dict[str, Action] = {
    entry.name: Action(entry.name, globals()[entry.form], RUNS[entry.name], entry.style)
    for entry in catalogue.ENTRIES
    if entry.form
}


def make_form(name: str, app: Application, data=None, files=None, *, prefixed: bool = True) -> forms.Form:
    """The form of action ``name`` on ``app``, bound to ``data`` if given. A page holds the form
    of every action available, each prefixed with its action's name; the API's body is one
    action's, unprefixed (``prefixed=False``)."""
    action = ACTIONS[name]
    kwargs = {"app": app} if action.form in (Reassign, Extension) else {}
    form = action.form(data, files, prefix=name if prefixed else None, **kwargs)
    if data is None and name == "forward_to_administration":
        form.initial["verified_at"] = timezone.localtime().replace(second=0, microsecond=0)
    return form
