"""The enterprise area (the access provider's queue is approvals.views.provider).

- ``/portal/``: an organisation's applications, where each stands and what it waits for;
- ``/portal/new/`` and ``/portal/new/<procedure>/``: choose a procedure, then fill in a draft and
  upload its materials;
- ``/portal/applications/<pk>/edit/``: change a draft, add materials, submit it.

Views are thin: every change goes through ``approvals.workflow``. Nothing a user entered is lost:
a form with errors comes back as typed, and the files chosen with it are kept aside
(``uploads.PendingUploads``) and offered again until the form is saved; a file the
workflow refuses is reported without losing the draft or the other files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals import details as details_rules
from approvals import kept, permissions, uploads, workflow
from approvals.addresses import per_pk
from approvals.calendar import WorkCalendar
from approvals.holidays import work_calendar
from approvals.labels import translated
from approvals.models import Application, Organisation, OrganisationKind, Procedure, State
from approvals.procedures import CATEGORY_CHOICES, CATEGORY_NAMES, NUMBER_TYPES, PROCEDURES, filing_domains
from approvals.roles import Role
from approvals.selectors.portal import policies
from approvals.selectors.portal import portal as portal_listing
from approvals.uploads import Kept, PendingUploads
from approvals.views.common import chosen_filters, list_context, require_role, visible
from approvals.waiting import waiting_for

# -- the draft forms: the subject and the procedure's details ------------------------------------


class DraftForm(forms.Form):
    """What every application says; subclasses add a procedure's details (Application.details)."""

    procedure = ""
    subject = forms.CharField(label=gettext_lazy("What is applied for"), max_length=300)

    #: The fields that are the procedure's details: rendered by their form fields, validated
    #: once, by approvals.details (as the API validates them), not by the form fields.
    detail_fields: tuple[str, ...] = ()

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["subject"].help_text = PROCEDURES[self.procedure].subject_help
        self._details: dict = {}
        for name in self.detail_fields:
            self.fields[name].clean = _as_typed  # the widget's value, for approvals.details

    def clean(self) -> dict:
        """The details as approvals.details cleans them to submit (a draft saved from a form is
        complete): its messages on the fields, its cleaned values in cleaned_data."""
        data = super().clean()
        typed = {name: data[name] for name in self.detail_fields if name in data}
        try:
            self._details = details_rules.clean(self.procedure, typed, details_rules.COMPLETE)
        except details_rules.DetailsInvalid as exc:
            for name, found in exc.errors.items():
                for message in found:
                    self.add_error(name if name in self.fields else None, message)
            return self.cleaned_data
        data.update({name: self._details[name] for name in self.detail_fields if name in self._details})
        return data

    def details(self) -> dict:
        """The details to store, as approvals.details cleaned them (after is_valid())."""
        return dict(self._details)

    @classmethod
    def initial_for(cls, app: Application) -> dict:
        return {"subject": app.subject}


class LicenceForm(DraftForm):
    procedure = Procedure.TELECOM_LICENCE
    detail_fields = ("categories", "coverage")
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Business categories"),
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tick every category you apply for (Catalogue of Telecommunications Services)."),
        error_messages={"required": gettext_lazy("Tick at least one business category.")},
    )
    coverage = forms.CharField(
        label=gettext_lazy("Coverage area"),
        max_length=200,
        help_text=gettext_lazy(
            "The province, or the cities where you will offer the service: Anhui province; Hefei, Wuhu…"
        ),
    )

    @classmethod
    def initial_for(cls, app: Application) -> dict:
        details = app.details or {}
        codes = details.get("categories")
        if not isinstance(codes, list):  # older drafts name the business in words only
            business = str(details.get("business", ""))
            codes = [code for code, chinese in CATEGORY_NAMES.items() if chinese in business]
        return {**super().initial_for(app), "categories": codes, "coverage": details.get("coverage", "")}


