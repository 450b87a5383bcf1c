"""What the API says about applications, and what it accepts."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from approvals import actions, permissions, timeline, workflow
from approvals import details as details_rules
from approvals.addresses import per_pk
from approvals.clocks import KINDS
from approvals.inputs import storable
from approvals.labels import translated
from approvals.models import (
    VERIFICATION_FIELDS,
    Alert,
    Application,
    CalendarDay,
    Material,
    Notification,
    Organisation,
    OrganisationKind,
    Procedure,
    Rating,
    SpecialProcedure,
    State,
    VerificationMethod,
)
from approvals.notifications import text as notification_text


class ChoiceNameField(serializers.CharField):
    """A choice's name in the request's language, what ``get_<field>_display()`` says, read from
    the value (``source``). The names are translated once per serializer and language, not per
    row: get_<field>_display hashes, and so translates, every choice's lazy name on each call,
    and a method as a field's source costs DRF an ``inspect.signature`` per row."""

    def __init__(self, choices: type[models.Choices], **kwargs) -> None:
        self.choice_class = choices
        self._names: dict[str | None, dict[str, str]] = {}
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: str) -> str:
        language = get_language()
        names = self._names.get(language)
        if names is None:
            names = self._names[language] = translated(self.choice_class.choices)
        return names.get(value, value)


class ClockSerializer(serializers.Serializer):
    """One of an application's clocks (approvals.clocks)."""

    kind = serializers.ChoiceField(choices=KINDS, help_text=_("acceptance, promised, statutory or certificate."))
    label = serializers.CharField(help_text=_("The clock's name in the request's language, e.g. 承诺期限."))
    due = serializers.DateField(
        allow_null=True, help_text=_("The due date (the best estimate while provisional); null while paused.")
    )
    status = serializers.ChoiceField(
        choices=["running", "paused", "met", "missed", "stopped"],
        help_text=_("running, paused, met or missed (the case was decided by / after the due date), or stopped."),
    )
    running = serializers.BooleanField()
    days_left = serializers.IntegerField(
        allow_null=True, help_text=_("Working days left to the due date; negative: overdue by that many.")
    )
    level = serializers.CharField(help_text=_("green, yellow, red, severe, or none when the clock does not run."))
    provisional = serializers.BooleanField(
        help_text=_("The due date depends on a day of a year whose holiday schedule is not yet published.")
    )
    due_earliest = serializers.DateField(
        source="earliest", allow_null=True, help_text=_("While provisional: the earliest possible due date.")
    )
    due_latest = serializers.DateField(
        source="latest", allow_null=True, help_text=_("While provisional: the latest possible due date.")
    )
    reason = serializers.CharField(help_text=_("While provisional: why, with the range; else empty."))


class StandingSerializer(serializers.Serializer):
    """Deprecated: the primary clock's fields; read ``clocks`` instead."""

    clock = serializers.CharField(help_text=_("The running clock: acceptance, decision, paused, certificate or none."))
    level = serializers.CharField(help_text=_("green, yellow, red, severe, or none when no clock runs."))
    due = serializers.DateField(allow_null=True)
    statutory_due = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(
        allow_null=True, help_text=_("Working days left to the due date; negative: overdue by that many.")
    )
    provisional = serializers.BooleanField(
        help_text=_("The date depends on a year whose holiday schedule is not yet published.")
    )


#: Kept for one release beside ``clocks`` (docs/api.md): read ``clocks`` instead.
DEPRECATED_CLOCK_FIELDS = ["acceptance_due", "due_date", "statutory_due", "certificate_due", "provisional", "standing"]


