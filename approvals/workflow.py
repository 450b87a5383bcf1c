"""Every change to an application goes through here.

One function per action. Each one, inside one transaction: locks the application, checks that
the actor may see it and may take the action in its present state, runs the state machine's
transition, recomputes the clocks, saves, appends the audit event and, once the transaction
commits, queues the notifications. Views, the API, the admin and the commands all call these
functions, so each rule exists once. Errors are WorkflowError subclasses whose message is meant
for the person who asked.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed, has_transition_perm

from approvals import audit, catalogue, notifications, permissions, uploads
from approvals.calendar import WorkCalendar
from approvals.deadlines import alert_plan, pauses_of, read_clocks
from approvals.holidays import Schedule, calendar_version, import_schedule, work_calendar
from approvals.models import (
    CLOCK_DUE_COLUMNS,
    CLOSED_STATES,
    OPEN_STATES,
    RATING_FOLLOW_UP_DAYS,
    Alert,
    Application,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AuditEvent,
    ClockKind,
    Department,
    Material,
    Notification,
    Organisation,
    OrganisationKind,
    Policy,
    Procedure,
    ProcedureRoute,
    Rating,
    Role,
    SpecialProcedure,
    SpecialProcedureKind,
    State,
    TrackingSequence,
    User,
    VerificationMethod,
    private_storage,
)


class WorkflowError(Exception):
    """An action refused; ``str()`` is the message for the user, ``status`` the HTTP status a
    view answers with, ``field`` the form field at fault, if any."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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


TRACKING_PREFIX = {
    Procedure.TELECOM_LICENCE: "XK",
    Procedure.NUMBER_RESOURCE: "MH",
    Procedure.WEBSITE_FILING: "BA",
}
QUERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
FILING_NUMBER = re.compile(r"^[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新]ICP备\d{8,10}号$")
EXTENSION_ACTIONS = frozenset(e.name for e in catalogue.ENTRIES if e.machine == "extension")

# Action names as users see them (buttons, errors), from the action catalogue.
ACTION_LABELS = {e.name: gettext_lazy(e.verb) for e in catalogue.ENTRIES if e.verb}


def today() -> date:
    """Today in the administration's time zone (Asia/Shanghai)."""
    return timezone.localdate()


# -- the machinery ----------------------------------------------------------------------------


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


def _finish(step: _Step, calendar: WorkCalendar | None = None, *, tell: bool = True) -> Application:
    """Recompute the clocks, save, append the audit events, queue the notifications."""
    app = step.app
    app.last_action_on = max(step.on, app.last_action_on or step.on)
    refresh_clocks(app, calendar or work_calendar())
    try:
        app.save()
    except ConcurrentTransition:
        raise ConcurrentChange(
            _("Someone else changed this application at the same time; reload it and try again.")
        ) from None
    events = audit.append(step.events)
    if tell:
        notifications.notify(events)
        notifications.queue([event.pk for event in events])
    return app


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
    with transaction.atomic():
        app = _lock(app_id)
        method = getattr(app, name)
        label = ACTION_LABELS.get(name, name)
        if not system:
            _require_view(app, actor)
            if not can_proceed(method):
                current = app.get_extension_state_display() if name in EXTENSION_ACTIONS else app.get_state_display()
                raise ActionInvalid(
                    _("You cannot %(action)s now: the application is “%(state)s”.")
                    % {"action": label, "state": current}
                )
            if not has_transition_perm(method, actor):
                raise ActionDenied(_("You may not %(action)s this application.") % {"action": label})
        _check_date(app, on)
        if check is not None:
            check(app, on)
        field = "extension_state" if name in EXTENSION_ACTIONS else "state"
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


def refresh_clocks(app: Application, calendar: WorkCalendar) -> dict[str, tuple]:
    """Set the application's clock columns from its events; return what changed (old, new).

    Also re-arms alerts: a level raised earlier that the running clock, as it now stands, has
    not reached yet (an extension, a later due date after a pause or a calendar change) is
    cleared, so that the sweep raises it again when the day comes."""
    reading = read_clocks(app, calendar, pauses_of(app) if app.pk else [])
    plan = alert_plan(app, reading, calendar)
    active = {(a.clock, a.level): a for a in app.alerts.all() if a.cleared_on is None} if app.pk else {}
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


