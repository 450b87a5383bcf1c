"""Small display helpers: the status badge, the deadline chip, the provisional mark."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.models import CLOSED_STATES, OPEN_STATES, State

register = template.Library()

#: The states' names by value: one translation per badge (``get_state_display`` would hash, and
#: so translate, every state's name on each call).
STATE_NAMES = dict(State.choices)

LEVEL_LABELS = {
    "green": lambda: _("on time"),
    "yellow": lambda: _("due soon"),
    "red": lambda: _("overdue"),
    "severe": lambda: _("past the statutory limit"),
}


@register.simple_tag
def status_badge(app) -> str:
    kind = "open" if app.state in OPEN_STATES else "done" if app.state in CLOSED_STATES else "stopped"
    return format_html('<span class="badge {}">{}</span>', kind, STATE_NAMES.get(app.state, app.state))


@register.simple_tag
def level_chip(standing) -> str:
    if standing is None or standing.level not in LEVEL_LABELS:
        return ""
    return format_html('<span class="chip {}">{}</span>', standing.level, LEVEL_LABELS[standing.level]())


@register.simple_tag
def days_left(clock) -> str:
    """ "3 working days left", "due today", "overdue by 2 working days", "paused: 8 left", for a
    clock (approvals.clocks.ClockView) or a case's standing (its primary clock), in a span that
    breaks at spaces only (a narrow column broke "剩余 5 个工作日" inside 工作日)."""
    if clock is None or clock.days_left is None:
        return ""
    return format_html('<span class="keep-words">{}</span>', _days_left_text(clock))


def _days_left_text(clock) -> str:
    n = clock.days_left
    if clock.paused:
        return ngettext("paused: %(n)s working day left", "paused: %(n)s working days left", n) % {"n": n}
    if clock.overdue:
        if n >= 0:
            return _("overdue")
        return ngettext("overdue by %(n)s working day", "overdue by %(n)s working days", -n) % {"n": -n}
    if n == 0:
        return _("due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", n) % {"n": n}


#: A clock that no longer runs: its chip's label and colour.
CLOCK_STATUS = {
    "met": (lambda: _("met"), "green"),
    "missed": (lambda: _("missed"), "red"),
    "stopped": (lambda: _("stopped"), "none"),
}


@register.simple_tag
def clock_status(clock) -> str:
    """What a clock's due date means now: the time left while it runs or is paused, else
    whether it was met."""
    if clock.status in CLOCK_STATUS:
        label, colour = CLOCK_STATUS[clock.status]
        return format_html('<span class="chip {}">{}</span>', colour, label())
    if clock.paused and clock.days_left is None:
        return format_html('<span class="chip none">{}</span>', _("paused"))  # the statutory clock, stopped too
    return days_left(clock)


@register.simple_tag
def provisional_mark(clock) -> str:
    """The provisional mark of a clock (or of a standing's primary clock): the range beside it,
    the reason in full for screen readers and as the tooltip."""
    clock = getattr(clock, "primary", clock)
    if clock is None or not clock.provisional:
        return ""
    if clock.earliest and clock.latest:
        span = f"{clock.earliest:%m-%d}–{clock.latest:%m-%d}"
        return format_html(
            '<span class="provisional flag" title="{}">{} {}<span class="visually-hidden">: {}</span></span>',
            clock.reason,
            _("provisional"),
            span,
            clock.reason,
        )
    return format_html(
        '<span class="provisional flag" title="{}">{}</span>',
        _("This date depends on a year whose holiday schedule is not yet published; it may move."),
        _("provisional"),
    )


@register.filter
def iso(day) -> str:
    return day.isoformat() if day else "—"


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes, rounded up (a wait of 14m30s is "15 minutes")."""
    return -(-int(delta.total_seconds()) // 60) if delta else 0


@register.simple_tag
def group_described_by(field) -> str:
    """The ``aria-describedby`` of a radio or checkbox group's <fieldset>: the field's help text
    and its errors, by the ids Django gives them (<auto_id>_helptext, <auto_id>_error); nothing
    when it has neither. Django describes a single input itself, not a group's fieldset."""
    ids = [f"{field.auto_id}_helptext"] if field.help_text else []
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return format_html(' aria-describedby="{}"', " ".join(ids)) if ids else ""
