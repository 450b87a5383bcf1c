"""An application's states and its clocks' vocabulary: the states of the two state machines
(the case's and its extension's), which states are open or closed, the running clock's kinds,
the stored clock columns (``CLOCK_COLUMNS``), the level rule (``LEVEL_RULE``) and the SQL
expressions the lists sort by. ``applications`` builds the model on them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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

#: The stored clocks: what ``workflow.refresh_clocks`` writes and ``clocks.standing`` reads.
CLOCK_COLUMNS = (
    "clock",
    *CLOCK_DUE_COLUMNS.values(),
    *(f"{kind}_{part}" for kind in CLOCK_DUE_COLUMNS for part in ("provisional", "earliest", "latest")),
    "days_left_when_paused",
    "yellow_on",
    "red_on",
    "severe_on",
)

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


#: The identity verification an access provider forwards with a website filing: what the API's
#: detail, the admin and the case page (for the staff who decide) show of it.
VERIFICATION_FIELDS = ("verification_method", "verified_at", "verification_reference")


class VerificationMethod(models.TextChoices):
    FACE = "face", _("Face recognition check")
    IN_PERSON = "in_person", _("In person at the provider")
    VIDEO = "video", _("Video call")