def _assign_tracking_number(app: Application, on: date) -> None:
    if app.tracking_number:
        return
    sequence, _created = TrackingSequence.objects.select_for_update().get_or_create(
        procedure=app.procedure, year=on.year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    app.tracking_number = f"{TRACKING_PREFIX[app.procedure]}{on.year}{sequence.last:06d}"
    app.query_code = "".join(secrets.choice(QUERY_ALPHABET) for _ in range(8))


def _route(app: Application) -> None:
    """Send the application to the department that handles its procedure, and to that
    department's officer with the fewest open cases."""
    if app.department_id is None:
        route = ProcedureRoute.objects.filter(procedure=app.procedure).first()
        if route is None:
            return  # an administrator routes it by hand (reassign)
        app.department_id = route.department_id
    if app.officer_id is None:
        app.officer = (
            User.objects.filter(role=Role.OFFICER, department_id=app.department_id, is_active=True)
            .annotate(load=Count("cases", filter=Q(cases__state__in=sorted(OPEN_STATES))))
            .order_by("load", "pk")
            .first()
        )


def _set_policy(app: Application) -> None:
    start = app.clock_start
    try:
        app.policy = Policy.objects.in_force(app.procedure, start)
    except Policy.DoesNotExist:
        raise ActionInvalid(
            _("No policy for %(kind)s is in force on %(on)s.") % {"kind": app.get_procedure_display(), "on": start}
        ) from None


# -- drafts and materials ---------------------------------------------------------------------


def create_application(
    actor: User,
    procedure: str,
    subject: str,
    *,
    details: dict | None = None,
    provider_id: int | None = None,
    on: date | None = None,
) -> Application:
    """A new draft for the actor's organisation."""
    on = on or today()
    if permissions.role_of(actor) != Role.ENTERPRISE:
        raise ActionDenied(_("Only an enterprise's users apply."))
    if procedure not in Procedure.values:
        raise ActionInvalid(_("Choose a procedure."), field="procedure")
    subject = _required_text(subject, "subject", _("What is applied for"), 300)
    if procedure == Procedure.WEBSITE_FILING:
        if (
            not provider_id
            or not Organisation.objects.filter(pk=provider_id, kind=OrganisationKind.ACCESS_PROVIDER).exists()
        ):
            raise ActionInvalid(_("Choose the access provider that hosts the website."), field="provider")
    else:
        provider_id = None
    with transaction.atomic():
        app = Application(
            procedure=procedure,
            organisation_id=actor.organisation_id,
            applicant=actor,
            provider_id=provider_id,
            subject=subject,
            details=details or {},
        )
        app.save()
        step = _Step(app, actor, on, [])
        step.record("created", to_state=app.state)
        return _finish(step)


def update_draft(
    app_id: int, actor: User, *, subject: str, details: dict | None = None, provider_id: int | None = None
) -> Application:
    """Edit a draft; a website filing's draft may also change access provider (for instance
    after the provider returned it)."""
    with transaction.atomic():
        app = _lock(app_id)
        _require_view(app, actor)
        if not permissions.is_applicant(app, actor):
            raise _denied("updated")
        if app.state != State.DRAFT:
            raise ActionInvalid(_("Only a draft can be edited."))
        app.subject = _required_text(subject, "subject", _("What is applied for"), 300)
        if details is not None:
            app.details = details
        if provider_id is not None and provider_id != app.provider_id:
            if app.procedure != Procedure.WEBSITE_FILING:
                raise ActionInvalid(_("Only a website filing has an access provider."), field="provider")
            providers = Organisation.objects.filter(kind=OrganisationKind.ACCESS_PROVIDER)
            if not providers.filter(pk=provider_id).exists():
                raise ActionInvalid(_("Choose the access provider that hosts the website."), field="provider")
            app.provider_id = provider_id
        step = _Step(app, actor, today(), [])
        step.record("updated")
        return _finish(step)


def remove_material(app_id: int, actor: User, material_id: int) -> Application:
    """Take a file off a draft (the file is deleted once the change commits)."""
    with transaction.atomic():
        app = _lock(app_id)
        _require_view(app, actor)
        if not permissions.is_applicant(app, actor):
            raise _denied("material_added")
        if app.state != State.DRAFT:
            raise ActionInvalid(_("Materials can be removed only from a draft."))
        material = Material.objects.filter(pk=material_id, application=app).first()
        if material is None:
            raise NotFound(_("No such material."))
        name, stored = material.name, material.file.name
        material.delete()
        transaction.on_commit(lambda: private_storage.delete(stored))
        step = _Step(app, actor, today(), [])
        step.record("material_removed", note=name)
        return _finish(step)


def add_material(
    app_id: int, actor: User, upload: UploadedFile, *, description: str = "", on: date | None = None
) -> Material:
    """Attach a checked file to a draft, or to an application awaiting corrections."""
    with transaction.atomic():
        app = _lock(app_id)
        _require_view(app, actor)
        if not permissions.is_applicant(app, actor):
            raise ActionDenied(
                _("You may not %(action)s this application.") % {"action": ACTION_LABELS["material_added"]}
            )
        if app.state not in (State.DRAFT, State.CORRECTION):
            raise ActionInvalid(_("Materials can be added to a draft or while corrections are awaited."))
        try:
            checked = uploads.check(upload)
        except uploads.UploadRejected as exc:
            raise ActionInvalid(str(exc), field="file") from None
        material = Material(
            application=app,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            description=description.strip()[:200],
            uploaded_by=actor,
        )
        material.file.save(checked.name, upload, save=False)
        try:
            material.save()
            step = _Step(app, actor, on or today(), [])
            step.record("material_added", note=checked.name, material=material.pk, size=checked.size)
            _finish(step)
        except BaseException:
            material.file.delete(save=False)  # no row, no file
            raise
        return material


# -- the applicant ----------------------------------------------------------------------------


def submit(app_id: int, actor: User, *, on: date | None = None, complete: bool = False) -> Application:
    """Send a draft: to the administration (licences, numbers), to the access provider (filings).

    With ``complete``, the draft's details must be complete (approvals.details, COMPLETE mode):
    else ActionInvalid with the forms' message, its field ``details.<field>``."""
    # (Never .only() an Application: the state machine's mixin reads every state field on load.)
    procedure = Application.objects.filter(pk=app_id).values_list("procedure", flat=True).first()
    if procedure is None:
        raise NotFound(_("No such application."))

    def check(app: Application, on: date) -> None:
        if not app.materials.exists():
            raise ActionInvalid(_("Add the application's materials before submitting."), field="file")
        if complete:
            from approvals import details as details_rules  # (a domain module beside this one)

            try:
                details_rules.clean(app.procedure, app.details, details_rules.COMPLETE)
            except details_rules.DetailsInvalid as exc:
                key, found = next(iter(exc.errors.items()))
                raise ActionInvalid(found[0], field=f"details.{key}" if key else "details") from None

    def then(step: _Step) -> None:
        _assign_tracking_number(step.app, step.on)
        if step.app.procedure != Procedure.WEBSITE_FILING:
            _route(step.app)  # a filing reaches a department only when the provider forwards it

    name = "submit_to_provider" if procedure == Procedure.WEBSITE_FILING else "submit"
    return _transition(app_id, actor, name, on=on, args=(), check=check, then=then)


def resubmit(app_id: int, actor: User, *, note: str = "", on: date | None = None) -> Application:
    """The applicant answers the correction notice: that day the corrections arrive."""
    return _transition(app_id, actor, "resubmit", on=on, note=note.strip())


def withdraw(app_id: int, actor: User, reason: str, *, on: date | None = None) -> Application:
    reason = _required_text(reason, "reason", _("The reason"))
    return _transition(app_id, actor, "withdraw", on=on, args=(reason,), note=reason)


# -- the access provider (website filings) ------------------------------------------------------


def return_to_applicant(app_id: int, actor: User, reasons: str, *, on: date | None = None) -> Application:
    reasons = _required_text(reasons, "reasons", _("The reasons"))
    return _transition(app_id, actor, "return_to_applicant", on=on, args=(reasons,), note=reasons)


def forward_to_administration(
    app_id: int,
    actor: User,
    *,
    method: str,
    verified_at: datetime,
    reference: str,
    on: date | None = None,
) -> Application:
    """The record reaches the administration after the provider's check and identity
    verification: the filing's clock starts that day."""
    if method not in VerificationMethod.values:
        raise ActionInvalid(_("Choose how the identity was verified."), field="method")
    reference = _required_text(reference, "reference", _("The verification reference"), 100)
    if verified_at is None or timezone.is_naive(verified_at):
        raise ActionInvalid(_("Give the date and time of the identity verification."), field="verified_at")
    if verified_at > timezone.now():
        raise ActionInvalid(_("The identity verification cannot be in the future."), field="verified_at")

    def then(step: _Step) -> None:
        _set_policy(step.app)
        _route(step.app)

    return _transition(
        app_id,
        actor,
        "forward_to_administration",
        on=on,
        args=(method, verified_at, reference),
        data={"method": method, "reference": reference},
        then=then,
    )


# -- the case officer -------------------------------------------------------------------------


def _within_acceptance_period(app: Application, on: date) -> None:
    if app.acceptance_due and on > app.acceptance_due:
        raise ActionInvalid(
            _(
                "The 5 working days to ask for corrections or refuse ended on %(due)s: the application "
                "is deemed accepted (行政许可法 art. 32). Accept it."
            )
            % {"due": app.acceptance_due}
        )


def accept(app_id: int, actor: User, *, on: date | None = None) -> Application:
    """Accept (受理). After the 5 working days, acceptance counts from receipt, as the law deems."""
    return _transition(app_id, actor, "accept", on=on, then=lambda step: _set_policy(step.app))


def deem_accepted(app_id: int, *, on: date | None = None) -> Application:
    """The system's transition when nobody answered within 5 working days (the sweep calls it)."""

    def check(app: Application, on: date) -> None:
        if app.acceptance_due is None or on <= app.acceptance_due:
            raise ActionInvalid(_("The acceptance period has not run out."))

    return _transition(
        app_id, None, "deem_accepted", on=on, check=check, then=lambda s: _set_policy(s.app), system=True
    )


def refuse_to_accept(app_id: int, actor: User, reasons: str, *, on: date | None = None) -> Application:
    reasons = _required_text(reasons, "reasons", _("The reasons"))
    return _transition(
        app_id, actor, "refuse_to_accept", on=on, args=(reasons,), note=reasons, check=_within_acceptance_period
    )


def request_correction(app_id: int, actor: User, items: str, *, on: date | None = None) -> Application:
    """One notice listing every correction needed (一次告知). A second is allowed and flagged."""
    items = _required_text(items, "items", _("The list of corrections"), 5000)

    def then(step: _Step) -> None:
        step.events[-1].data["notice"] = step.app.correction_notices
        if step.app.correction_notices > 1:
            step.events[-1].data["repeated"] = True  # breaks the one-notice duty: flagged

    return _transition(
        app_id,
        actor,
        "request_correction",
        on=on,
        args=(items,),
        note=items,
        check=_within_acceptance_period,
        then=then,
    )


def start_special_procedure(
    app_id: int,
    actor: User,
    *,
    kind: str,
    basis: str,
    notice_date: date,
    expected_end: date,
    on: date | None = None,
) -> Application:
    """Stop the clock for a special procedure (行政许可法 art. 45): its time is not counted."""
    if kind not in SpecialProcedureKind.values:
        raise ActionInvalid(_("Choose the type of special procedure."), field="kind")
    basis = _required_text(basis, "basis", _("The legal basis"), 300)
    on_ = on or today()
    if notice_date is None or notice_date < on_ or notice_date > today():
        raise ActionInvalid(
            _("The written notice to the applicant must be dated between %(start)s and today.") % {"start": on_},
            field="notice_date",
        )
    if expected_end is None or expected_end < on_:
        raise ActionInvalid(_("The expected end cannot be before the start."), field="expected_end")

    def then(step: _Step) -> None:
        SpecialProcedure.objects.create(
            application=step.app,
            kind=kind,
            basis=basis,
            notice_date=notice_date,
            expected_end=expected_end,
            started_on=step.on,
        )

    return _transition(
        app_id,
        actor,
        "start_special_procedure",
        on=on_,
        note=basis,
        data={"kind": kind, "notice_date": notice_date.isoformat(), "expected_end": expected_end.isoformat()},
        then=then,
    )


def end_special_procedure(app_id: int, actor: User, *, note: str = "", on: date | None = None) -> Application:
    def then(step: _Step) -> None:
        running = step.app.special_procedures.filter(ended_on__isnull=True).order_by("-started_on").first()
        running.ended_on = step.on
        running.save(update_fields=["ended_on"])

    return _transition(app_id, actor, "end_special_procedure", on=on, note=note.strip(), then=then)


def _within_the_limit(app: Application, on: date) -> None:
    """An extension is asked for and decided before the promised limit runs out (行政许可法
    art. 42: 二十日内不能作出决定的 … 可以延长): once the case is overdue, none can be granted."""
    if app.due_date is not None and on > app.due_date:
        raise ActionInvalid(
            _(
                "An extension must be asked for and decided within the limit (行政许可法 art. 42); "
                "this one ended on %(due)s."
            )
            % {"due": app.due_date}
        )


def request_extension(app_id: int, actor: User, days: int, reason: str, *, on: date | None = None) -> Application:
    reason = _required_text(reason, "reason", _("The reason"))

    def check(app: Application, on: date) -> None:
        _within_the_limit(app, on)
        limit = app.policy.max_extension if app.policy else 0
        if not isinstance(days, int) or not 1 <= days <= limit:
            raise ActionInvalid(_("An extension is 1 to %(max)s working days.") % {"max": limit}, field="days")

    return _transition(
        app_id, actor, "request_extension", on=on, args=(days, reason), note=reason, data={"days": days}, check=check
    )


def approve_extension(app_id: int, actor: User, *, note: str = "", on: date | None = None) -> Application:
    return _transition(app_id, actor, "approve_extension", on=on, note=note.strip(), check=_within_the_limit)


def reject_extension(app_id: int, actor: User, note: str, *, on: date | None = None) -> Application:
    note = _required_text(note, "note", _("The reason"))
    return _transition(app_id, actor, "reject_extension", on=on, note=note)


def grant(app_id: int, actor: User, *, reasons: str = "", on: date | None = None) -> Application:
    return _transition(app_id, actor, "grant", on=on, args=(reasons.strip(),), note=reasons.strip())


def deny(app_id: int, actor: User, reasons: str, remedies: str, *, on: date | None = None) -> Application:
    """不予许可: the written decision gives the reasons and the remedies (review, litigation)."""
    reasons = _required_text(reasons, "reasons", _("The reasons"))
    remedies = _required_text(remedies, "remedies", _("The remedies"))
    return _transition(app_id, actor, "deny", on=on, args=(reasons, remedies), note=reasons)


def serve_certificate(app_id: int, actor: User, certificate_number: str, *, on: date | None = None) -> Application:
    number = _required_text(certificate_number, "certificate_number", _("The certificate number"), 50)
    return _transition(app_id, actor, "serve_certificate", on=on, args=(number,), data={"certificate": number})


def file(app_id: int, actor: User, filing_number: str, *, on: date | None = None) -> Application:
    number = (filing_number or "").strip()
    if not FILING_NUMBER.match(number):
        raise ActionInvalid(
            _("A filing number looks like 皖ICP备2026001234号 (province, ICP备, 8 to 10 digits, 号)."),
            field="filing_number",
        )
    if Application.objects.filter(filing_number=number).exists():
        raise ActionInvalid(_("The filing number %(n)s is already in use.") % {"n": number}, field="filing_number")
    return _transition(app_id, actor, "file", on=on, args=(number,), data={"filing_number": number})


def refuse_filing(app_id: int, actor: User, reasons: str, *, on: date | None = None) -> Application:
    reasons = _required_text(reasons, "reasons", _("The reasons"))
    return _transition(app_id, actor, "refuse_filing", on=on, args=(reasons,), note=reasons)


# -- managers ---------------------------------------------------------------------------------


def reassign(app_id: int, actor: User, officer_id: int, *, note: str = "") -> Application:
    """Give the case to another officer of the department (not a status change; audited)."""
    with transaction.atomic():
        app = _lock(app_id)
        _require_view(app, actor)
        if not permissions.can_reassign(app, actor):
            raise _denied("reassign")
        if not app.is_open:
            raise ActionInvalid(_("Only an open application can be reassigned."))
        officer = User.objects.filter(pk=officer_id, role=Role.OFFICER, is_active=True).first()
        if officer is None:
            raise ActionInvalid(_("Choose an active case officer."), field="officer")
        if app.department_id is not None and officer.department_id != app.department_id:
            raise ActionInvalid(_("Choose an officer of the department that handles the case."), field="officer")
        if officer.pk == app.officer_id:
            raise ActionInvalid(_("The case is already assigned to %(name)s.") % {"name": officer}, field="officer")
        previous = app.officer_id
        app.officer = officer
        app.department_id = officer.department_id
        step = _Step(app, actor, today(), [])
        step.record("reassign", note=note.strip(), previous_officer=previous, officer=officer.pk)
        return _finish(step)


# -- SLA alerts (the sweep in approvals.sla calls this) -------------------------------------------


def raise_alert(app_id: int, clock: str, level: str, *, on: date | None = None) -> Alert | None:
    """Record that a running clock reached ``level``, tell the people concerned (in-app, and by
    email after commit), and aim the application at its next level. For the acceptance clock's
    last level the application is deemed accepted. Returns the new alert, or None when the
    level is not (or no longer) due: raising is idempotent."""
    on = on or today()
    with transaction.atomic():
        app = _lock(app_id)
        calendar = work_calendar()
        reading = read_clocks(app, calendar, pauses_of(app))
        plan = {(item.clock, item.level): item for item in alert_plan(app, reading, calendar)}
        item = plan.get((clock, level))
        active = app.alerts.filter(clock=clock, level=level, cleared_on__isnull=True).exists()
        if item is None or item.day > on or active:
            # Stale: the clock moved on since the next alert was stored. Re-aim and stop.
            if refresh_clocks(app, calendar):
                app.save()
            return None
        alert = Alert.objects.create(application=app, clock=clock, level=level, due=item.due, raised_on=on)
        if level == "deemed":
            deem_accepted(app.pk, on=on)
            return alert
        # When a later level of the same clock has come too (a sweep catching up), this one is
        # recorded but only the most serious is told: "due soon" about an overdue case is noise.
        passed = any(
            other.clock == clock and other.day <= on and LEVELS.index(other.level) > LEVELS.index(level)
            for other in plan.values()
        )
        step = _Step(app, None, on, [])
        step.record("alert", clock=clock, level=level, due=item.due.isoformat(), **({"passed": True} if passed else {}))
        _finish(step, calendar, tell=not passed)
        return alert


LEVELS = ["yellow", "red", "severe", "deemed"]


# -- ratings (好差评) -----------------------------------------------------------------------------


def rate(app_id: int, actor: User, level: int, comment: str = "") -> Rating:
    """The applicant rates the service once the case has ended. A bad rating (the bottom two)
    reaches the department's managers, who must follow it up within 15 working days."""
    if not isinstance(level, int) or not 1 <= level <= 5:
        raise ActionInvalid(_("Choose a rating from 1 to 5."), field="level")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ActionInvalid(_("%(label)s may be at most %(n)s characters.") % {"label": _("The comment"), "n": 2000})
    with transaction.atomic():
        app = _lock(app_id)
        _require_view(app, actor)
        if not permissions.can_rate(app, actor):
            raise _denied("rated")
        if app.state not in CLOSED_STATES or not app.tracking_number:
            raise ActionInvalid(_("A case can be rated once it has ended."))
        if Rating.objects.filter(application=app).exists():
            raise ActionInvalid(_("This case has already been rated."))
        on = today()
        rating = Rating(application=app, level=level, comment=comment, rated_by=actor, rated_on=on)
        if rating.is_bad:
            rating.follow_up_due = work_calendar().add_working_days(on, RATING_FOLLOW_UP_DAYS).date
        rating.save()
        step = _Step(app, actor, on, [])
        step.record("rated_bad" if rating.is_bad else "rated", note=comment, level=level)
        _finish(step)
        return rating


def follow_up_rating(app_id: int, actor: User, note: str) -> Rating:
    """A manager records how a bad rating was followed up."""
    note = _required_text(note, "note", _("The follow-up"))
    with transaction.atomic():
        app = _lock(app_id)
        _require_view(app, actor)
        if not permissions.is_department_manager(app, actor):
            raise _denied("rating_followed_up")
        rating = Rating.objects.filter(application=app).first()
        if rating is None or not rating.is_bad:
            raise ActionInvalid(_("Only a bad rating needs a follow-up."))
        if rating.followed_up_on:
            raise ActionInvalid(_("This rating has already been followed up."))
        rating.followed_up_on = today()
        rating.followed_up_by = actor
        rating.follow_up_note = note
        rating.save(update_fields=["followed_up_on", "followed_up_by", "follow_up_note"])
        step = _Step(app, actor, rating.followed_up_on, [])
        step.record("rating_followed_up", note=note)
        _finish(step)
        return rating


# -- service appointments (预约办 / 上门办) -------------------------------------------------------


def appointment_slots() -> list[str]:
    return list(settings.APPOINTMENT_SLOTS)


def places_taken(department_id: int, first: date, last: date) -> dict[tuple[date, str], int]:
    """Window places taken (requested or confirmed) per (day, slot), in one grouped query."""
    return {
        (day, slot): n
        for day, slot, n in Appointment.objects.filter(
            department_id=department_id,
            kind=AppointmentKind.WINDOW,
            status__in=[AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED],
            day__range=(first, last),
        )
        .values_list("day", "slot")
        .annotate(n=Count("pk"))
        .order_by()
    }


def places_left(department_id: int, day: date, slot: str) -> int:
    return max(settings.APPOINTMENT_PLACES - places_taken(department_id, day, day).get((day, slot), 0), 0)


def book_appointment(
    actor: User,
    *,
    kind: str,
    procedure: str,
    day: date,
    slot: str,
    purpose: str,
    contact_phone: str,
    address: str = "",
    application_id: int | None = None,
) -> Appointment:
    """An enterprise books a place at the service window, or asks for an on-site visit, on a
    working day; the department's officers are told."""
    if permissions.role_of(actor) != Role.ENTERPRISE:
        raise ActionDenied(_("Only an enterprise's users book appointments."))
    if kind not in AppointmentKind.values:
        raise ActionInvalid(_("Choose the window or an on-site visit."), field="kind")
    if procedure not in Procedure.values:
        raise ActionInvalid(_("Choose a procedure."), field="procedure")
    if slot not in settings.APPOINTMENT_SLOTS:
        raise ActionInvalid(_("Choose one of the times offered."), field="slot")
    purpose = _required_text(purpose, "purpose", _("The purpose"), 300)
    contact_phone = _required_text(contact_phone, "contact_phone", _("A contact phone number"), 30)
    if kind == AppointmentKind.ONSITE:
        address = _required_text(address, "address", _("The address to visit"), 300)
    now = today()
    if day is None or day <= now or day > now + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS):
        raise ActionInvalid(
            _("Choose a day from tomorrow to %(days)s days ahead.") % {"days": settings.APPOINTMENT_HORIZON_DAYS},
            field="day",
        )
    if not work_calendar().is_working_day(day):
        raise ActionInvalid(_("%(day)s is not a working day.") % {"day": day}, field="day")
    route = ProcedureRoute.objects.filter(procedure=procedure).select_related("department").first()
    if route is None:
        raise ActionInvalid(_("No department takes appointments for this procedure yet."), field="procedure")
    application = None
    if application_id:
        application = Application.objects.filter(pk=application_id, organisation_id=actor.organisation_id).first()
        if application is None:
            raise ActionInvalid(_("Choose one of your organisation's applications."), field="application")
    with transaction.atomic():
        # The department's row lock serialises bookings, so a slot is never overbooked.
        Department.objects.select_for_update().get(pk=route.department_id)
        if kind == AppointmentKind.WINDOW and places_left(route.department_id, day, slot) <= 0:
            raise ActionInvalid(_("That time is fully booked: choose another."), field="slot")
        appointment = Appointment.objects.create(
            kind=kind,
            organisation_id=actor.organisation_id,
            requested_by=actor,
            department_id=route.department_id,
            procedure=procedure,
            application=application,
            day=day,
            slot=slot,
            purpose=purpose,
            address=address.strip() if kind == AppointmentKind.ONSITE else "",
            contact_phone=contact_phone,
        )
        _audit_appointment(appointment, actor, "")
        officers = User.objects.filter(role=Role.OFFICER, department_id=route.department_id, is_active=True)
        _tell(officers, "appointment_requested", appointment)
    return appointment


