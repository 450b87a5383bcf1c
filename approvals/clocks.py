"""An application's clocks as every reader shows them: one model for the screens, the feeds, the
emails, the reports and the API.

An application has up to four clocks (docs/domain.md):

* ``acceptance`` (受理期限): 5 working days from receipt, or from the day the corrections arrived,
  to accept, refuse or ask for corrections; it runs while the application waits for acceptance;
* ``promised`` (承诺期限): the administration's promised limit, from the clock's start;
* ``statutory`` (法定期限): the statutory limit, from the same start (the licence's 60 days from
  receipt);
* ``certificate`` (证书送达期限): 10 working days from the grant to serve the certificate.

For each: its due date (the best estimate while it is provisional), whether it runs, is paused,
was met or missed, the working days left, its alert level and whether it is provisional, with
its range then (earliest: every uncertain day of an unpublished year worked; latest: every one
taken off). Everything is read from the application's stored columns, which the workflow keeps
(``approvals.workflow.refresh_clocks``): no query. The level rule itself is
``approvals.models.LEVEL_RULE`` (``Application.level_on`` and the QuerySet's ``with_level`` /
``by_urgency``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.calendar import WorkCalendar
from approvals.models import CLOCK_COLUMNS, CLOCK_DUE_COLUMNS, WAITING_CLOCK, ClockKind, State

if TYPE_CHECKING:
    from approvals.models import Application

KINDS = ("acceptance", "promised", "statutory", "certificate")

LABELS = {
    "acceptance": gettext_lazy("Acceptance deadline"),
    "promised": gettext_lazy("Promised deadline"),
    "statutory": gettext_lazy("Statutory deadline"),
    "certificate": gettext_lazy("Certificate service deadline"),
}

#: Between the items of a list in a sentence: ", " in English, "、" in Chinese.
LIST_SEPARATOR = gettext_lazy(", ")

Status = Literal["running", "paused", "met", "missed", "stopped"]

#: Decided states: the promised and statutory clocks were met or missed on ``decided_on``.
DECIDED = frozenset({State.GRANTED, State.SERVED, State.DENIED, State.FILED, State.FILING_REFUSED})


@dataclass(frozen=True)
class ClockView:
    """One clock of an application today."""

    kind: str  # one of KINDS
    due: date | None  # the best estimate; None while paused
    status: Status
    days_left: int | None  # working days in (today, due]; negative: overdue by that many
    level: str  # green, yellow, red, severe; "none" when it does not run
    provisional: bool
    earliest: date | None = None  # while provisional: the range of the due date
    latest: date | None = None
    unpublished: tuple[int, ...] = ()  # while provisional: the years whose notice it waits for

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def paused(self) -> bool:
        return self.status == "paused"

    @property
    def overdue(self) -> bool:
        return self.level in ("red", "severe")

    @property
    def reason(self) -> str:
        """Why the date is provisional, with its range, in the active language, e.g.
        "expected 2027-02-18 (the 2027 holiday schedule is not yet published; it may fall
        between 02-16 and 02-22)"; "" for a certain date."""
        if not self.provisional or self.due is None or self.earliest is None or self.latest is None:
            return ""
        years = str(LIST_SEPARATOR).join(str(y) for y in self.unpublished) or str(self.latest.year)
        return _(
            "expected %(due)s (the %(years)s holiday schedule is not yet published; "
            "it may fall between %(earliest)s and %(latest)s)"
        ) % {
            "due": self.due.isoformat(),
            "years": years,
            "earliest": _short(self.earliest, self.due),
            "latest": _short(self.latest, self.due),
        }


def _short(day: date, beside: date) -> str:
    """MM-DD beside a date of the same year, else the whole date."""
    return day.strftime("%m-%d") if day.year == beside.year else day.isoformat()


