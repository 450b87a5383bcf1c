"""The workflow's machinery: the step, the transition gate, the errors, the preamble.

Every action, in whichever module of this package, runs inside one transaction: it locks the
application and checks that the actor may see it and may take the action in its present state
(``_held``, or ``_transition`` for a state machine's transition), changes what it changes, and
ends with ``_finish``: the clocks recomputed (``refresh_clocks``), the application saved, the
audit events appended and, once the transaction commits, the notifications queued. Errors are
WorkflowError subclasses whose message is meant for the person who asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed, has_transition_perm

from approvals import audit, catalogue, notifications, permissions, reports
from approvals.calendar import WorkCalendar
from approvals.deadlines import alert_plan, pauses_of, read_clocks
from approvals.documents import issue, render
from approvals.holidays import work_calendar
from approvals.models import (
    CLOCK_DUE_COLUMNS,
    Alert,
    Application,
    AuditEvent,
    ClockKind,
    Document,
    ExtensionState,
    State,
    User,
)


class WorkflowError(Exception):
    """An action refused; ``str()`` is the message for the user, ``status`` the HTTP status a
    view answers with, ``field`` the form field at fault, if any, and ``errors`` the messages of
    every field at fault (a submission's incomplete details name several; the first is
    ``field``'s, the message)."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.errors = errors if errors is not None else ({field: [message]} if field else {})


class NotFound(WorkflowError):
    """No such application, or not one the actor may see (the same answer, so as not to leak)."""

    status = 404


class ActionDenied(WorkflowError):
    """The actor may see the application but not take this action."""

    status = 403


class ActionInvalid(WorkflowError):
    """The action is not possible now, or its input is wrong."""

    status = 400


class ConcurrentChange(WorkflowError):
    """Someone else changed the application first."""

    status = 409


EXTENSION_ACTIONS = frozenset(e.name for e in catalogue.ENTRIES if e.machine == "extension")
#: The case's states in which its extension machine may move (models' _extension_possible).
EXTENSION_STATES = frozenset({State.UNDER_REVIEW, State.PAUSED})

# Action names as users see them (buttons, errors), from the action catalogue.
ACTION_LABELS = {e.name: gettext_lazy(e.verb) for e in catalogue.ENTRIES if e.verb}


def today() -> date:
    """Today in the administration's time zone (Asia/Shanghai)."""
    return timezone.localdate()


@dataclass
class _Step:
    app: Application
    actor: User | None
    on: date
    events: list[audit.Draft]

    def record(self, action: str, *, from_state: str = "", to_state: str = "", note: str = "", **data: Any) -> None:
        self.events.append(
            audit.Draft(
                application=self.app,
                actor_id=self.actor.pk if self.actor else None,
                action=action,
                on=self.on,
                from_state=from_state,
                to_state=to_state,
                note=note,
                data=dict(data),
            )
        )


def _lock(app_id: int | Application) -> Application:
    pk = app_id.pk if isinstance(app_id, Application) else app_id
    try:
        return Application.objects.select_for_update(of=("self",)).select_related("policy").get(pk=pk)
    except Application.DoesNotExist:
        raise NotFound(_("No such application.")) from None


def _denied(name: str) -> ActionDenied:
    return ActionDenied(_("You may not %(action)s this application.") % {"action": ACTION_LABELS.get(name, name)})


def _require_view(app: Application, actor: User | None) -> None:
    if actor is None or not permissions.can_view(app, actor):
        raise NotFound(_("No such application."))


def _held(
    app_id: int | Application,
    actor: User | None,
    action: str = "",
    *,
    may: Callable[[Application, User], bool] | None = None,
    when: Callable[[Application], bool] | None = None,
    refusal: str = "",
) -> Application:
    """The preamble of an action on an application, in the caller's transaction: the application
    locked (NotFound if there is none), then, in this order, the actor may see it (else NotFound,
    the same answer, so as not to leak), ``may(app, actor)`` take ``action`` (else ActionDenied,
    naming the action), and its state allows it, ``when(app)`` (else ActionInvalid: ``refusal``)."""
    app = _lock(app_id)
    _require_view(app, actor)
    if may is not None and not may(app, actor):
        raise _denied(action)
    if when is not None and not when(app):
        raise ActionInvalid(refusal)
    return app


def _check_date(app: Application, on: date) -> None:
    if on > today():
        raise ActionInvalid(_("The date %(on)s is in the future.") % {"on": on}, field="on")
    if app.last_action_on and on < app.last_action_on:
        raise ActionInvalid(
            _("The date %(on)s is before the application's last event (%(last)s).")
            % {"on": on, "last": app.last_action_on},
            field="on",
        )


def _required_text(value: str, field: str, label: str, max_length: int = 2000) -> str:
    value = (value or "").replace("\r\n", "\n").strip()  # browsers send textareas with CRLF
    if not value:
        raise ActionInvalid(_("%(label)s is required.") % {"label": label}, field=field)
    if len(value) > max_length:
        raise ActionInvalid(
            _("%(label)s may be at most %(n)s characters.") % {"label": label, "n": max_length}, field=field
        )
    return value


class DocumentNotIssued(WorkflowError):
    """The written act the action owes could not be issued (typeset, signed or stored): the
    action is not taken either. A fault of the service, not of the request."""

    status = 503


def _finish(step: _Step, calendar: WorkCalendar | None = None, *, tell: bool = True) -> Application:
    """Recompute the clocks, issue the documents the step's acts owe, save, append the audit
    events (each act's with its document's number and hash), queue the notifications."""
    app = step.app
    app.last_action_on = max(step.on, app.last_action_on or step.on)
    refresh_clocks(app, calendar or work_calendar())
    issued: list[tuple[int, Document]] = []
    try:
        for index, draft in enumerate(step.events):
            if issue.issued_now(app, draft.action):
                act = render.Act(draft.action, draft.on, draft.note, draft.data or {}, draft.actor_id)
                document = issue.issue(app, act)
                draft.data["document"] = issue.recorded(document)
                issued.append((index, document))
        app.save()
        if app.decided_on is not None and app.decided_on == step.on:
            reports.decided(app.decided_on, today())
        events = _announce(step.events, tell=tell)
    except issue.DocumentFailed:
        issue.discard([document for _index, document in issued])
        raise DocumentNotIssued(
            _(
                "The document this action issues could not be made, so the action was not taken and "
                "nothing was changed. Try again; if it fails again, tell the administrator."
            )
        ) from None
    except ConcurrentTransition:
        issue.discard([document for _index, document in issued])
        raise ConcurrentChange(
            _("Someone else changed this application at the same time; reload it and try again.")
        ) from None
    except BaseException:
        issue.discard([document for _index, document in issued])
        raise
    for index, document in issued:
        event = events[index]
        Document.objects.filter(pk=document.pk).update(event=event, recorded_in=event)
        document.event = document.recorded_in = event
    return app


def _unlocked_states(app_id: int | Application) -> tuple[str, str] | None:
    """The application's (state, extension state) as the request found it, read before the lock:
    if they differ once the lock is held, another change won the race while this one waited."""
    pk = app_id.pk if isinstance(app_id, Application) else app_id
    return Application.objects.filter(pk=pk).values_list("state", "extension_state").first()


def _refusal(app: Application, name: str, seen: tuple[str, str] | None) -> WorkflowError:
    """Why ``name`` cannot run on ``app`` (locked). A change made meanwhile that took the action
    away is a ConcurrentChange (409) saying what it changed; otherwise ActionInvalid quoting the
    state at fault: for an extension, the case's own state once the case is decided or not under
    review (its extension state, "none requested", says nothing then)."""
    label = ACTION_LABELS.get(name, name)
    meta = getattr(app, name)._django_fsm
    extension = name in EXTENSION_ACTIONS
    now = (app.state, app.extension_state)
    if seen is not None and seen != now and meta.has_transition(seen[1] if extension else seen[0]):
        changed = 0 if seen[0] != now[0] else 1
        labels = (State, ExtensionState)[changed]
        return ConcurrentChange(
            _(
                "Someone else changed this application first: it is now “%(now)s” (it was “%(was)s”), "
                "so you cannot %(action)s. Reload it to see what changed."
            )
            % {"now": labels(now[changed]).label, "was": labels(seen[changed]).label, "action": label}
        )
    if extension and app.decided_on is not None:
        return ActionInvalid(
            _("You cannot %(action)s: the case is decided (“%(state)s”).")
            % {"action": label, "state": app.get_state_display()}
        )
    if extension and app.state not in EXTENSION_STATES:
        current = app.get_state_display()
    else:
        current = app.get_extension_state_display() if extension else app.get_state_display()
    return ActionInvalid(
        _("You cannot %(action)s now: the application is “%(state)s”.") % {"action": label, "state": current}
    )


def _transition(
    app_id: int | Application,
    actor: User | None,
    name: str,
    *,
    on: date | None,
    args: tuple = (),
    note: str = "",
    data: dict | None = None,
    check: Callable[[Application, date], None] | None = None,
    then: Callable[[_Step], None] | None = None,
    system: bool = False,
) -> Application:
    on = on or today()
    field = "extension_state" if name in EXTENSION_ACTIONS else "state"
    seen = None if system else _unlocked_states(app_id)
    with transaction.atomic():
        app = _lock(app_id) if system else _held(app_id, actor)
        method = getattr(app, name)
        label = ACTION_LABELS.get(name, name)
        if not system:
            if not can_proceed(method):
                raise _refusal(app, name, seen)
            if not has_transition_perm(method, actor):
                raise _denied(name)
        _check_date(app, on)
        if check is not None:
            check(app, on)
        before = getattr(app, field)
        try:
            method(on, *args)
        except TransitionNotAllowed:
            raise ActionInvalid(_("You cannot %(action)s now.") % {"action": label}) from None
        step = _Step(app, actor, on, [])
        step.record(name, from_state=before, to_state=getattr(app, field), note=note, **(data or {}))
        if then is not None:
            then(step)
        return _finish(step)


def refresh_clocks(
    app: Application, calendar: WorkCalendar, *, alerts: Iterable[Alert] | None = None
) -> dict[str, tuple]:
    """Set the application's clock columns from its events; return what changed (old, new).

    Also re-arms alerts: a level raised earlier that the running clock, as it now stands, has
    not reached yet (an extension, a later due date after a pause or a calendar change) is
    cleared, so that the sweep raises it again when the day comes. ``alerts`` are the
    application's alerts when the caller has them (a batch: prefetched, with those it has just
    raised); else they are read."""
    reading = read_clocks(app, calendar, pauses_of(app) if app.pk else [])
    plan = alert_plan(app, reading, calendar)
    if alerts is None:
        alerts = app.alerts.all() if app.pk else []
    active = {(a.clock, a.level): a for a in alerts if a.cleared_on is None}
    now = today()
    rearmed = [
        active.pop((item.clock, item.level)).pk
        for item in plan
        if (item.clock, item.level) in active and item.day > now
    ]
    if rearmed:
        Alert.objects.filter(pk__in=rearmed).update(cleared_on=now)
    pending = [item for item in plan if (item.clock, item.level) not in active]
    paused_left = None
    if reading.clock == ClockKind.PAUSED and reading.promised is not None and reading.promised.remaining:
        paused_left = sum(reading.promised.remaining)
    values: dict[str, object] = {"clock": reading.clock}
    for kind, column in CLOCK_DUE_COLUMNS.items():
        clock = reading.of(kind)
        bounds = reading.bounds(kind)
        values[column] = clock.due if clock else None
        values[f"{kind}_provisional"] = bool(clock and clock.provisional)
        values[f"{kind}_earliest"], values[f"{kind}_latest"] = bounds or (None, None)
    first_day = {item.level: item.day for item in reversed(plan)}
    values.update(
        {
            "days_left_when_paused": paused_left,
            "yellow_on": first_day.get("yellow"),
            # Red from the day after the running clock's (earliest) due date: the acceptance
            # clock's is the day it would be deemed accepted.
            "red_on": first_day.get("red", first_day.get("deemed")),
            "severe_on": first_day.get("severe"),
            "next_alert_on": pending[0].day if pending else None,
            "next_alert_level": f"{pending[0].clock}:{pending[0].level}" if pending else "",
        }
    )
    changed = {}
    for field, value in values.items():
        old = getattr(app, field)
        if old != value:
            changed[field] = (old, value)
            setattr(app, field, value)
    return changed


def _moved(changed: dict[str, tuple]) -> dict[str, list[str | None]]:
    """The clocks whose due date is among ``changed`` (what ``refresh_clocks`` returned), by
    clock kind (acceptance, promised, statutory, certificate), as [old, new] ISO strings, for the
    audit event."""
    return {
        kind: [old.isoformat() if old else None, new.isoformat() if new else None]
        for kind, column in CLOCK_DUE_COLUMNS.items()
        if column in changed
        for old, new in [changed[column]]
    }


def _due_dates_moved(app: Application, actor: User | None, note: str, changed: dict[str, tuple]) -> audit.Draft | None:
    """The audit event of a recompute that moved due dates among ``changed`` (None if none moved)."""
    moved = _moved(changed)
    if not moved:
        return None
    return audit.Draft(
        application=app,
        actor_id=actor.pk if actor else None,
        action="due_date_moved",
        on=today(),
        note=note,
        data=moved,
    )


def _announce(drafts: list[audit.Draft], *, tell: bool = True) -> list[AuditEvent]:
    """Append the events to the audit trail and, unless not ``tell``, notify the people concerned
    (in-app now, by email once the transaction commits)."""
    events = audit.append(drafts)
    if tell:
        _tell(events)
    return events


def _tell(events: list[AuditEvent]) -> None:
    """Notify the people concerned of events already appended: in-app now, by email once the
    transaction commits (one django-q2 task for them all)."""
    if events:
        notifications.notify(events)
        notifications.queue([event.pk for event in events])