def answer_appointment(appointment_id: int, actor: User, *, confirm: bool, reply: str = "") -> Appointment:
    """An officer of the department confirms or declines; the enterprise is told."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        if appointment is None or not permissions.can_handle_appointment(appointment, actor):
            raise NotFound(_("No such appointment."))
        if not can_proceed(appointment.confirm if confirm else appointment.decline):
            raise ActionInvalid(_("This appointment has already been answered."))
        if not confirm:
            reply = _required_text(reply, "reply", _("The reason"), 300)
        was = appointment.status
        if confirm:
            appointment.confirm(actor, reply.strip())
        else:
            appointment.decline(actor, reply.strip())
        appointment.save(update_fields=["status", "handled_by", "reply"])
        _audit_appointment(appointment, actor, was, note=appointment.reply)
        members = User.objects.filter(role=Role.ENTERPRISE, organisation_id=appointment.organisation_id, is_active=True)
        _tell(members, "appointment_" + appointment.status, appointment)
    return appointment


def cancel_appointment(appointment_id: int, actor: User) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        if appointment is None or not permissions.is_member_of(appointment.organisation_id, actor):
            raise NotFound(_("No such appointment."))
        if not can_proceed(appointment.cancel):
            raise ActionInvalid(_("This appointment can no longer be cancelled."))
        was = appointment.status
        appointment.cancel()
        appointment.save(update_fields=["status"])
        _audit_appointment(appointment, actor, was)
        told = [appointment.handled_by_id] if appointment.handled_by_id else []
        officers = User.objects.filter(
            Q(pk__in=told) | Q(role=Role.OFFICER, department_id=appointment.department_id), is_active=True
        )
        _tell(officers, "appointment_cancelled", appointment)
    return appointment


def _audit_appointment(appointment: Appointment, actor: User, was: str, *, note: str = "") -> None:
    """Record an appointment's status change (``was`` to its status now; ``""`` when booked) in
    the audit trail, in the caller's transaction: under its application when it names one, else
    on its own (the appointment's id is in the data either way)."""
    audit.append(
        [
            audit.Draft(
                appointment.application,
                actor.pk,
                "appointment_" + appointment.status,
                today(),
                from_state=was,
                to_state=appointment.status,
                note=note,
                data={
                    "appointment": appointment.pk,
                    "kind": appointment.kind,
                    "day": appointment.day.isoformat(),
                    "slot": appointment.slot,
                },
                delivered=True,
            )
        ]
    )


def _tell(users, kind: str, appointment: Appointment) -> None:
    data = {
        "appointment": appointment.pk,
        "day": appointment.day.isoformat(),
        "slot": appointment.slot,
        "kind": appointment.kind,
        "organisation": appointment.organisation.name,
    }
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, application=appointment.application, kind=kind, data=data, email=bool(user.email)
            )
            for user in users
        ]
    )


