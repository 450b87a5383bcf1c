"""The approvals domain's data.

People and organisations; applications with their state machines and precomputed clocks; the
audit trail; calendar data and the policies that set each procedure's limits.

Transition methods only change the application's own fields: no queries, no mail. Every caller
goes through ``approvals.workflow``, which checks permissions, saves, writes the audit row and
recomputes the clocks. The working-day arithmetic lives in ``approvals.calendar``.
"""

from __future__ import annotations

import os
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from approvals import credit_code, permissions
from approvals.calendar import Unit
from approvals.roles import ORGANISATION_ROLES, STAFF_ROLES, Role


class Procedure(models.TextChoices):
    TELECOM_LICENCE = "telecom_licence", _("Value-added telecom business licence")
    NUMBER_RESOURCE = "number_resource", _("Telecom number resources")
    WEBSITE_FILING = "website_filing", _("Website filing (ICP)")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")
    CALENDAR_DAYS = Unit.CALENDAR_DAYS.value, _("calendar days")


class CalendarYear(models.Model):
    """A year whose holiday schedule an administrator loaded from the State Council's notice.

    An official year's days are the law; a year that is not official (and not in the
    chinesecalendar package) follows the provisional rule and every deadline touching it says so.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    official = models.BooleanField(
        _("official"), default=True, help_text=_("The State Council's notice for this year is published and loaded.")
    )
    source = models.CharField(_("source notice"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("holiday")
    WORKDAY = "workday", _("working day")


class CalendarDay(models.Model):
    """One day of an official schedule: a holiday, or a weekend day declared a working day.

    Entries override the chinesecalendar package, date by date. ``notice_year`` is the year of
    the notice the entry came from: a notice for 2027 may also move days of December 2026, and
    loading the 2027 notice again replaces exactly the entries it brought.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    notice_year = models.PositiveSmallIntegerField(_("notice year"))
    source = models.CharField(_("source notice"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("schedule day")
        verbose_name_plural = _("schedule days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()

    @property
    def working(self) -> bool:
        return self.kind == DayKind.WORKDAY


class PolicyQuerySet(models.QuerySet):
    def in_force(self, procedure: str, on: date) -> Policy:
        """The policy for ``procedure`` whose effective date is the latest on or before ``on``."""
        policy = self.filter(procedure=procedure, effective_from__lte=on).order_by("-effective_from").first()
        if policy is None:
            raise Policy.DoesNotExist(f"no {procedure} policy is in force on {on.isoformat()}")
        return policy


class Policy(models.Model):
    """A procedure's limits from an effective date on.

    An application keeps the policy in force on its clock's start day, even after a newer one
    takes effect; a change of limits is therefore a new row, not an edit.
    """

    procedure = models.CharField(_("procedure"), max_length=32, choices=Procedure.choices)
    effective_from = models.DateField(_("effective from"))
    promised_limit = models.PositiveSmallIntegerField(_("promised limit"))
    promised_unit = models.CharField(_("promised limit unit"), max_length=16, choices=LimitUnit.choices)
    statutory_limit = models.PositiveSmallIntegerField(_("statutory limit"))
    statutory_unit = models.CharField(_("statutory limit unit"), max_length=16, choices=LimitUnit.choices)
    statutory_from_receipt = models.BooleanField(
        _("statutory clock counts from receipt"),
        default=False,
        help_text=_("The statutory limit counts from the day the application was received, not from acceptance."),
    )
    pauses_allowed = models.BooleanField(_("special procedures pause the clock"), default=True)
    max_extension = models.PositiveSmallIntegerField(
        _("maximum extension (working days)"), default=0, help_text=_("0: no extension is possible.")
    )
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["procedure", "-effective_from"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "effective_from"], name="policy_one_per_procedure_and_day"),
            models.CheckConstraint(condition=models.Q(promised_limit__gt=0), name="policy_promised_limit_positive"),
            models.CheckConstraint(condition=models.Q(statutory_limit__gt=0), name="policy_statutory_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} ({self.effective_from.isoformat()})"

    @property
    def promised(self) -> str:
        return f"{self.promised_limit} {self.get_promised_unit_display()}"

    @property
    def statutory(self) -> str:
        text = f"{self.statutory_limit} {self.get_statutory_unit_display()}"
        return _("%(limit)s from receipt") % {"limit": text} if self.statutory_from_receipt else text


# -- people and organisations -----------------------------------------------------------------


def validate_credit_code(value: str) -> None:
    problem = credit_code.problem(value)
    if problem == "length":
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    if problem == "alphabet":
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters other than I, O, S, V and Z."),
            code="alphabet",
        )
    if problem == "division":
        raise ValidationError(_("Characters 3 to 8 must be the administrative division code (digits)."))
    if problem == "check":
        raise ValidationError(
            _("The last character does not match the others (GB 32100-2015 check character): check for a typo."),
            code="check",
        )


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    ACCESS_PROVIDER = "access_provider", _("Access provider")


class Organisation(models.Model):
    """An applicant enterprise, or an access provider that forwards website filings."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.ENTERPRISE
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A division (处室) of the administration."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class ProcedureRoute(models.Model):
    """Which department handles a procedure: new applications go there."""

    procedure = models.CharField(_("procedure"), max_length=32, choices=Procedure.choices, unique=True)
    department = models.ForeignKey(Department, models.PROTECT, related_name="routes", verbose_name=_("department"))

    class Meta:
        verbose_name = _("procedure route")
        verbose_name_plural = _("procedure routes")

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} → {self.department}"


class UserManager(BaseUserManager):
    def create_superuser(self, username: str, email: str | None = None, password: str | None = None, **extra):
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """Everyone who signs in: enterprise applicants and access providers (members of an
    organisation), officers and managers (members of a department), administrators."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ENTERPRISE)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("organisation")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("department")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(ORGANISATION_ROLES)) | models.Q(organisation__isnull=False),
                name="user_organisation_roles_have_an_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(STAFF_ROLES)) | models.Q(department__isnull=False),
                name="user_staff_roles_have_a_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role in ORGANISATION_ROLES and not self.organisation_id:
            raise ValidationError(
                {"organisation": _("Enterprise and access-provider users belong to an organisation.")}
            )
        if self.role in STAFF_ROLES and not self.department_id:
            raise ValidationError({"department": _("Officers and managers belong to a department.")})


# -- applications -----------------------------------------------------------------------------


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROVIDER_REVIEW = "provider_review", _("With the access provider")
    RECEIVED = "received", _("Received, awaiting acceptance")
    CORRECTION = "correction", _("Awaiting corrections")
    UNDER_REVIEW = "under_review", _("Under review")
    PAUSED = "paused", _("Special procedure (clock paused)")
    GRANTED = "granted", _("Granted, certificate to serve")
    SERVED = "served", _("Certificate served")
    DENIED = "denied", _("Denied")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ARRIVED = "arrived", _("Filing under review")
    FILED = "filed", _("Filed")
    FILING_REFUSED = "filing_refused", _("Filing refused")


#: States in which a clock runs (or is paused): the worklist, the sweep and calendar changes look here.
OPEN_STATES = frozenset(
    {State.RECEIVED, State.CORRECTION, State.UNDER_REVIEW, State.PAUSED, State.GRANTED, State.ARRIVED}
)
CLOSED_STATES = frozenset(
    {State.SERVED, State.DENIED, State.NOT_ACCEPTED, State.WITHDRAWN, State.FILED, State.FILING_REFUSED}
)

#: The alert level rule, once: each level with the stored column of the first day it holds, most
#: serious first. ``Application.level_on`` reads it in Python and ``ApplicationQuerySet.with_level``
#: / ``by_urgency`` in SQL (tests/test_clock_model.py keeps the two equal). The columns are the
#: alert plan's days (approvals.deadlines.alert_plan), computed from each clock's earliest possible
#: due date: a guessed holiday never makes a level come late. ``red_on`` is set exactly while a
#: clock runs, so a case without it has no level ("none").
LEVEL_RULE = (("severe", "severe_on"), ("red", "red_on"), ("yellow", "yellow_on"))

#: Levels in urgency order, the worklist's first sort key: the rule's levels, then green, then
#: paused clocks (by the working days they had left), then cases without a clock.
URGENCY_ORDER = ("severe", "red", "yellow", "green", "paused", "none")

#: The columns an open case's alert level and urgency are read from (``Application.level_on`` and
#: its SQL twins): in the covering indexes of the worklist and the dashboard.
LEVEL_COLUMNS = ("clock", "severe_on", "red_on", "yellow_on", "acceptance_due", "due_date", "certificate_due")

#: The enterprise portal's first sort key: 0 for what waits for the applicant (corrections to
#: send), 1 for the rest. One definition for the portal's ORDER BY and the index that serves it
#: (application_org_portal): PostgreSQL uses an index on an expression only for that expression.
CORRECTIONS_FIRST = models.Case(
    models.When(state=State.CORRECTION, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class ExtensionState(models.TextChoices):
    NONE = "none", _("No extension")
    REQUESTED = "requested", _("Extension requested")
    APPROVED = "approved", _("Extension approved")
    REJECTED = "rejected", _("Extension rejected")


class ClockKind(models.TextChoices):
    """Which clock is running: the one the application is waiting on."""

    NONE = "none", _("No clock")
    ACCEPTANCE = "acceptance", _("Acceptance (5 working days)")
    DECISION = "decision", _("Decision")
    PAUSED = "paused", _("Paused")
    CERTIFICATE = "certificate", _("Certificate service (10 working days)")


#: Each of an application's clocks (approvals.clocks) and the stored column of its due date (the
#: best estimate); ``<clock>_provisional``, ``<clock>_earliest`` and ``<clock>_latest`` beside it.
CLOCK_DUE_COLUMNS = {
    "acceptance": "acceptance_due",
    "promised": "due_date",
    "statutory": "statutory_due",
    "certificate": "certificate_due",
}

#: The clock an application waits on, by the running ClockKind (a paused case waits on its
#: promised clock, stopped).
WAITING_CLOCK = {
    ClockKind.ACCEPTANCE: "acceptance",
    ClockKind.DECISION: "promised",
    ClockKind.PAUSED: "promised",
    ClockKind.CERTIFICATE: "certificate",
}

#: The date the running clock waits for, in SQL: the worklist's urgency order reads it.
RUNNING_DUE = models.Case(
    *(
        models.When(clock=kind, then=models.F(CLOCK_DUE_COLUMNS[clock]))
        for kind, clock in WAITING_CLOCK.items()
        if kind != ClockKind.PAUSED
    ),
    default=None,
    output_field=models.DateField(),
)


class VerificationMethod(models.TextChoices):
    FACE = "face", _("Face recognition check")
    IN_PERSON = "in_person", _("In person at the provider")
    VIDEO = "video", _("Video call")


def _licensing(app: Application) -> bool:
    return app.procedure != Procedure.WEBSITE_FILING


def _filing(app: Application) -> bool:
    return app.procedure == Procedure.WEBSITE_FILING


def _pauses_allowed(app: Application) -> bool:
    return app.policy is not None and app.policy.pauses_allowed


def _extension_possible(app: Application) -> bool:
    return app.state in (State.UNDER_REVIEW, State.PAUSED) and app.policy is not None and app.policy.max_extension > 0


def _withdrawable(app: Application) -> bool:
    # Website filings may be withdrawn only before the record reaches the administration.
    return _licensing(app) or app.state in (State.DRAFT, State.PROVIDER_REVIEW)


def _handling_officer(app: Application, user: object) -> bool:
    return permissions.is_handling_officer(app, user)


def _applicant(app: Application, user: object) -> bool:
    return permissions.is_applicant(app, user)


def _provider(app: Application, user: object) -> bool:
    return permissions.is_access_provider(app, user)


def _extension_decider(app: Application, user: object) -> bool:
    return permissions.can_decide_extension(app, user)


#: A case with a provisional clock, as a filter.
PROVISIONAL = (
    models.Q(acceptance_provisional=True)
    | models.Q(promised_provisional=True)
    | models.Q(statutory_provisional=True)
    | models.Q(certificate_provisional=True)
)


def _level_case(today: date, values: dict[str, models.Value]) -> models.Case:
    """LEVEL_RULE as one SQL CASE: the first level whose first day has come, as ``values[level]``."""
    paused = []
    if "paused" in values:
        paused = [models.When(red_on__isnull=True, clock=ClockKind.PAUSED, then=values["paused"])]
    return models.Case(
        *paused,
        models.When(red_on__isnull=True, then=values["none"]),
        *(models.When(**{f"{column}__lte": today}, then=values[level]) for level, column in LEVEL_RULE),
        default=values["green"],
    )


class ApplicationQuerySet(models.QuerySet):
    def open(self) -> ApplicationQuerySet:
        return self.filter(state__in=sorted(OPEN_STATES))

    def with_level(self, today: date) -> ApplicationQuerySet:
        """Annotate ``alert_level`` (green, yellow, red, severe or none), as ``level_on(today)``."""
        names = {level: models.Value(level) for level in (*URGENCY_ORDER,) if level != "paused"}
        return self.annotate(alert_level=_level_case(today, names))

    def by_urgency(self, today: date) -> ApplicationQuerySet:
        """Annotate ``urgency_rank`` (the index in URGENCY_ORDER of the case's level, paused clocks
        apart) and order most urgent first: by level, then by the date the running clock waits
        for (the earliest date has the fewest working days left), paused clocks by the working
        days they had left, then by tracking number. One CASE only: building and compiling these
        expressions is a good part of the worklist's time."""
        ranks = {level: models.Value(rank) for rank, level in enumerate(URGENCY_ORDER)}
        return (
            self.alias(running_due=RUNNING_DUE)
            .annotate(urgency_rank=_level_case(today, ranks))
            .order_by(
                "urgency_rank",
                models.F("running_due").asc(nulls_last=True),
                models.F("days_left_when_paused").asc(nulls_last=True),
                "tracking_number",
                "pk",
            )
        )

    def provisional(self) -> ApplicationQuerySet:
        """Cases with a clock whose date depends on a day of an unpublished schedule."""
        return self.filter(PROVISIONAL)

    def visible_to(self, user: object) -> ApplicationQuerySet:
        """Only what ``permissions.can_view`` allows, as a query."""
        role = permissions.role_of(user)
        if role == Role.ADMIN:
            return self
        if role in (Role.OFFICER, Role.MANAGER):
            return self.filter(department_id=user.department_id)
        if role == Role.ENTERPRISE:
            return self.filter(organisation_id=user.organisation_id)
        if role == Role.PROVIDER:
            return self.filter(provider_id=user.organisation_id, tracking_number__isnull=False).exclude(
                state=State.DRAFT
            )
        return self.none()


class Application(ConcurrentTransitionMixin, models.Model):
    """One application for one procedure, from draft to outcome.

    The state fields are protected: only the transition methods below change them, and only
    ``approvals.workflow`` calls those. The ``*_due`` and ``next_alert_on`` columns are
    precomputed by the workflow whenever an event or a calendar change moves them.
    """

    procedure = models.CharField(_("procedure"), max_length=32, choices=Procedure.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True, null=True, blank=True)
    query_code = models.CharField(_("query code"), max_length=12, blank=True)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    provider = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="forwarded_filings",
        verbose_name=_("access provider"),
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="applications", verbose_name=_("department")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("case officer"),
    )
    policy = models.ForeignKey(Policy, models.PROTECT, null=True, blank=True, verbose_name=_("policy"))
    subject = models.CharField(_("what is applied for"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)

    state = FSMField(_("status"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    extension_state = FSMField(
        _("extension"), default=ExtensionState.NONE, choices=ExtensionState.choices, protected=True
    )

    # Business dates (local dates, Asia/Shanghai), set by the transitions.
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    corrected_on = models.DateField(_("corrections received on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    arrived_on = models.DateField(_("reached the administration on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    last_action_on = models.DateField(_("last event on"), null=True, blank=True)

    correction_notices = models.PositiveSmallIntegerField(_("correction notices"), default=0)
    correction_items = models.TextField(_("corrections needed"), blank=True)
    deemed_accepted = models.BooleanField(_("deemed accepted"), default=False)
    extension_requested_days = models.PositiveSmallIntegerField(_("extension requested (working days)"), default=0)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension granted (working days)"), default=0)
    outcome_reasons = models.TextField(_("reasons"), blank=True)
    remedies = models.TextField(_("remedies"), blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=40, null=True, blank=True, unique=True)

    verification_method = models.CharField(
        _("identity verification method"), max_length=16, choices=VerificationMethod.choices, blank=True
    )
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    verification_reference = models.CharField(_("verification reference"), max_length=100, blank=True)

    # Live clocks, recomputed by approvals.workflow; read by the worklist's sort, the SLA sweep
    # (a range query on next_alert_on) and the reports.
    clock = models.CharField(_("clock"), max_length=16, choices=ClockKind.choices, default=ClockKind.NONE)
    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True)
    due_date = models.DateField(_("due (promised)"), null=True, blank=True, db_index=True)
    statutory_due = models.DateField(_("due (statutory)"), null=True, blank=True)
    certificate_due = models.DateField(_("certificate due"), null=True, blank=True)
    # Each clock's provisional mark and, while it is provisional, its range (approvals.clocks):
    # the due dates above are the best estimates.
    acceptance_provisional = models.BooleanField(_("acceptance deadline provisional"), default=False)
    acceptance_earliest = models.DateField(_("acceptance deadline, earliest"), null=True, blank=True)
    acceptance_latest = models.DateField(_("acceptance deadline, latest"), null=True, blank=True)
    promised_provisional = models.BooleanField(_("promised deadline provisional"), default=False)
    promised_earliest = models.DateField(_("promised deadline, earliest"), null=True, blank=True)
    promised_latest = models.DateField(_("promised deadline, latest"), null=True, blank=True)
    statutory_provisional = models.BooleanField(_("statutory deadline provisional"), default=False)
    statutory_earliest = models.DateField(_("statutory deadline, earliest"), null=True, blank=True)
    statutory_latest = models.DateField(_("statutory deadline, latest"), null=True, blank=True)
    certificate_provisional = models.BooleanField(_("certificate deadline provisional"), default=False)
    certificate_earliest = models.DateField(_("certificate deadline, earliest"), null=True, blank=True)
    certificate_latest = models.DateField(_("certificate deadline, latest"), null=True, blank=True)
    days_left_when_paused = models.SmallIntegerField(_("working days left when paused"), null=True, blank=True)
    # The first day of each alert level of the running clock (LEVEL_RULE): from the alert plan.
    yellow_on = models.DateField(_("due soon from"), null=True, blank=True)
    red_on = models.DateField(_("overdue from"), null=True, blank=True)
    severe_on = models.DateField(_("past the statutory limit from"), null=True, blank=True)
    next_alert_on = models.DateField(_("next alert on"), null=True, blank=True)
    next_alert_level = models.CharField(_("next alert level"), max_length=32, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["next_alert_on"], name="application_next_alert"),
            models.Index(fields=["officer", "state"], name="application_officer_state"),
            models.Index(fields=["department", "state"], name="application_department_state"),
            models.Index(fields=["organisation", "state"], name="application_organisation_state"),
            # The API's list, newest first, of a department's (officers, managers) or an
            # organisation's applications: a page without sorting the whole set.
            models.Index(
                models.F("department"),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="application_dept_newest",
            ),
            models.Index(
                models.F("organisation"),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="application_org_newest",
            ),
            # The enterprise portal's list: corrections to send first, then newest first
            # (approvals.views.enterprise.portal). A page reads its 30 rows from the index
            # instead of sorting all the organisation's applications.
            models.Index(
                models.F("organisation"),
                CORRECTIONS_FIRST,
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="application_org_portal",
            ),
            # The dashboard's figures: a department's decided cases by decision date
            # (approvals.reports.decided_cases), with what the per-month fingerprints read, so
            # that checking the kept months reads the index alone.
            models.Index(
                fields=["department", "decided_on", "due_date", "officer", "id"],
                name="application_dept_decided_ids",
                condition=models.Q(decided_on__isnull=False, due_date__isnull=False),
            ),
            # A department's open cases with what their alert level reads: the dashboard's
            # counts by level and officer from the index alone.
            models.Index(
                fields=["department", "officer", *LEVEL_COLUMNS, "id"],
                name="application_dept_open",
                condition=models.Q(state__in=sorted(OPEN_STATES)),
            ),
            # An officer's worklist, most urgent first (approvals.views.officer.urgency): its
            # open cases with every column the order and the counts per level read, so that
            # the page's ids and the counts come from the index alone, not from ~2,500 rows
            # spread over as many table pages.
            models.Index(
                fields=["officer", "department", *LEVEL_COLUMNS, "days_left_when_paused", "tracking_number", "id"],
                name="application_officer_open",
                condition=models.Q(state__in=sorted(OPEN_STATES)),
            ),
            # The open cases with a provisional clock: the calendar page's counts and the clocks
            # a newly loaded notice must recompute first.
            models.Index(
                fields=["department", "id"],
                name="application_provisional",
                condition=models.Q(state__in=sorted(OPEN_STATES)) & PROVISIONAL,
            ),
            # The dashboard's extension requests to decide: the few asked for, not every case
            # under review.
            models.Index(
                fields=["department", "due_date"],
                name="application_extension_asked",
                condition=models.Q(extension_state="requested"),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number or _("draft %(id)s") % {"id": self.pk}

    # -- derived ------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def repeated_correction(self) -> bool:
        """A second correction notice breaks the one-notice duty (一次告知): flagged in reports."""
        return self.correction_notices > 1

    def level_on(self, day: date) -> str:
        """The running clock's alert level on ``day``: green, yellow, red or severe; "none" for a
        paused or stopped clock. LEVEL_RULE read from the stored columns (no query)."""
        if self.red_on is None:
            return "none"
        for level, column in LEVEL_RULE:
            first = getattr(self, column)
            if first is not None and day >= first:
                return level
        return "green"

    @property
    def clock_start(self) -> date | None:
        return self.arrived_on if self.procedure == Procedure.WEBSITE_FILING else self.accepted_on

    # -- the state machine ----------------------------------------------------------------------
    # Each method only sets this application's fields; approvals.workflow does the rest.

    @transition(state, source=State.DRAFT, target=State.RECEIVED, conditions=[_licensing], permission=_applicant)
    def submit(self, on: date) -> None:
        self.received_on = on

    @transition(state, source=State.DRAFT, target=State.PROVIDER_REVIEW, conditions=[_filing], permission=_applicant)
    def submit_to_provider(self, on: date) -> None:
        self.received_on = None

    @transition(state, source=State.PROVIDER_REVIEW, target=State.DRAFT, conditions=[_filing], permission=_provider)
    def return_to_applicant(self, on: date, reasons: str) -> None:
        self.outcome_reasons = reasons

    @transition(state, source=State.PROVIDER_REVIEW, target=State.ARRIVED, conditions=[_filing], permission=_provider)
    def forward_to_administration(self, on: date, method: str, verified_at, reference: str) -> None:
        self.verification_method = method
        self.verified_at = verified_at
        self.verification_reference = reference
        self.received_on = on
        self.arrived_on = on
        self.outcome_reasons = ""

    @transition(
        state, source=State.RECEIVED, target=State.UNDER_REVIEW, conditions=[_licensing], permission=_handling_officer
    )
    def accept(self, on: date) -> None:
        # When corrections completed the application, the day they arrived is the acceptance day;
        # after the 5 working days the law has already deemed it accepted as of receipt.
        late = self.acceptance_due is not None and on > self.acceptance_due
        self.accepted_on = (self.corrected_on or self.received_on) if late else (self.corrected_on or on)
        self.deemed_accepted = late

    @transition(
        state, source=State.RECEIVED, target=State.UNDER_REVIEW, conditions=[_licensing], permission=permissions.nobody
    )
    def deem_accepted(self, on: date) -> None:
        # 逾期不告知的，自收到申请材料之日起即为受理: the clock starts from the receipt (or
        # from the day the corrections arrived).
        self.accepted_on = self.corrected_on or self.received_on
        self.deemed_accepted = True

    @transition(
        state, source=State.RECEIVED, target=State.NOT_ACCEPTED, conditions=[_licensing], permission=_handling_officer
    )
    def refuse_to_accept(self, on: date, reasons: str) -> None:
        self.outcome_reasons = reasons
        self.closed_on = on

    @transition(
        state, source=State.RECEIVED, target=State.CORRECTION, conditions=[_licensing], permission=_handling_officer
    )
    def request_correction(self, on: date, items: str) -> None:
        self.correction_notices += 1
        self.correction_items = items

    @transition(state, source=State.CORRECTION, target=State.RECEIVED, conditions=[_licensing], permission=_applicant)
    def resubmit(self, on: date) -> None:
        self.corrected_on = on

    @transition(
        state,
        source=State.UNDER_REVIEW,
        target=State.PAUSED,
        conditions=[_licensing, _pauses_allowed],
        permission=_handling_officer,
    )
    def start_special_procedure(self, on: date) -> None:
        pass  # the SpecialProcedure row records it; the clock is recomputed by the workflow

    @transition(state, source=State.PAUSED, target=State.UNDER_REVIEW, permission=_handling_officer)
    def end_special_procedure(self, on: date) -> None:
        pass

    @transition(
        state, source=State.UNDER_REVIEW, target=State.GRANTED, conditions=[_licensing], permission=_handling_officer
    )
    def grant(self, on: date, reasons: str = "") -> None:
        self.decided_on = on
        self.outcome_reasons = reasons

    @transition(
        state, source=State.UNDER_REVIEW, target=State.DENIED, conditions=[_licensing], permission=_handling_officer
    )
    def deny(self, on: date, reasons: str, remedies: str) -> None:
        self.decided_on = on
        self.closed_on = on
        self.outcome_reasons = reasons
        self.remedies = remedies

    @transition(state, source=State.GRANTED, target=State.SERVED, permission=_handling_officer)
    def serve_certificate(self, on: date, certificate_number: str) -> None:
        self.certificate_number = certificate_number
        self.closed_on = on

    @transition(state, source=State.ARRIVED, target=State.FILED, conditions=[_filing], permission=_handling_officer)
    def file(self, on: date, filing_number: str) -> None:
        self.filing_number = filing_number
        self.decided_on = on
        self.closed_on = on

    @transition(
        state, source=State.ARRIVED, target=State.FILING_REFUSED, conditions=[_filing], permission=_handling_officer
    )
    def refuse_filing(self, on: date, reasons: str) -> None:
        self.outcome_reasons = reasons
        self.decided_on = on
        self.closed_on = on

    @transition(
        state,
        source=[State.DRAFT, State.PROVIDER_REVIEW, State.RECEIVED, State.CORRECTION, State.UNDER_REVIEW, State.PAUSED],
        target=State.WITHDRAWN,
        conditions=[_withdrawable],
        permission=_applicant,
    )
    def withdraw(self, on: date, reason: str) -> None:
        self.outcome_reasons = reason
        self.closed_on = on

    # -- the extension, a second machine on the same application ---------------------------

    @transition(
        extension_state,
        source=[ExtensionState.NONE, ExtensionState.REJECTED],
        target=ExtensionState.REQUESTED,
        conditions=[_extension_possible],
        permission=_handling_officer,
    )
    def request_extension(self, on: date, days: int, reason: str) -> None:
        self.extension_requested_days = days
        self.extension_reason = reason

    @transition(
        extension_state,
        source=ExtensionState.REQUESTED,
        target=ExtensionState.APPROVED,
        conditions=[_extension_possible],
        permission=_extension_decider,
    )
    def approve_extension(self, on: date) -> None:
        self.extension_days = self.extension_requested_days

    @transition(
        extension_state,
        source=ExtensionState.REQUESTED,
        target=ExtensionState.REJECTED,
        conditions=[_extension_possible],  # a request left pending by a decision is moot
        permission=_extension_decider,
    )
    def reject_extension(self, on: date) -> None:
        pass


class SpecialProcedureKind(models.TextChoices):
    HEARING = "hearing", _("Hearing (听证)")
    TENDER = "tender", _("Tender (招标)")
    AUCTION = "auction", _("Auction (拍卖)")
    TESTING = "testing", _("Inspection or testing (检验、检测)")
    QUARANTINE = "quarantine", _("Quarantine (检疫)")
    APPRAISAL = "appraisal", _("Appraisal (鉴定)")
    EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")
    SITE_CHECK = "site_check", _("On-site check (实地核查)")


class SpecialProcedure(models.Model):
    """A special procedure (行政许可法 art. 45) whose time is not counted: the clock stops at the
    end of ``started_on`` and counts again after ``ended_on``."""

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="special_procedures", verbose_name=_("application")
    )
    kind = models.CharField(_("type"), max_length=20, choices=SpecialProcedureKind.choices)
    basis = models.CharField(_("legal basis"), max_length=300)
    notice_date = models.DateField(_("applicant told in writing on"))
    expected_end = models.DateField(_("expected to end on"))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="special_procedure_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}–{self.ended_on or '…'}"


class PrivateStorage(FileSystemStorage):
    """Uploaded materials live outside the web root (settings.PRIVATE_MEDIA_ROOT, read on each
    use) and have no URL: they are served only through a view that checks permissions."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("materials have no public URL; serve them through a permission-checked view")


private_storage = PrivateStorage()


def material_path(material: Material, filename: str) -> str:
    return f"materials/{material.application_id}/{material.sha256[:16]}-{filename}"


class Material(models.Model):
    """A file an applicant submitted, checked for type and size on the way in."""

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="materials", verbose_name=_("application")
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=material_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class TrackingSequence(models.Model):
    """The last tracking number issued per procedure and year (incremented under a row lock)."""

    procedure = models.CharField(max_length=32, choices=Procedure.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["procedure", "year"], name="tracking_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.procedure} {self.year}: {self.last}"


# -- the audit trail --------------------------------------------------------------------------


class AuditEvent(models.Model):
    """One thing that happened to an application, by whom, hash-chained to the event before.

    Written only by approvals.workflow (through approvals.audit), never updated or deleted: the
    chain makes an edit or a removal detectable (``approvals.audit.verify_chain``). It is also
    the outbox for notifications (``notified_at``, which the hash does not cover).
    """

    application = models.ForeignKey(
        Application, models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("application")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: the system."),
    )
    at = models.DateTimeField(_("recorded at"))
    on = models.DateField(_("date"))
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    notified_at = models.DateTimeField(_("notifications sent at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        from approvals.labels import ACTIONS

        return f"{self.on} {ACTIONS.get(self.action, self.action)}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are never deleted")


class AuditHead(models.Model):
    """The end of the audit chain: its row lock serialises appends, and it remembers the last
    hash so that removing the newest events is detectable too."""

    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, last {self.last_hash[:12]}"


class Notification(models.Model):
    """An in-app message to one user; its text is made, in the reader's language, from ``kind``
    and ``data`` (approvals.notifications.text)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    application = models.ForeignKey(
        Application, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("application")
    )
    event = models.ForeignKey(
        AuditEvent, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("audit event")
    )
    kind = models.CharField(_("kind"), max_length=40)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The email copy (outbox): sent by approvals.notifications.send_emails, retried until it goes.
    email = models.BooleanField(_("by email too"), default=False)
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_error = models.CharField(_("last email error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email", "emailed_at"], name="notification_email_outbox"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="notification_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class AlertClock(models.TextChoices):
    ACCEPTANCE = "acceptance", _("acceptance")
    DECISION = "decision", _("decision")
    CERTIFICATE = "certificate", _("certificate service")


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", _("due soon")
    RED = "red", _("overdue")
    SEVERE = "severe", _("past the statutory limit")
    DEEMED = "deemed", _("deemed accepted")


class Alert(models.Model):
    """A level a clock reached, raised once by the SLA sweep (approvals.sla).

    At most one active alert per application, clock and level (a unique constraint): raising is
    idempotent. When a due date moves so that the level no longer holds (an extension, a calendar
    change), the workflow clears the alert (``cleared_on``) and the level is armed again.
    """

    application = models.ForeignKey(Application, models.CASCADE, related_name="alerts", verbose_name=_("application"))
    clock = models.CharField(_("clock"), max_length=16, choices=AlertClock.choices)
    level = models.CharField(_("level"), max_length=16, choices=AlertLevel.choices)
    due = models.DateField(_("due date then"), null=True, blank=True)
    raised_on = models.DateField(_("raised on"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "clock", "level"],
                condition=models.Q(cleared_on__isnull=True),
                name="alert_once_per_application_clock_level",
            )
        ]
        indexes = [models.Index(fields=["level", "cleared_on"], name="alert_active_level")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.clock}:{self.level}"


class Digest(models.Model):
    """The morning digest an officer was sent on a day: one a day, whatever runs twice."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    day = models.DateField()
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["officer", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.day}"


# -- ratings (好差评) --------------------------------------------------------------------------

RATING_BAD_AT_MOST = 2  # the bottom two of five are bad ratings that need follow-up
RATING_FOLLOW_UP_DAYS = 15  # working days to follow a bad rating up


class RatingLevel(models.IntegerChoices):
    VERY_BAD = 1, _("Very dissatisfied")
    BAD = 2, _("Dissatisfied")
    FAIR = 3, _("Fair")
    GOOD = 4, _("Satisfied")
    VERY_GOOD = 5, _("Very satisfied")


class Rating(models.Model):
    """The applicant's rating of the service once a case has ended (好差评). A bad rating (the
    bottom two levels) must be followed up by the department within 15 working days."""

    application = models.OneToOneField(
        Application, models.CASCADE, related_name="rating", verbose_name=_("application")
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=RatingLevel.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    rated_on = models.DateField(_("rated on"))
    follow_up_due = models.DateField(_("follow up by"), null=True, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    follow_up_note = models.TextField(_("follow-up"), blank=True)

    class Meta:
        ordering = ["-rated_on", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level <= RATING_BAD_AT_MOST


# -- service appointments (预约办 / 上门办) ---------------------------------------------------------


class AppointmentKind(models.TextChoices):
    WINDOW = "window", _("At the service window (预约办)")
    ONSITE = "onsite", _("On-site visit (上门办)")


class AppointmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(FSMModelMixin, models.Model):
    """An enterprise's booking of a slot at the service window, or its request for an on-site
    visit; officers of the department confirm (or decline) it.

    The status is protected: only the transition methods below change it, and only the
    workflow's appointment functions call them, each writing the change to the audit trail."""

    kind = models.CharField(_("kind"), max_length=10, choices=AppointmentKind.choices)
    status = FSMField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.REQUESTED,
        protected=True,
    )
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="appointments", verbose_name=_("organisation")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="appointments", verbose_name=_("department")
    )
    procedure = models.CharField(_("procedure"), max_length=32, choices=Procedure.choices)
    application = models.ForeignKey(
        Application, models.SET_NULL, null=True, blank=True, related_name="appointments", verbose_name=_("application")
    )
    day = models.DateField(_("day"))
    slot = models.CharField(_("time"), max_length=11)  # "08:30-09:30"
    purpose = models.CharField(_("purpose"), max_length=300)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("officer")
    )
    reply = models.CharField(_("reply"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["day", "slot", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["department", "day"], name="appointment_department_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day} {self.slot}"

    # -- transitions (called only by approvals.workflow) --------------------------------------

    @transition(field=status, source=AppointmentStatus.REQUESTED, target=AppointmentStatus.CONFIRMED)
    def confirm(self, officer: User, reply: str = "") -> None:
        self.handled_by = officer
        self.reply = reply

    @transition(field=status, source=AppointmentStatus.REQUESTED, target=AppointmentStatus.DECLINED)
    def decline(self, officer: User, reply: str) -> None:
        self.handled_by = officer
        self.reply = reply

    @transition(
        field=status,
        source=[AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED],
        target=AppointmentStatus.CANCELLED,
    )
    def cancel(self) -> None:
        pass


class CalendarJob(models.Model):
    """An administrator's upload of a year's schedule, previewed then applied in the background
    (a large recompute reports its progress here)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"))
    file_name = models.CharField(_("file"), max_length=200)
    source = models.CharField(_("source notice"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    content = models.TextField()  # the file as uploaded, re-read when applied
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    preview = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    result = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar upload")
        verbose_name_plural = _("calendar uploads")

    def __str__(self) -> str:
        return f"{self.year} {self.file_name} ({self.status})"


# -- calendar feeds ---------------------------------------------------------------------------


class CalendarFeed(models.Model):
    """An officer's or manager's secret calendar address (approvals.feeds): the due dates of
    their open cases, which a calendar app fetches without signing in.

    Only the token's SHA-256 is stored: the address is shown once, when it is made, and a lost
    address is replaced (regenerated), never recovered. A user has at most one active feed; a
    revoked one is kept, with ``revoked_at``, as the record of when the address stopped working.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="calendar_feeds", verbose_name=_("user")
    )
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Touched at most every few minutes (approvals.feeds.TOUCH_EVERY): calendar apps poll.
    last_used_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="calendar_feed_one_active_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})" if self.created_at else str(self.user)

    @property
    def active(self) -> bool:
        return self.revoked_at is None