class NumbersForm(DraftForm):
    procedure = Procedure.NUMBER_RESOURCE
    detail_fields = ("number_type", "quantity", "code", "purpose")
    number_type = forms.ChoiceField(
        label=gettext_lazy("Type of number"),
        choices=NUMBER_TYPES,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the type of number.")},
    )
    quantity = forms.IntegerField(label=gettext_lazy("How many numbers"), min_value=1, max_value=10_000, initial=1)
    code = forms.CharField(
        label=gettext_lazy("Numbers you would like"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Optional: the numbers you ask for, if you have a preference."),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Intended use"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the numbers will be used for, and where."),
    )

    @classmethod
    def initial_for(cls, app: Application) -> dict:
        details = app.details or {}
        initial = {key: details[key] for key in ("number_type", "quantity", "code", "purpose") if key in details}
        return {**super().initial_for(app), **initial}


class FilingForm(DraftForm):
    procedure = Procedure.WEBSITE_FILING
    detail_fields = ("website", "domains")
    website = forms.CharField(label=gettext_lazy("Website name"), max_length=100)
    domains = forms.CharField(
        label=gettext_lazy("Domain names"),
        widget=forms.Textarea(attrs={"rows": 3, "autocapitalize": "none", "spellcheck": "false"}),
        help_text=gettext_lazy("One per line, for example yunduan.cn"),
    )
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Access provider"),
        queryset=Organisation.objects.none(),
        empty_label=gettext_lazy("Choose…"),
        help_text=gettext_lazy("It checks the filing and verifies your identity before sending it on."),
        error_messages={"required": gettext_lazy("Choose the access provider that hosts the website.")},
    )

    field_order = ["website", "domains", "provider", "subject"]

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, editing=editing, **kwargs)
        subject = self.fields["subject"]
        subject.required = False
        subject.help_text = _("Leave it empty to use the website name and its first domain.")
        # A draft may change provider too (for instance after the provider returned it).
        self.fields["provider"].queryset = Organisation.objects.filter(kind=OrganisationKind.ACCESS_PROVIDER).order_by(
            "name"
        )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("subject", "").strip() and data.get("website") and data.get("domains"):
            data["subject"] = f"{data['website'].strip()}（{data['domains'][0]}）"[:300]
        return data

    @classmethod
    def initial_for(cls, app: Application) -> dict:
        return {
            **super().initial_for(app),
            "website": (app.details or {}).get("website", ""),
            "domains": "\n".join(filing_domains(app.details)),
            "provider": app.provider_id,
        }


def _as_typed(value: object) -> object:
    """A detail field's clean(): the value as typed, checked by approvals.details in DraftForm.clean."""
    return value


FORMS: dict[str, type[DraftForm]] = {form.procedure: form for form in (LicenceForm, NumbersForm, FilingForm)}


def _merged_details(app: Application, form: DraftForm) -> dict:
    """The new details over the old ones: keys this form does not ask for are kept."""
    details = {**(app.details or {}), **form.details()}
    if "domains" in details:
        details.pop("domain", None)  # shown as the first of the domains, and saved there
    return details


def _attach(request: HttpRequest, app: Application, kept: list[Kept]) -> tuple[int, list[str]]:
    """Add the kept files and those just chosen to the draft, one by one: a refused file stops
    nothing. Returns how many were added and the refusals."""
    pending = PendingUploads(request.session, request.user.pk)
    added, refused = 0, []
    files: list[UploadedFile] = []
    for item in kept:
        opened = pending.open(item)
        if opened is None:
            refused.append(_("“%(name)s” was kept too long and is gone: choose it again.") % {"name": item.name})
        else:
            files.append(opened)
    files += request.FILES.getlist("files")
    try:
        for upload in files:
            try:
                workflow.add_material(app.pk, request.user, upload)
                added += 1
            except workflow.WorkflowError as exc:
                refused.append(str(exc))
    finally:
        for upload in files:
            upload.close()
        pending.drop([item.token for item in kept])
    return added, refused


def _add_error(form: forms.Form, exc: workflow.WorkflowError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


# -- the portal -----------------------------------------------------------------------------------

STATUS_FILTERS = [
    ("", gettext_lazy("All")),
    ("yours", gettext_lazy("Waiting for you")),
    ("open", gettext_lazy("In progress")),
    ("overdue", gettext_lazy("Overdue")),
    ("correction", gettext_lazy("Awaiting your corrections")),
    ("due_soon", gettext_lazy("Due soon")),
    ("paused", gettext_lazy("Paused")),
    ("drafts", gettext_lazy("Drafts")),
    ("closed", gettext_lazy("Closed")),
]


class PortalFilters(forms.Form):
    procedure = forms.ChoiceField(
        label=gettext_lazy("Procedure"),
        required=False,
        choices=[("", gettext_lazy("All procedures")), *Procedure.choices],
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUS_FILTERS)
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("Tracking number or subject")}),
    )


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """The organisation's applications. What is under the frame is kept (``approvals.kept``) per
    user, organisation, valid filters and page until the data changes: the first view after any
    workflow action (a draft saved, a material added, a submission, a decision), or on another
    day, counts and renders afresh. A parameter the page does not read changes nothing; a page
    with a value that does not validate is made but not kept."""
    require_role(request, Role.ENTERPRISE)
    user = request.user
    today = workflow.today()
    calendar = work_calendar()
    form = PortalFilters(request.GET)
    chosen = chosen_filters(form)
    page = kept.page_number(request.GET.get("page"))
    key = (
        kept.key(
            "portal",
            user.pk,
            user.organisation_id,
            sorted(chosen.items()),
            page,
            scope=kept.organisation_scope(user.organisation_id),
            calendar=calendar,
            today=today,
        )
        if form.is_valid() and page is not None
        else None
    )
    body = kept.through(
        key,
        lambda: render_to_string("approvals/enterprise/_portal.html", _portal(request, form, chosen, today, calendar)),
        owner=user.pk,
    )
    return render(request, "approvals/enterprise/portal.html", {"body": body})


