"""Calendar feeds (iCalendar, RFC 5545): officers' and managers' due dates, and the working days.

A due-date feed lives at a secret address, ``/feeds/<token>.ics``: calendar apps cannot sign in,
so the token is the credential. Only its SHA-256 is stored (``models.CalendarFeed``); the address
is shown once, when it is made, and a lost or leaked address is regenerated (the old one stops
working) or revoked. The owner's role is asked again on every fetch (``permissions.can_have_feed``).

A feed shows less than the worklist, because calendar services keep copies of what they fetch:
tracking number, procedure, status and dates; never the applicant, the subject or the materials.
An officer's feed has their own open cases, a manager's the open cases of their department. Each
case is one all-day event on the date its running clock waits for (acceptance, decision or
certificate service) under one UID, so the event moves in the calendar app as the case moves on;
a decision's statutory due date, when it differs, is a second event. Paused cases and cases waiting
for corrections have no running due date and are left out. Every date comes from the columns the
workflow keeps current, so a feed costs the same few queries however many cases it lists.

The working-day calendar of a year lists its holidays (one event per run of days with one name)
and its adjusted working days (调休上班), from the chinesecalendar package's data overridden by the
schedule days an administrator loaded, the same sources as ``holidays.work_calendar()``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event, vDuration

from approvals import permissions
from approvals.calendar import WorkCalendar, package_days
from approvals.clocks import standing
from approvals.estimate import estimate_year
from approvals.holidays import work_calendar
from approvals.models import Application, CalendarDay, CalendarFeed, DayKind, User
from approvals.roles import Role

TOKEN_BYTES = 32  # 43 URL-safe characters, 256 bits
TOUCH_EVERY = timedelta(minutes=15)  # last_used_at is a hint, not a log: calendar apps poll often
REFRESH = timedelta(hours=1)  # what the feed asks calendar apps for; many poll less often anyway
PRODID = "-//shixian//calendar feeds//ZH"
FIRST_YEAR, LAST_YEAR = 2004, 2100  # the package's first year; a bound that keeps requests sane


# -- the feed's token -------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def create_feed(user: User, *, replace: bool = False) -> str | None:
    """Make ``user``'s feed and return its token: the only time the token exists in plain.

    With ``replace`` (regenerate), the active feed is revoked first, so its address stops
    working; without it, nothing happens and None is returned when a feed is already active
    (a second click, a second tab). Only officers and managers have feeds (ValueError)."""
    if not permissions.can_have_feed(user):
        raise ValueError("only officers and managers have calendar feeds")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        with transaction.atomic():
            # The user's row lock serialises two clicks; the constraint is the backstop.
            User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
            active = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True)
            if replace:
                active.update(revoked_at=timezone.now())
            elif active.exists():
                return None
            CalendarFeed.objects.create(user=user, token_hash=hash_token(token))
    except IntegrityError:  # another request made one at the same moment (no row lock on SQLite)
        return None
    return token


def revoke_feeds(feeds: QuerySet[CalendarFeed]) -> int:
    """Stop these feeds' addresses working (the active ones among them); how many were active."""
    return feeds.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def revoke_feed(user: User) -> bool:
    """Stop ``user``'s feed address working; False if there was none."""
    return bool(revoke_feeds(CalendarFeed.objects.filter(user=user)))


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed with this token whose owner may still have one (an active officer or
    manager), with its owner and their department; None otherwise. One query."""
    feed = (
        CalendarFeed.objects.select_related("user", "user__department")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not permissions.can_have_feed(feed.user):
        return None
    return feed


def touch(feed: CalendarFeed, now: datetime) -> None:
    """Record the fetch, at most once every TOUCH_EVERY: one conditional UPDATE, no save()."""
    if feed.last_used_at is not None and now - feed.last_used_at < TOUCH_EVERY:
        return
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(last_used_at=now)
    feed.last_used_at = now


# -- the due dates ------------------------------------------------------------------------------------


def cases_in_feed(user: User) -> QuerySet[Application]:
    """The open cases ``user``'s feed lists: an officer's own, a manager's department's; always
    within what ``user`` may see, so a moved officer's old department's cases drop out."""
    cases = Application.objects.open().visible_to(user)
    if permissions.role_of(user) == Role.OFFICER:
        cases = cases.filter(officer=user)
    return cases.select_related("officer").order_by("pk")


def _calendar(name: str, description: str, uid: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("uid", uid)
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("description", description)
    cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())  # Outlook's name for the same
    return cal


def _all_day(
    uid: str, first: date, summary: str, description: str, stamp: datetime, *, last: date | None = None
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", first)
    event.add("dtend", (last or first) + timedelta(days=1))  # exclusive: the day after the last
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
    return event


# What each running clock's event says (approvals.clocks names and dates the clock).
CLOCK_LINES = {
    "acceptance": gettext_lazy("Accept, refuse to accept or ask for corrections by %(date)s (5 working days)."),
    "promised": gettext_lazy("Promised due date: %(date)s."),
    "statutory": gettext_lazy("Statutory due date: %(date)s."),
    "certificate": gettext_lazy("Serve the certificate by %(date)s (10 working days)."),
}


def case_events(
    app: Application, link: str, stamp: datetime, calendar: WorkCalendar, *, with_officer: bool
) -> list[Event]:
    """The events of one open case: its running clock's due date and, for a decision, the
    statutory one when it differs (none when the clock is paused or stopped)."""
    today = timezone.localdate(stamp)
    clocks = [c for c in standing(app, today, calendar).clocks if c.running and c.due is not None]
    if not clocks:
        return []
    names = {"number": app.tracking_number or str(app), "procedure": app.get_procedure_display()}
    lines = [_("Status: %(state)s") % {"state": app.get_state_display()}]
    for clock in clocks:
        lines.append(str(CLOCK_LINES[clock.kind]) % {"date": clock.due.isoformat()})
        if clock.reason:
            lines.append(f"{clock.label}: {clock.reason}")
    if with_officer:
        officer = str(app.officer) if app.officer_id else _("not assigned")
        lines.append(_("Case officer: %(name)s") % {"name": officer})
    lines.append(link)
    description = "\n".join(lines)
    events = []
    for n, clock in enumerate(clocks):
        if n and clock.due == clocks[0].due:
            continue  # the statutory date on the promised one: one event says both
        # The first clock's UID stays "-due" so that calendar apps move the event it made before.
        uid = f"application-{app.pk}-{'due' if n == 0 else clock.kind}@shixian"
        mark = f" ({_('provisional')})" if clock.provisional else ""
        title = _("%(number)s %(procedure)s: %(clock)s") % {**names, "clock": clock.label} + mark
        events.append(_all_day(uid, clock.due, title, description, stamp))
    for event in events:
        event.add("url", link)
    return events


def due_dates_calendar(user: User, link: Callable[[Application], str], now: datetime) -> bytes:
    """``user``'s feed as iCalendar bytes; ``link(app)`` is the case page's absolute address."""
    manager = permissions.role_of(user) == Role.MANAGER
    if manager:
        name = _("shixian: due dates of %(department)s") % {"department": user.department}
    else:
        name = _("shixian: my due dates")
    description = _(
        "Due dates of open cases as of %(time)s (Asia/Shanghai); the worklist is always current. "
        "Anyone with this calendar's address can read it: keep it private."
    ) % {"time": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
    cal = _calendar(name, description, f"due-dates-{user.pk}@shixian")
    calendar = work_calendar()
    for app in cases_in_feed(user):
        for event in case_events(app, link(app), now, calendar, with_officer=manager):
            cal.add_component(event)
    return cal.to_ical()


# -- the working-day calendar --------------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayRun:
    first: date
    last: date
    name: str


@dataclass(frozen=True)
class YearSchedule:
    year: int
    official: bool
    holidays: tuple[HolidayRun, ...]
    workdays: tuple[tuple[date, str], ...]  # adjusted working days (weekend days worked) and their holiday


def year_schedule(year: int) -> YearSchedule:
    """The holidays and adjusted working days of ``year``: the package's, overridden date by
    date by the loaded schedule days; in a provisional year, also the estimate's days that no
    entry overrides. Names are the notice's (e.g. 春节). Three small queries."""
    days: dict[date, tuple[bool, str]] = {d: entry for d, entry in package_days().items() if d.year == year}
    for day, kind, name in CalendarDay.objects.filter(date__year=year).values_list("date", "kind", "name"):
        package_name = days.get(day, (None, ""))[1]
        days[day] = (kind == DayKind.WORKDAY, name or package_name)
    official = work_calendar().is_official_year(year)
    if not official:
        # The estimate from the law (approvals.estimate): its best guess where it differs from
        # the plain week, the uncertain days named as estimated.
        for estimated in estimate_year(year):
            plain_off = estimated.date.weekday() >= 5
            if estimated.off != plain_off:
                name = estimated.name if estimated.certain else _("%(name)s (estimated)") % {"name": estimated.name}
                days.setdefault(estimated.date, (not estimated.off, name))

    runs: list[HolidayRun] = []
    for day in sorted(d for d, (working, _name) in days.items() if not working):
        name = days[day][1]
        if runs and runs[-1].name == name and runs[-1].last + timedelta(days=1) == day:
            runs[-1] = HolidayRun(runs[-1].first, day, name)
        else:
            runs.append(HolidayRun(day, day, name))
    # A working-day entry on a weekday changes nothing: only worked weekend days are adjusted days.
    adjusted = tuple((d, days[d][1]) for d in sorted(days) if days[d][0] and d.weekday() >= 5)
    return YearSchedule(year, official, tuple(runs), adjusted)


