"""Applications: their states, the level rule and the stored clocks, the two state machines (the
case and its extension).

Transition methods only change the application's own fields: no queries, no mail. Every caller
goes through ``approvals.workflow``, which checks permissions, saves, writes the audit row and
recomputes the clocks. The working-day arithmetic lives in ``approvals.calendar``."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from approvals import permissions
from approvals.models.people import Department, Organisation
from approvals.models.policies import Policy, Procedure
from approvals.models.states import (
    CLOSED_STATES,
    LEVEL_COLUMNS,
    LEVEL_RULE,
    OPEN_STATES,
    RUNNING_DUE,
    URGENCY_ORDER,
    ClockKind,
    ExtensionState,
    State,
    VerificationMethod,
)
from approvals.roles import Role

# -- applications -----------------------------------------------------------------------------


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

#: A case its applicant may rate, as a filter (``Application.rateable``): ended after the
#: administration received it.
RATEABLE = models.Q(state__in=sorted(CLOSED_STATES), received_on__isnull=False)


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


def _clock_range(provisional: str, earliest: str, latest: str) -> tuple[models.Field, models.Field, models.Field]:
    """A clock's provisional mark and, while it is provisional, its earliest and latest due dates."""
    return (
        models.BooleanField(provisional, default=False),
        models.DateField(earliest, null=True, blank=True),
        models.DateField(latest, null=True, blank=True),
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

    def rateable(self) -> ApplicationQuerySet:
        """Cases their applicant may rate, as ``Application.rateable``."""
        return self.filter(RATEABLE)

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
    acceptance_provisional, acceptance_earliest, acceptance_latest = _clock_range(
        _("acceptance deadline provisional"), _("acceptance deadline, earliest"), _("acceptance deadline, latest")
    )
    promised_provisional, promised_earliest, promised_latest = _clock_range(
        _("promised deadline provisional"), _("promised deadline, earliest"), _("promised deadline, latest")
    )
    statutory_provisional, statutory_earliest, statutory_latest = _clock_range(
        _("statutory deadline provisional"), _("statutory deadline, earliest"), _("statutory deadline, latest")
    )
    certificate_provisional, certificate_earliest, certificate_latest = _clock_range(
        _("certificate deadline provisional"), _("certificate deadline, earliest"), _("certificate deadline, latest")
    )
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
    def rateable(self) -> bool:
        """Ended after the administration received it, so that there is a service to rate (好差评):
        a decision, a refusal or a withdrawal of a case it had. A filing withdrawn while at its
        access provider (or a draft) never reached it: ``received_on`` is set only on receipt."""
        return self.state in CLOSED_STATES and self.received_on is not None

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