def _portal(request: HttpRequest, form: PortalFilters, chosen: dict, today: date, calendar: WorkCalendar) -> dict:
    """The summary and a page of the organisation's applications (``approvals.selectors.portal``),
    for _portal.html: what each waits for, its names and addresses."""
    listing = portal_listing(
        request.user,
        procedure=chosen.get("procedure", ""),
        status=chosen.get("status", ""),
        text=chosen.get("q", "").strip(),
        page=request.GET.get("page"),
        today=today,
        calendar=calendar,
    )
    # Each name translated once for the page, not once per row; each row's addresses from one
    # reverse() each, not a {% url %} per row.
    short = translated((procedure, info.short) for procedure, info in PROCEDURES.items())
    names = translated(Procedure.choices)
    application_url = per_pk("approvals:application")
    edit_url = per_pk("approvals:edit-draft")
    for app in listing.rows:
        app.waiting_for = waiting_for(app)
        app.short_procedure = short[app.procedure]
        app.procedure_name = names.get(app.procedure, app.procedure)
        app.url = application_url(app.pk)
        if app.state == State.DRAFT:
            app.edit_url = edit_url(app.pk)
    return {"user": request.user, **list_context(form, chosen, listing), "chosen": chosen, "today": today}


# -- a new application ----------------------------------------------------------------------------


@login_required
def new_application(request: HttpRequest) -> HttpResponse:
    """Choose the procedure: what each promises and what to prepare."""
    require_role(request, Role.ENTERPRISE)
    in_force = policies(workflow.today())
    cards = [
        {"info": info, "label": Procedure(procedure).label, "policy": in_force[procedure]}
        for procedure, info in PROCEDURES.items()
    ]
    return render(request, "approvals/enterprise/new.html", {"cards": cards})


def _form_page(
    request: HttpRequest,
    form: DraftForm,
    *,
    app: Application | None = None,
    kept: list[Kept] = (),
    file_errors: list[str] = (),
    status: int = 200,
) -> HttpResponse:
    procedure = form.procedure
    context = {
        "form": form,
        "app": app,
        "procedure": procedure,
        "procedure_label": Procedure(procedure).label,
        "info": PROCEDURES[procedure],
        "policy": policies(workflow.today())[procedure],
        "kept": kept,
        "file_errors": file_errors,
        "accept": ",".join(uploads.ACCEPTED),
        "accepted_types": uploads.accepted_types_text(),
        "materials": app.materials.order_by("uploaded_at", "pk") if app else [],
        "returned": bool(app and app.tracking_number and app.outcome_reasons),
    }
    return render(request, "approvals/enterprise/form.html", context, status=status)


def _came_back(request: HttpRequest, form: DraftForm, app: Application | None, status: int = 400) -> HttpResponse:
    """The form again, as typed, with its errors; the files chosen with it are kept aside, within
    the quotas (approvals.uploads): more than a form takes at once are refused together (413),
    nothing of them kept, what was typed and the files kept before offered again."""
    pending = PendingUploads(request.session, request.user.pk)
    kept = pending.ticked(request.POST)
    chosen = request.FILES.getlist("files")
    too_many = uploads.over_request_quota(chosen)
    if too_many:
        return _form_page(request, form, app=app, kept=kept, file_errors=[too_many], status=413)
    more, refused = pending.keep(chosen)
    return _form_page(request, form, app=app, kept=kept + more, file_errors=refused, status=status)


def _report_files(request: HttpRequest, added: int, refused: list[str]) -> None:
    for message in refused:
        messages.error(request, message)
    if refused:
        messages.warning(
            request,
            _("The draft is saved with the files that were accepted (%(added)s); choose the refused ones again.")
            % {"added": added},
        )


