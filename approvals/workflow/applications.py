"""A case's transitions, from the applicant's answer to the decision: resubmit and withdraw, the
access provider's check (website filings), the case officer's acceptance, corrections, special
procedures, extensions and decisions, a manager's reassignment, and what a
user may do now (``available_actions``)."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import permissions, reports
from approvals.holidays import work_calendar
from approvals.models import (
    Application,
    Policy,
    Role,
    SpecialProcedure,
    User,
)
from approvals.workflow.core import (
    ActionInvalid,
    _announce,
    _due_dates_moved,
    _finish,
    _held,
    _lock,
    _Step,
    _transition,
    refresh_clocks,
    today,
)
from approvals.workflow.drafts import _route

FILING_NUMBER = re.compile(r"^[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新]ICP备\d{8,10}号$")


def _set_policy(app: Application) -> None:
    start = app.clock_start
    try:
        app.policy = Policy.objects.in_force(app.procedure, start)
    except Policy.DoesNotExist:
        raise ActionInvalid(
            _("No policy for %(kind)s is in force on %(on)s.") % {"kind": app.get_procedure_display(), "on": start}
        ) from None


# -- the applicant ----------------------------------------------------------------------------


def resubmit(app_id: int, actor: User, *, note: str = "", on: date | None = None) -> Application:
    """The applicant answers the correction notice: that day the corrections arrive."""
    return _transition(app_id, actor, "resubmit", on=on, note=note)


def withdraw(app_id: int, actor: User, reason: str, *, on: date | None = None) -> Application:
    return _transition(app_id, actor, "withdraw", on=on, args=(reason,), note=reason)


# -- the access provider (website filings) ------------------------------------------------------


def return_to_applicant(app_id: int, actor: User, reasons: str, *, on: date | None = None) -> Application:
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
    verification (``verified_at``, an aware datetime): the filing's clock starts that day."""
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
                "is deemed accepted (Administrative Licensing Law, art. 32). Accept it."
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
    return _transition(
        app_id, actor, "refuse_to_accept", on=on, args=(reasons,), note=reasons, check=_within_acceptance_period
    )


def request_correction(app_id: int, actor: User, items: str, *, on: date | None = None) -> Application:
    """One notice listing every correction needed (一次告知). A second is allowed and flagged."""

    def then(step: _Step) -> None:
        step.events[-1].data["notice"] = step.app.correction_notices
        # The day by which the corrections are to reach the office, printed on the notice.
        reply_by = work_calendar().add_working_days(step.on, settings.CORRECTION_REPLY_WORKING_DAYS)
        step.events[-1].data["reply_by"] = reply_by.date.isoformat()
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
    """Stop the clock for a special procedure (行政许可法 art. 45): its time is not counted. The
    applicant is told in writing (``notice_date``) between its start and today."""
    on_ = on or today()
    if notice_date < on_ or notice_date > today():
        raise ActionInvalid(
            _("The written notice to the applicant must be dated between %(start)s and today.") % {"start": on_},
            field="notice_date",
        )
    if expected_end < on_:
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

    return _transition(app_id, actor, "end_special_procedure", on=on, note=note, then=then)


def _within_the_limit(app: Application, on: date) -> None:
    """An extension is asked for and decided before the promised limit runs out (行政许可法
    art. 42: 二十日内不能作出决定的 … 可以延长): once the case is overdue, none can be granted."""
    if app.due_date is not None and on > app.due_date:
        raise ActionInvalid(
            _(
                "An extension must be asked for and decided within the limit (Administrative Licensing Law, art. 42); "
                "this one ended on %(due)s."
            )
            % {"due": app.due_date}
        )


def request_extension(app_id: int, actor: User, days: int, reason: str, *, on: date | None = None) -> Application:
    """Ask for ``days`` more working days: as many as the case's policy allows, within the limit."""

    def check(app: Application, on: date) -> None:
        _within_the_limit(app, on)
        limit = app.policy.extension_limit if app.policy else 0
        if not 1 <= days <= limit:
            raise ActionInvalid(_("An extension is 1 to %(max)s working days.") % {"max": limit}, field="days")

    return _transition(
        app_id, actor, "request_extension", on=on, args=(days, reason), note=reason, data={"days": days}, check=check
    )