# -- calendar changes -------------------------------------------------------------------------


def _moved(changed: dict[str, tuple]) -> dict[str, list[str | None]]:
    """The clocks whose due date is among ``changed``, by clock kind (acceptance, promised,
    statutory, certificate), as [old, new] ISO strings, for the audit event."""
    return {
        kind: [old.isoformat() if old else None, new.isoformat() if new else None]
        for kind, column in CLOCK_DUE_COLUMNS.items()
        if column in changed
        for old, new in [changed[column]]
    }


CLOCK_FIELDS = [
    "clock",
    *(
        f"{kind}_{part}" if part else column
        for kind, column in CLOCK_DUE_COLUMNS.items()
        for part in ("", "provisional", "earliest", "latest")
    ),
    "days_left_when_paused",
    "yellow_on",
    "red_on",
    "severe_on",
    "next_alert_on",
    "next_alert_level",
]


def _touched(first: date | None, last: date | None):
    """The open applications whose clock window touches the days ``first``..``last``."""
    candidates = Application.objects.open()
    if first is not None and last is not None:
        candidates = candidates.filter(received_on__lte=last).filter(
            Q(acceptance_due__gte=first)
            | Q(due_date__gte=first)
            | Q(statutory_due__gte=first)
            | Q(certificate_due__gte=first)
            | Q(clock=ClockKind.PAUSED)
        )
    return candidates