def _save(
    request: HttpRequest, form: DraftForm, app: Application | None, save: Callable[..., Application]
) -> tuple[Application, int, list[str]] | HttpResponse:
    """A draft's form posted. If it is valid: the draft saved by ``save(subject=, provider_id=)``,
    then the files kept aside and those just chosen added to it (each refusal reported), and the
    draft returned with how many files were added and the refusals. If it is not, if it carries
    more files than a form takes at once, or if the workflow refuses it: the form again, with its
    errors."""
    if not form.is_valid() or uploads.over_request_quota(request.FILES.getlist("files")):
        return _came_back(request, form, app)
    provider = form.cleaned_data.get("provider")
    try:
        saved = save(subject=form.cleaned_data["subject"], provider_id=provider.pk if provider else None)
    except workflow.WorkflowError as exc:
        _add_error(form, exc)
        return _came_back(request, form, app, exc.status)
    added, refused = _attach(request, saved, PendingUploads(request.session, request.user.pk).ticked(request.POST))
    _report_files(request, added, refused)
    return saved, added, refused


@login_required
def new_application_form(request: HttpRequest, procedure: str) -> HttpResponse:
    require_role(request, Role.ENTERPRISE)
    if procedure not in FORMS:
        raise Http404
    form_class = FORMS[procedure]
    if request.method != "POST":
        return _form_page(request, form_class())
    form = form_class(request.POST)
    saved = _save(
        request,
        form,
        None,
        lambda **values: workflow.create_application(request.user, procedure, details=form.details(), **values),
    )
    if isinstance(saved, HttpResponse):
        return saved
    app, added, refused = saved
    if refused or not added:
        if not refused:
            messages.info(request, _("The draft is saved. Add its materials, then submit it."))
        return redirect("approvals:edit-draft", pk=app.pk)
    messages.success(request, _("The draft is saved with its materials. Check it, then submit it."))
    return redirect("approvals:application", pk=app.pk)


# -- a draft --------------------------------------------------------------------------------------


def _draft(request: HttpRequest, pk: int) -> Application:
    """A draft of the user's organisation; anyone else gets a 404, never a hint."""
    app = get_object_or_404(visible(request.user).select_related("provider"), pk=pk)
    if not permissions.is_applicant(app, request.user):
        raise Http404
    return app


@login_required
def edit_draft(request: HttpRequest, pk: int) -> HttpResponse:
    app = _draft(request, pk)
    form_class = FORMS[app.procedure]
    if request.method != "POST":
        if app.state != State.DRAFT:
            messages.info(request, _("Only a draft can be edited."))
            return redirect("approvals:application", pk=app.pk)
        return _form_page(request, form_class(initial=form_class.initial_for(app), editing=True), app=app)
    form = form_class(request.POST, editing=True)
    if app.state != State.DRAFT:  # submitted by a colleague meanwhile: show what was typed, change nothing
        form.is_valid()
        form.add_error(None, _("This application is no longer a draft: it was submitted or withdrawn meanwhile."))
        return _came_back(request, form, app, 409)
    saved = _save(
        request,
        form,
        app,
        lambda **values: workflow.update_draft(app.pk, request.user, details=_merged_details(app, form), **values),
    )
    if isinstance(saved, HttpResponse):
        return saved
    app, _added, refused = saved
    if refused:
        return redirect("approvals:edit-draft", pk=app.pk)
    if request.POST.get("then") == "submit":
        try:
            workflow.submit(app.pk, request.user, complete=True)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect("approvals:edit-draft", pk=app.pk)
        messages.success(
            request,
            _("Sent to the access provider.")
            if app.procedure == Procedure.WEBSITE_FILING
            else _("Submitted to the administration."),
        )
        return redirect("approvals:application", pk=app.pk)
    messages.success(request, _("The draft is saved."))
    return redirect("approvals:application", pk=app.pk)


@login_required
@require_POST
def remove_material(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    """Take a file off a draft (from the draft's edit page)."""
    require_role(request, Role.ENTERPRISE)
    app = _draft(request, pk)
    try:
        workflow.remove_material(app.pk, request.user, material_id)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The file was removed."))
    return redirect("approvals:edit-draft", pk=app.pk)


urlpatterns = [
    path("portal/", portal, name="portal"),
    path("portal/new/", new_application, name="new-application"),
    path("portal/new/<slug:procedure>/", new_application_form, name="new-application-form"),
    path("portal/applications/<int:pk>/edit/", edit_draft, name="edit-draft"),
    path(
        "portal/applications/<int:pk>/materials/<int:material_id>/remove/",
        remove_material,
        name="remove-material",
    ),
]
