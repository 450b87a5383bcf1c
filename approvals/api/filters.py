"""The API lists' query filters, declared once (django-filter): each list's FilterSet parses and
checks its parameters (an unknown parameter or a malformed value is a 400 naming it) and is what
the schema documents. The queries stay the selectors' (approvals.selectors.api): a view passes
``parsed(...)``'s values to its selector, and ``Declared`` filters nothing itself."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from approvals.models import (
    OPEN_STATES,
    URGENCY_ORDER,
    Alert,
    AlertLevel,
    Application,
    Document,
    Notification,
    Procedure,
    State,
)

#: What every paginated list also takes (approvals.api.pagination).
PAGING = frozenset({"page", "page_size"})


class Flag(forms.Field):
    """A yes-or-no parameter: ``1``/``true`` or ``0``/``false`` (absent: no)."""

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if value in ("1", "true"):
            return True
        if value in ("0", "false"):
            return False
        raise forms.ValidationError(gettext_lazy("Write 1 or true, 0 or false."), code="invalid")


class FlagFilter(django_filters.BooleanFilter):
    field_class = Flag


class States(forms.Field):
    """Comma-separated states, ``open`` standing for every open state."""

    def to_python(self, value: object) -> list[str]:
        if not value:
            return []
        states = str(value).split(",")
        unknown = [state for state in states if state not in State.values and state != "open"]
        if unknown:
            raise forms.ValidationError(_("Unknown states: %s") % ", ".join(unknown), code="invalid")
        if "open" in states:
            states = [state for state in states if state != "open"] + sorted(OPEN_STATES)
        return states


class StatesFilter(django_filters.CharFilter):
    field_class = States


class Search(forms.Field):
    """Text searched for, never stored: a NUL is dropped (PostgreSQL refuses it in a query),
    the rest kept to 100 characters."""

    def to_python(self, value: object) -> str:
        return str(value or "").replace("\x00", "").strip()[:100]


class SearchFilter(django_filters.CharFilter):
    field_class = Search


class Declared(django_filters.FilterSet):
    """A list's declared parameters: the paging ones and its filters, nothing else."""

    def parsed(self) -> dict:
        """The filters' cleaned values (empty ones left out), or a ValidationError naming each
        unknown parameter and each malformed value."""
        unknown = sorted(set(self.data) - set(self.filters) - PAGING)
        errors = {name: [_("Not a parameter of this list.")] for name in unknown}
        # A choice or a flag given empty (?level=) is refused, not read as absent: its schema
        # names the values it takes. Text (q, state) may be empty: it then filters nothing.
        for name, declared in self.filters.items():
            if self.data.get(name, None) == "" and declared.field_class not in (Search, States):
                errors[name] = [_("Give a value, or leave the parameter out.")]
        if not self.is_valid():
            errors.update({name: list(messages) for name, messages in self.form.errors.items()})
        if errors:
            raise ValidationError(errors)
        return {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}


class ApplicationFilters(Declared):
    procedure = django_filters.ChoiceFilter(choices=Procedure.choices)
    state = StatesFilter(help_text=gettext_lazy("Comma-separated states, or 'open'."))
    q = SearchFilter(help_text=gettext_lazy("Part of a tracking number or subject."))
    # The running clock's level today, as each row's ``standing.level`` reads it
    # (Application.level_on; in SQL ApplicationQuerySet.with_level): "none" when no clock runs.
    level = django_filters.ChoiceFilter(
        choices=[(level, level) for level in URGENCY_ORDER if level != "paused"],
        help_text=gettext_lazy("The alert level today: severe, red, yellow, green, or none when no clock runs."),
    )

    class Meta:
        model = Application
        fields: list[str] = []


class NotificationFilters(Declared):
    unread = FlagFilter(help_text=gettext_lazy("Unread only."))

    class Meta:
        model = Notification
        fields: list[str] = []


class AlertFilters(Declared):
    level = django_filters.ChoiceFilter(choices=AlertLevel.choices)
    active = FlagFilter(help_text=gettext_lazy("Not yet cleared only."))

    class Meta:
        model = Alert
        fields: list[str] = []


class DocumentFilters(Declared):
    """An application's documents: no filters, only the pages."""

    class Meta:
        model = Document
        fields: list[str] = []


class Filters(DjangoFilterBackend):
    """The schema's view of a list's ``filterset_class``; the filtering itself is the selector's,
    with the values the view parsed."""

    def filter_queryset(self, request, queryset, view):
        return queryset


def parsed(filterset_class: type[Declared], request) -> dict:
    return filterset_class(request.query_params, queryset=filterset_class._meta.model.objects.none()).parsed()