def _recompute(pks: list[int], reason: str, actor: User | None, calendar: WorkCalendar) -> list[AuditEvent]:
    """Recompute these applications (locked), save what changed, record each moved due date."""
    apps = (
        Application.objects.filter(pk__in=pks)
        .select_related("policy")
        .prefetch_related("special_procedures", "alerts")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    on = today()
    changed_apps, drafts = [], []
    for app in apps:
        changed = refresh_clocks(app, calendar)
        if not changed:
            continue
        changed_apps.append(app)
        moved = _moved(changed)
        if moved:
            drafts.append(
                audit.Draft(
                    application=app,
                    actor_id=actor.pk if actor else None,
                    action="due_date_moved",
                    on=on,
                    note=reason,
                    data=moved,
                )
            )
    Application.objects.bulk_update(changed_apps, CLOCK_FIELDS, batch_size=500)
    events = audit.append(drafts)
    notifications.notify(events)
    notifications.queue([event.pk for event in events])
    return events


def recompute_open_clocks(
    reason: str,
    first: date | None = None,
    last: date | None = None,
    actor: User | None = None,
    *,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """After a calendar change between ``first`` and ``last``: recompute every open clock whose
    window touches those days, in bulk, and record each moved due date. Returns how many moved.

    In one transaction by default; with ``chunk``, one transaction per ``chunk`` applications
    (each consistent, the whole idempotent) so that ``progress(done, total)`` can be reported
    while a large recompute runs."""
    calendar = work_calendar()
    pks = list(_touched(first, last).order_by("pk").values_list("pk", flat=True))
    if chunk is None:
        with transaction.atomic():
            return len(_recompute(pks, reason, actor, calendar))
    moved = 0
    if progress is not None:
        progress(0, len(pks))
    for start in range(0, len(pks), chunk):
        with transaction.atomic():
            moved += len(_recompute(pks[start : start + chunk], reason, actor, calendar))
        if progress is not None:
            progress(min(start + chunk, len(pks)), len(pks))
    return moved


def load_calendar(schedule: Schedule, *, actor: User | None = None) -> tuple[object, int]:
    """Load a year's official schedule and carry it to every open case it touches, atomically."""
    with transaction.atomic():
        result = import_schedule(schedule)
        moved = recompute_open_clocks(_loaded(schedule), *_span(schedule), actor=actor)
    return result, moved


def _loaded(schedule: Schedule) -> str:
    return _("%(year)s schedule loaded") % {"year": schedule.year}


def _span(schedule: Schedule) -> tuple[date, date]:
    return min([*(entry.date for entry in schedule.entries), date(schedule.year, 1, 1)]), date(schedule.year, 12, 31)


@dataclass(frozen=True)
class Move:
    application_id: int
    tracking_number: str
    field: str
    old: str | None
    new: str | None


def preview_calendar(schedule: Schedule) -> list[Move]:
    """What loading ``schedule`` would move, without changing anything: the load runs in a
    transaction that is rolled back."""
    moves: list[Move] = []
    with transaction.atomic():
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        load_calendar(schedule)
        for event in AuditEvent.objects.filter(pk__gt=before, action="due_date_moved").select_related("application"):
            for field, (old, new) in event.data.items():
                moves.append(Move(event.application_id, event.application.tracking_number or "", field, old, new))
        transaction.set_rollback(True)
    return moves


def preview_is_current(preview: dict) -> bool:
    """Whether the calendar is still the one a calendar upload's preview was made on: a preview
    made before another load (or an edit in the admin) says what the upload would have done then,
    and loading it now could undo that load."""
    seen = preview.get("calendar")
    return seen is None or seen == calendar_version(work_calendar())


def stale_preview_message() -> str:
    return _(
        "The calendar changed since this preview (another schedule was loaded or edited): "
        "upload it again to see what it would do now. Nothing was changed."
    )


def set_calendar_job_status(
    job_id: int,
    status: str,
    *,
    only_from: Iterable[str] | None = None,
    actor: User | None = None,
    **fields: Any,
) -> bool:
    """Change a calendar upload's status (and ``fields`` with it) and record the change in the
    audit trail, in one transaction: the one way a ``CalendarJob``'s status changes. With
    ``only_from``, only a job in one of those statuses moves (a compare-and-set: False when
    another request moved it first, and nothing is written). A status that stays the same is
    not a change and is not recorded. The event belongs to no application; its data names the
    job, its year and the new status."""
    from approvals.models import CalendarJob

    with transaction.atomic():
        jobs = CalendarJob.objects.select_for_update().filter(pk=job_id)
        if only_from is not None:
            jobs = jobs.filter(status__in=list(only_from))
        job = jobs.only("pk", "year", "status").first()
        if job is None:
            return False
        CalendarJob.objects.filter(pk=job_id).update(status=status, **fields)
        if job.status != status:
            audit.append(
                [
                    audit.Draft(
                        None,
                        actor.pk if actor else None,
                        "calendar_job_" + status,
                        today(),
                        from_state=job.status,
                        to_state=status,
                        data={"job": job.pk, "year": job.year, "status": status},
                        delivered=True,
                    )
                ]
            )
    return True


def apply_calendar_job(job_id: int) -> str:
    """The django-q2 task behind the calendar page: load the uploaded schedule (atomically),
    then carry it to the open cases in chunks, reporting progress on the job. A job whose
    preview no longer matches the calendar (another load came first) fails, changing nothing.
    Each status change is audited (``set_calendar_job_status``)."""
    from approvals.holidays import read_schedule_text
    from approvals.models import CalendarJob

    job = CalendarJob.objects.get(pk=job_id)
    if not preview_is_current(job.preview or {}):
        text = stale_preview_message()
        set_calendar_job_status(job_id, CalendarJob.Status.FAILED, result=text)
        return text
    set_calendar_job_status(job_id, CalendarJob.Status.RUNNING)
    try:
        schedule = read_schedule_text(job.content, job.file_name, source=job.source)
        with transaction.atomic():
            result = import_schedule(schedule)
        first, last = _span(schedule)

        def progress(done: int, total: int) -> None:
            CalendarJob.objects.filter(pk=job_id).update(done=done, total=total)

        moved = recompute_open_clocks(
            _loaded(schedule), first, last, actor=job.created_by, chunk=200, progress=progress
        )
    except Exception as exc:
        set_calendar_job_status(job_id, CalendarJob.Status.FAILED, result=str(exc)[:2000])
        raise
    text = f"{result} " + _("Due dates moved: %(n)s.") % {"n": moved}
    set_calendar_job_status(job_id, CalendarJob.Status.DONE, result=text)
    return text


def calendar_days_changed(days: Iterable[date], reason: str, actor: User | None = None) -> int:
    """After an administrator edits schedule days by hand."""
    days = sorted(days)
    if not days:
        return 0
    return recompute_open_clocks(reason, days[0], days[-1], actor=actor)


# -- what a user may do -----------------------------------------------------------------------


def available_actions(app: Application, user: User) -> list[str]:
    """The actions ``user`` may take on ``app`` now: the buttons a screen shows."""
    if not permissions.can_view(app, user):
        return []
    names = [t.name for t in app.get_available_user_state_transitions(user)]
    names += [t.name for t in app.get_available_user_extension_state_transitions(user)]
    now = today()
    if app.acceptance_due and now > app.acceptance_due:
        # After the 5 working days the law deems the application accepted: only accepting is left.
        names = [n for n in names if n not in ("refuse_to_accept", "request_correction")]
    if app.due_date and now > app.due_date:
        # An extension is decided within the limit; an overdue case can only be rejected one.
        names = [n for n in names if n not in ("request_extension", "approve_extension")]
    if app.is_open and permissions.can_reassign(app, user):
        names.append("reassign")
    return names


def recompute(app_id: int, actor: User | None = None) -> Application:
    """Recompute one application's clocks (an administrator's repair tool; audited if they move)."""
    with transaction.atomic():
        app = _lock(app_id)
        changed = refresh_clocks(app, work_calendar())
        if changed:
            app.save()
            moved = _moved(changed)
            if moved:
                events = audit.append(
                    [
                        audit.Draft(
                            app,
                            actor.pk if actor else None,
                            "due_date_moved",
                            today(),
                            note=_("recomputed"),
                            data=moved,
                        )
                    ]
                )
                notifications.notify(events)
                notifications.queue([e.pk for e in events])
    return app
