"""Drafts and their materials, and submission: an enterprise's application before it reaches
anyone (create, edit, add or remove files), then sent, with its tracking number and its route
to a department."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from approvals import permissions, uploads
from approvals.codes import readable_code
from approvals.models import (
    OPEN_STATES,
    Application,
    Material,
    Organisation,
    OrganisationKind,
    Procedure,
    ProcedureRoute,
    State,
    TrackingSequence,
    User,
    private_storage,
)
from approvals.roles import Role
from approvals.workflow.core import (
    ActionDenied,
    ActionInvalid,
    NotFound,
    _finish,
    _held,
    _required_text,
    _Step,
    _transition,
    today,
)

TRACKING_PREFIX = {
    Procedure.TELECOM_LICENCE: "XK",
    Procedure.NUMBER_RESOURCE: "MH",
    Procedure.WEBSITE_FILING: "BA",
}


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
        _require_provider(provider_id)
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


def _require_provider(provider_id: int | None) -> None:
    """``provider_id`` is an access provider's: the one a website filing names."""
    if (
        not provider_id
        or not Organisation.objects.filter(pk=provider_id, kind=OrganisationKind.ACCESS_PROVIDER).exists()
    ):
        raise ActionInvalid(_("Choose the access provider that hosts the website."), field="provider")


def _applicants(
    app_id: int, actor: User, action: str, refusal: str, states: tuple[str, ...] = (State.DRAFT,)
) -> Application:
    """The preamble of a change to a draft (``_held``): the application locked, seen by the actor,
    who is its applicant (else ActionDenied), and in one of ``states`` (else ActionInvalid: ``refusal``)."""
    return _held(
        app_id, actor, action, may=permissions.is_applicant, when=lambda app: app.state in states, refusal=refusal
    )


def update_draft(
    app_id: int, actor: User, *, subject: str, details: dict | None = None, provider_id: int | None = None
) -> Application:
    """Edit a draft; a website filing's draft may also change access provider (for instance
    after the provider returned it)."""
    with transaction.atomic():
        app = _applicants(app_id, actor, "updated", _("Only a draft can be edited."))
        app.subject = _required_text(subject, "subject", _("What is applied for"), 300)
        if details is not None:
            app.details = details
        if provider_id is not None and provider_id != app.provider_id:
            if app.procedure != Procedure.WEBSITE_FILING:
                raise ActionInvalid(_("Only a website filing has an access provider."), field="provider")
            _require_provider(provider_id)
            app.provider_id = provider_id
        step = _Step(app, actor, today(), [])
        step.record("updated")
        return _finish(step)


def remove_material(app_id: int, actor: User, material_id: int) -> Application:
    """Take a file off a draft (the file is deleted once the change commits)."""
    with transaction.atomic():
        app = _applicants(app_id, actor, "material_added", _("Materials can be removed only from a draft."))
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
        app = _applicants(
            app_id,
            actor,
            "material_added",
            _("Materials can be added to a draft or while corrections are awaited."),
            states=(State.DRAFT, State.CORRECTION),
        )
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


def submit(app_id: int, actor: User, *, on: date | None = None, complete: bool = False) -> Application:
    """Send a draft: to the administration (licences, numbers), to the access provider (filings).

    With ``complete``, the draft's details must be complete (approvals.details, COMPLETE mode):
    else ActionInvalid with the forms' messages, each field's under ``details.<field>`` in its
    ``errors`` (the first one its message and field)."""
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
                errors = exc.fields()
                field, found = next(iter(errors.items()))
                raise ActionInvalid(found[0], field=field, errors=errors) from None

    def then(step: _Step) -> None:
        _assign_tracking_number(step.app, step.on)
        if step.app.procedure != Procedure.WEBSITE_FILING:
            _route(step.app)  # a filing reaches a department only when the provider forwards it

    name = "submit_to_provider" if procedure == Procedure.WEBSITE_FILING else "submit"
    return _transition(app_id, actor, name, on=on, args=(), check=check, then=then)


def _assign_tracking_number(app: Application, on: date) -> None:
    if app.tracking_number:
        return
    sequence, _created = TrackingSequence.objects.select_for_update().get_or_create(
        procedure=app.procedure, year=on.year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    app.tracking_number = f"{TRACKING_PREFIX[app.procedure]}{on.year}{sequence.last:06d}"
    app.query_code = readable_code()


def officers_by_load(department_id: int):
    """A department's active officers, the one with the fewest open cases first (ties: the
    first created): the next new case goes to the first."""
    return (
        User.objects.filter(role=Role.OFFICER, department_id=department_id, is_active=True)
        .annotate(load=Count("cases", filter=Q(cases__state__in=sorted(OPEN_STATES))))
        .order_by("load", "pk")
    )


def _route(app: Application) -> None:
    """Send the application to the department that handles its procedure, and to that
    department's officer with the fewest open cases."""
    if app.department_id is None:
        route = ProcedureRoute.objects.filter(procedure=app.procedure).first()
        if route is None:
            return  # an administrator routes it by hand (reassign)
        app.department_id = route.department_id
    if app.officer_id is None:
        app.officer = officers_by_load(app.department_id).first()