def approve_extension(app_id: int, actor: User, *, note: str = "", on: date | None = None) -> Application:
    return _transition(app_id, actor, "approve_extension", on=on, note=note, check=_within_the_limit)


def reject_extension(app_id: int, actor: User, note: str, *, on: date | None = None) -> Application:
    return _transition(app_id, actor, "reject_extension", on=on, note=note)


def grant(app_id: int, actor: User, *, reasons: str = "", on: date | None = None) -> Application:
    return _transition(app_id, actor, "grant", on=on, args=(reasons,), note=reasons)


def deny(app_id: int, actor: User, reasons: str, remedies: str, *, on: date | None = None) -> Application:
    """不予许可: the written decision gives the reasons and the remedies (review, litigation)."""
    return _transition(app_id, actor, "deny", on=on, args=(reasons, remedies), note=reasons)


def serve_certificate(app_id: int, actor: User, certificate_number: str, *, on: date | None = None) -> Application:
    return _transition(
        app_id, actor, "serve_certificate", on=on, args=(certificate_number,), data={"certificate": certificate_number}
    )


def file(app_id: int, actor: User, filing_number: str, *, on: date | None = None) -> Application:
    """Record the filing under ``filing_number``: one in the register's form (the province,
    ICP备, its digits, 号; MIIT's rule, checked here for every caller), not yet in use."""
    if not FILING_NUMBER.match(filing_number):
        raise ActionInvalid(
            _("A filing number looks like 皖ICP备2026001234号 (province, ICP备, 8 to 10 digits, 号)."),
            field="filing_number",
        )
    if Application.objects.filter(filing_number=filing_number).exists():
        raise ActionInvalid(
            _("The filing number %(n)s is already in use.") % {"n": filing_number}, field="filing_number"
        )
    return _transition(app_id, actor, "file", on=on, args=(filing_number,), data={"filing_number": filing_number})


def refuse_filing(app_id: int, actor: User, reasons: str, *, on: date | None = None) -> Application:
    return _transition(app_id, actor, "refuse_filing", on=on, args=(reasons,), note=reasons)


# -- managers ---------------------------------------------------------------------------------


def reassign(app_id: int, actor: User, officer_id: int, *, note: str = "") -> Application:
    """Give the case to another officer of the department (not a status change; audited)."""
    with transaction.atomic():
        app = _held(
            app_id,
            actor,
            "reassign",
            may=permissions.can_reassign,
            when=lambda app: app.is_open,
            refusal=_("Only an open application can be reassigned."),
        )
        officer = User.objects.filter(pk=officer_id, role=Role.OFFICER, is_active=True).first()
        if officer is None:
            raise ActionInvalid(_("Choose an active case officer."), field="officer")
        if app.department_id is not None and officer.department_id != app.department_id:
            raise ActionInvalid(_("Choose an officer of the department that handles the case."), field="officer")
        if officer.pk == app.officer_id:
            raise ActionInvalid(_("The case is already assigned to %(name)s.") % {"name": officer}, field="officer")
        previous = app.officer_id, app.department_id
        app.officer = officer
        app.department_id = officer.department_id
        step = _Step(app, actor, today(), [])
        step.record("reassign", note=note, previous_officer=previous[0], officer=officer.pk)
        if app.decided_on is not None and app.due_date is not None:
            # A granted case before its certificate is served: its month's figures follow it.
            values = {name: _value(app, name) for name in (*reports.MEASURED, "officer_id", "department_id")}
            reports.reassigned(values, (previous[1], previous[0]), step.on, work_calendar())
        return _finish(step)


def _value(app: Application, name: str) -> object:
    """``app``'s value of a field as ``values()`` names it (``policy__promised_limit``)."""
    value: object = app
    for part in name.split("__"):
        value = getattr(value, part)
    return value


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
            event = _due_dates_moved(app, actor, _("recomputed"), changed)
            if event is not None:
                _announce([event])
    return app