@extend_schema_serializer(deprecate_fields=DEPRECATED_CLOCK_FIELDS)
class ApplicationSerializer(serializers.ModelSerializer):
    """An application in a list: its status and deadlines (``clocks``)."""

    procedure_label = ChoiceNameField(Procedure, source="procedure")
    state_label = ChoiceNameField(State, source="state")
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    officer = serializers.CharField(read_only=True, allow_null=True)  # str(the officer), or null
    clocks = ClockSerializer(source="standing.clocks", many=True, read_only=True)
    standing = StandingSerializer(read_only=True)
    provisional = serializers.BooleanField(
        source="standing.provisional", read_only=True, help_text=_("Deprecated: read clocks[].provisional.")
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "url",
            "tracking_number",
            "procedure",
            "procedure_label",
            "subject",
            "state",
            "state_label",
            "extension_state",
            "organisation",
            "officer",
            "received_on",
            "accepted_on",
            "arrived_on",
            "decided_on",
            "acceptance_due",
            "due_date",
            "statutory_due",
            "certificate_due",
            "provisional",
            "standing",
            "clocks",
            "created_at",
        ]
        read_only_fields = fields

    def get_url(self, app: Application) -> str:
        return self._detail_url(app.pk)

    @cached_property
    def _detail_url(self) -> Callable[[int], str]:
        """One reverse() for all the rows of a list (they share this serializer), not one per row."""
        return per_pk("api:application-detail")


class MaterialSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = ["id", "name", "description", "content_type", "size", "sha256", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, material: Material) -> str:
        return reverse("api:application-material-download", args=[material.application_id, material.pk])


class MaterialUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, JPEG, PNG or OFD; the size limit is the server's UPLOAD_MAX_MB."))
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SpecialProcedureSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = SpecialProcedure
        fields = ["kind", "kind_label", "basis", "notice_date", "expected_end", "started_on", "ended_on"]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.Serializer):
    on = serializers.DateField()
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    actor = serializers.CharField(allow_blank=True)


class ExplanationSerializer(serializers.Serializer):
    acceptance = serializers.ListField(child=serializers.CharField())
    promised = serializers.ListField(child=serializers.CharField())
    statutory = serializers.ListField(child=serializers.CharField())
    certificate = serializers.ListField(child=serializers.CharField())


class RatingSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Rating
        fields = [
            "level",
            "level_label",
            "comment",
            "rated_on",
            "follow_up_due",
            "followed_up_on",
            "follow_up_note",
        ]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    """An application with everything its page shows: clocks, timeline, materials, actions."""

    department = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)
    provider = serializers.CharField(source="provider.name", read_only=True, allow_null=True, default=None)
    query_code = serializers.SerializerMethodField()
    # Declared: a generated read-only field drops allow_blank, and the schema would not allow "".
    verification_method = serializers.ChoiceField(
        choices=VerificationMethod.choices, allow_blank=True, read_only=True, help_text=_("Blank until verified.")
    )
    materials = MaterialSerializer(many=True, read_only=True)
    special_procedures = SpecialProcedureSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "details",
            "department",
            "provider",
            "query_code",
            "corrected_on",
            "closed_on",
            "correction_notices",
            "correction_items",
            "deemed_accepted",
            "extension_requested_days",
            "extension_reason",
            "extension_days",
            "outcome_reasons",
            "remedies",
            "certificate_number",
            "filing_number",
            *VERIFICATION_FIELDS,
            "days_left_when_paused",
            "materials",
            "special_procedures",
            "timeline",
            "explanation",
            "available_actions",
            "rating",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_query_code(self, app: Application) -> str | None:
        """For the public lookup: the applicant's members only."""
        user = self.context["request"].user
        return app.query_code or None if permissions.is_applicant(app, user) else None

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, app: Application) -> list[dict]:
        return [entry.__dict__ for entry in timeline.events(app)]

    @extend_schema_field(ExplanationSerializer)
    def get_explanation(self, app: Application) -> dict:
        explained = timeline.explanation(app)
        return {
            "acceptance": explained.acceptance,
            "promised": explained.promised,
            "statutory": explained.statutory,
            "certificate": explained.certificate,
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, app: Application) -> list[str]:
        return workflow.available_actions(app, self.context["request"].user)

    @extend_schema_field(RatingSerializer(allow_null=True))
    def get_rating(self, app: Application) -> dict | None:
        """The applicant's rating once the case has ended (好差评), or null."""
        rating = Rating.objects.filter(application=app).first()
        return RatingSerializer(rating).data if rating else None