def working_days_calendar(year: int, now: datetime) -> bytes:
    """The year's holidays and adjusted working days as iCalendar bytes; a provisional year says
    so in the calendar's name and description and in every event."""
    schedule = year_schedule(year)
    if schedule.official:
        name = _("Working-day calendar %(year)s") % {"year": year}
        note = _("Holidays and adjusted working days of %(year)s from the State Council's notice.") % {"year": year}
    else:
        name = _("Working-day calendar %(year)s (provisional)") % {"year": year}
        note = _(
            "Provisional: the State Council's notice for %(year)s is not published or not loaded yet. The "
            "festival days the law fixes are certain; the bridging days and adjusted working days around them "
            "are estimated from recent notices and may change."
        ) % {"year": year}
    cal = _calendar(name, note, f"working-days-{year}@shixian")
    for run in schedule.holidays:
        summary = run.name or _("Holiday")
        description = _("Holiday: not a working day.") + ("" if schedule.official else "\n" + note)
        cal.add_component(
            _all_day(f"holiday-{run.first.isoformat()}@shixian", run.first, summary, description, now, last=run.last)
        )
    for day, holiday in schedule.workdays:
        summary = _("Adjusted working day")
        if holiday:
            summary = f"{summary} · {holiday}"
        description = _("A weekend day worked in exchange for holiday days: it counts as a working day.")
        cal.add_component(_all_day(f"workday-{day.isoformat()}@shixian", day, summary, description, now))
    return cal.to_ical()