@dataclass(frozen=True)
class Standing:
    """Every clock of an application today, and the one it waits on."""

    clock: str  # ClockKind value: acceptance, decision, paused, certificate or none
    level: str  # the case's level: its running clocks' most serious
    clocks: tuple[ClockView, ...]

    def get(self, kind: str) -> ClockView | None:
        return next((c for c in self.clocks if c.kind == kind), None)

    @property
    def primary(self) -> ClockView | None:
        """The clock the application waits on (a paused case: its promised clock)."""
        kind = WAITING_CLOCK.get(self.clock)
        return self.get(kind) if kind else None

    @property
    def statutory(self) -> ClockView | None:
        """The statutory clock while the decision clock runs or is paused."""
        return self.get("statutory") if self.clock in (ClockKind.DECISION, ClockKind.PAUSED) else None

    @property
    def due(self) -> date | None:
        primary = self.primary
        return primary.due if primary and primary.status == "running" else None

    @property
    def statutory_due(self) -> date | None:
        statutory = self.statutory
        return statutory.due if statutory else None

    @property
    def days_left(self) -> int | None:
        primary = self.primary
        return primary.days_left if primary else None

    @property
    def paused(self) -> bool:
        return self.clock == ClockKind.PAUSED

    @property
    def provisional(self) -> bool:
        """Whether a date the application waits on is provisional."""
        return any(c.provisional for c in (self.primary, self.statutory) if c is not None)

    @property
    def overdue(self) -> bool:
        return self.level in ("red", "severe")

    @property
    def label(self) -> str:
        primary = self.primary
        return primary.label if primary else ""


def met_by(done_on: date, due: date) -> bool:
    """A clock is met when its act falls on or before the due date (it lasts to the end of that
    day): the on-time rule of the case page, the reports and the published figures."""
    return done_on <= due


def _status(app: Application, kind: str, due: date | None) -> Status:
    waiting = WAITING_CLOCK.get(app.clock)
    if kind == waiting or (kind == "statutory" and waiting == "promised"):
        return "paused" if app.clock == ClockKind.PAUSED else "running"
    if kind in ("promised", "statutory") and app.state in DECIDED and app.decided_on and due:
        return "met" if met_by(app.decided_on, due) else "missed"
    if kind == "certificate" and app.state == State.SERVED and app.closed_on and due:
        return "met" if met_by(app.closed_on, due) else "missed"
    return "stopped"


def _level(kind: str, status: Status, case_level: str) -> str:
    """A clock's own level: the case's level is its running clocks' most serious."""
    if status != "running" or case_level == "none":
        return "none"
    if kind == "statutory":
        return "severe" if case_level == "severe" else "green"
    return "red" if case_level == "severe" else case_level


def clock_views(app: Application, today: date, calendar: WorkCalendar, level: str) -> tuple[ClockView, ...]:
    views = []
    for kind in KINDS:
        due = getattr(app, CLOCK_DUE_COLUMNS[kind])
        status = _status(app, kind, due)
        if due is None and status != "paused":
            continue
        days_left = None
        if status == "running" and due is not None:
            days_left = calendar.working_days_between(today, due).days
        elif status == "paused" and kind == "promised":
            days_left = app.days_left_when_paused
        provisional = bool(getattr(app, f"{kind}_provisional")) and due is not None and status != "met"
        earliest = getattr(app, f"{kind}_earliest") if provisional else None
        latest = getattr(app, f"{kind}_latest") if provisional else None
        unpublished: tuple[int, ...] = ()
        if provisional and earliest and latest:
            unpublished = tuple(
                y for y in range(min(earliest, due).year, latest.year + 1) if not calendar.is_official_year(y)
            )
        clock_level = _level(kind, status, level)
        views.append(ClockView(kind, due, status, days_left, clock_level, provisional, earliest, latest, unpublished))
    return tuple(views)


def standing(app: Application, today: date, calendar: WorkCalendar) -> Standing:
    """The application's clocks today: a pure function of the stored columns and the calendar."""
    level = app.level_on(today)
    return Standing(str(app.clock), level, clock_views(app, today, calendar, level))


def annotate_standing(apps: Iterable[Application], today: date, calendar: WorkCalendar) -> list[Application]:
    """Attach ``.standing`` to each application of a list page (one calendar, no queries)."""
    apps = list(apps)
    for app in apps:
        app.standing = standing(app, today, calendar)
    return apps


#: The stored columns a list row needs for ``standing()`` (beside state, procedure and dates).
COLUMNS = (*CLOCK_COLUMNS, "decided_on", "closed_on")