def storable_text(value: object) -> None:
    """Refuse, as bad input rather than a server error, what the database cannot store (a NUL, a
    lone surrogate) anywhere in a free-form dict: approvals.inputs.storable, as DRF's error."""
    try:
        storable(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


def valid_details(procedure: str, data: dict) -> dict:
    """``data`` with its details cleaned by approvals.details in draft mode (what the enterprise
    forms check), or a ValidationError naming each field as ``details.<field>`` (``details``
    for the details as a whole), with the forms' messages."""
    if "details" not in data:
        return data
    try:
        cleaned = details_rules.clean(procedure, data["details"], details_rules.DRAFT)
    except details_rules.DetailsInvalid as exc:
        raise serializers.ValidationError(exc.fields()) from None
    return {**data, "details": cleaned}


DETAILS_HELP = _(
    "The procedure's details, checked as the enterprise forms check them (a draft may leave fields out). "
    "telecom_licence: categories (codes such as B25), coverage; number_resource: number_type, quantity "
    "(1 to 10000), code (digits), purpose; website_filing: website, domains (at most 20)."
)


class ApplicationCreateSerializer(serializers.Serializer):
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    subject = serializers.CharField(max_length=300, help_text=_("What is applied for."))
    details = serializers.DictField(required=False, validators=[storable_text], help_text=DETAILS_HELP)
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.ACCESS_PROVIDER),
        required=False,
        allow_null=True,
        help_text=_("Website filings: the access provider (an organisation id)."),
    )

    def validate(self, data: dict) -> dict:
        return valid_details(data["procedure"], data)


class ApplicationUpdateSerializer(serializers.Serializer):
    """A draft's new subject and details; the context's ``procedure`` is the draft's."""

    subject = serializers.CharField(max_length=300)
    details = serializers.DictField(required=False, validators=[storable_text], help_text=DETAILS_HELP)
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.ACCESS_PROVIDER), required=False, allow_null=True
    )

    def validate(self, data: dict) -> dict:
        return valid_details(self.context["procedure"], data)


class RateSerializer(serializers.Serializer):
    level = serializers.IntegerField(
        min_value=1, max_value=5, help_text=_("1 (very dissatisfied) to 5 (very satisfied); 1 and 2 are followed up.")
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FollowUpSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=_("How the bad rating was followed up."))


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "application", "data", "created_at", "read_at"]
        read_only_fields = fields

    def get_text(self, notification: Notification) -> str:
        return notification_text(notification)


class AlertSerializer(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="application.tracking_number", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "application", "tracking_number", "clock", "level", "due", "raised_on", "cleared_on"]
        read_only_fields = fields


class CalendarYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    official = serializers.BooleanField()
    source = serializers.CharField(allow_blank=True)


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "notice_year", "source"]
        read_only_fields = fields


class ScheduleUploadSerializer(serializers.Serializer):
    """A year's schedule to preview: a file, or its text (either one)."""

    file = serializers.FileField(
        required=False,
        help_text=_(
            "A holiday-cn JSON file, a CSV with the header date,type,name, or the State Council's notice "
            "as published (a .txt file); at most 1 MB. Or send text instead."
        ),
    )
    text = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=1024 * 1024,
        help_text=_(
            "The notice's text as published (国务院办公厅关于YYYY年部分节假日安排的通知), or holiday-cn JSON "
            "or CSV text; instead of a file."
        ),
    )
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=9998,
        help_text=_("The notice's year, if the text does not say it (a notice's title does)."),
    )
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("The notice's title or address (default: the file's papers, or the notice's title and number)."),
    )
    correction = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Merge into the year's loaded schedule date by date instead of replacing it (a follow-up notice "
            "is a correction by itself); a file with a single day must be one."
        ),
    )

    def validate(self, data: dict) -> dict:
        has_file, has_text = data.get("file") is not None, bool(data.get("text", "").strip())
        if has_file == has_text:
            raise serializers.ValidationError(
                {"file": [_("Send a file or the notice's text, not both.") if has_file else _("Send a file or text.")]}
            )
        return data


class CalendarMoveSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    tracking_number = serializers.CharField(allow_blank=True)
    clock = serializers.CharField(help_text=_("The clock whose due date moves: acceptance, promised, statutory, …"))
    old = serializers.DateField(allow_null=True)
    new = serializers.DateField(allow_null=True)
    shift = serializers.IntegerField(
        allow_null=True, help_text=_("Working days from the old to the new due date, on the new calendar.")
    )


class CalendarPreviewSerializer(serializers.Serializer):
    """A previewed schedule upload: what loading it would do. Nothing is loaded until it is
    confirmed (POST its confirm address)."""

    id = serializers.IntegerField()
    url = serializers.CharField(help_text=_("This preview's address."))
    confirm = serializers.CharField(help_text=_("POST here to load it (once)."))
    status = serializers.CharField(help_text=_("previewed (to confirm), queued, running, done or failed (see result)."))
    result = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField()
    correction = serializers.BooleanField()
    replaces = serializers.ListField(
        child=serializers.CharField(), help_text=_("A correction's festivals whose loaded days it replaces.")
    )
    file_name = serializers.CharField()
    source = serializers.CharField(allow_blank=True)
    entries = serializers.IntegerField()
    holidays = serializers.IntegerField()
    workdays = serializers.IntegerField()
    first = serializers.DateField()
    last = serializers.DateField()
    was_official = serializers.BooleanField()
    applications = serializers.IntegerField(help_text=_("Open applications with a due date that moves."))
    provisional = serializers.IntegerField()
    become_official = serializers.IntegerField()
    stay_provisional = serializers.IntegerField()
    moves = CalendarMoveSerializer(many=True)
    created_at = serializers.DateTimeField()


def serializer_for_form(name: str, form_class: type[forms.Form]) -> type[serializers.Serializer]:
    """The schema's description of an action's request body, made from the action's form (which
    alone validates the body: approvals.api.views.ActionView). File fields are left out
    (materials have their own endpoint)."""
    fields: dict[str, serializers.Field] = {}
    for field_name, field in form_class.base_fields.items():
        common = {"required": field.required, "help_text": field.help_text or None, "label": field.label}
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.ModelChoiceField):
            fields[field_name] = serializers.IntegerField(**common)
        elif isinstance(field, forms.ChoiceField):
            fields[field_name] = serializers.ChoiceField(choices=field.choices, **common)
        elif isinstance(field, forms.IntegerField):
            fields[field_name] = serializers.IntegerField(
                min_value=field.min_value, max_value=field.max_value, **common
            )
        elif isinstance(field, forms.DateTimeField):
            fields[field_name] = serializers.DateTimeField(**common)
        elif isinstance(field, forms.DateField):
            fields[field_name] = serializers.DateField(**common)
        else:
            fields[field_name] = serializers.CharField(
                max_length=getattr(field, "max_length", None), allow_blank=not field.required, **common
            )
    camel = "".join(part.capitalize() for part in name.split("_"))
    return type(f"{camel}Serializer", (serializers.Serializer,), fields)  # the schema names it {camel}Request


#: Each action's body as the schema describes it, by the action's name: made once, so that the
#: schema's component for it is one class ({Camel}Request).
ACTION_BODIES: dict[str, type[serializers.Serializer]] = {
    name: serializer_for_form(name, action.form) for name, action in actions.ACTIONS.items()
}
