"""Pages every signed-in audience shares: the home redirect, an application's page and its
actions, materials, notifications."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals import actions, permissions, timeline, uploads, workflow
from approvals.clocks import standing
from approvals.holidays import work_calendar
from approvals.inputs import parse_id
from approvals.models import (
    VERIFICATION_FIELDS,
    Application,
    Material,
    Notification,
    Rating,
    State,
)
from approvals.roles import Role
from approvals.selectors.common import Listing
from approvals.selectors.documents import documents as documents_of
from approvals.selectors.scope import Scope, scope_for

HOME = {
    Role.ENTERPRISE: "approvals:portal",
    Role.PROVIDER: "approvals:provider",
    Role.OFFICER: "approvals:worklist",
    Role.MANAGER: "approvals:dashboard",
    Role.ADMIN: "approvals:dashboard",
}


def visible(user, queryset: QuerySet | None = None) -> QuerySet:
    """The applications ``user`` may see; anything else is a 404, never a 403 (no leak)."""
    return (queryset if queryset is not None else Application.objects).visible_to(user)


def get_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        visible(request.user).select_related("organisation", "officer", "department", "policy", "provider"), pk=pk
    )


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    name = HOME.get(permissions.role_of(request.user))
    if name is None:
        return redirect("approvals:track")
    try:
        return redirect(name)
    except NoReverseMatch:  # a home screen this installation lacks: the lookup instead
        return redirect("approvals:track")


# -- an application's page -----------------------------------------------------------------------

WAITING = {
    State.DRAFT: gettext_lazy("Not submitted yet."),
    State.PROVIDER_REVIEW: gettext_lazy("Waiting for the access provider's check and identity verification."),
    State.RECEIVED: gettext_lazy("Waiting for the administration to accept it, ask for corrections or refuse it."),
    State.CORRECTION: gettext_lazy("Waiting for the applicant's corrections: the clock does not run."),
    State.UNDER_REVIEW: gettext_lazy("Waiting for the administration's decision."),
    State.ARRIVED: gettext_lazy("Waiting for the administration's decision on the filing."),
    State.PAUSED: gettext_lazy("A special procedure is under way: the clock is paused."),
    State.GRANTED: gettext_lazy("Granted: waiting for the certificate to be served."),
}


def _verification(app: Application, user) -> list[tuple[str, object]]:
    """The identity verification the access provider forwarded with a website filing, as the
    API's detail has it (VERIFICATION_FIELDS): each field's label and shown value, for the
    administration's staff who decide the filing; nothing for anyone else or before it is done."""
    if not app.verification_method or not permissions.is_staff_member(user):
        return []
    shown = {
        "verification_method": app.get_verification_method_display(),
        "verified_at": timezone.localtime(app.verified_at).strftime("%Y-%m-%d %H:%M") if app.verified_at else "—",
    }
    return [
        (capfirst(Application._meta.get_field(name).verbose_name), shown.get(name, getattr(app, name) or "—"))
        for name in VERIFICATION_FIELDS
    ]


def _page(request: HttpRequest, app: Application, bound: dict | None = None, status: int = 200) -> HttpResponse:
    """The application page; ``bound`` carries a submitted form with its errors and data."""
    user = request.user
    today = workflow.today()
    names = workflow.available_actions(app, user)
    forms_ = []
    for name in names:
        if name not in actions.ACTIONS:
            continue
        form = bound["form"] if bound and bound.get("action") == name else actions.make_form(name, app)
        forms_.append(
            {
                "name": name,
                "label": workflow.ACTION_LABELS.get(name, name),
                "form": form,
                "open": bool(bound and bound.get("action") == name),
                "style": actions.ACTIONS[name].style,
                "multipart": any(isinstance(f, forms.FileField) for f in form.fields.values()),
            }
        )
    rating = Rating.objects.filter(application=app).first()
    can_rate = rating is None and app.rateable and permissions.can_rate(app, user)
    context = {
        "app": app,
        "standing": standing(app, today, work_calendar()),
        "waiting": (
            _("Waiting for your corrections: send them below. The clock does not run meanwhile.")
            if app.state == State.CORRECTION and permissions.is_applicant(app, user)
            else WAITING.get(app.state, "")
        ),
        "explanation": timeline.explanation(app),
        "events": timeline.events(app),
        "materials": app.materials.order_by("uploaded_at", "pk"),
        "documents": documents_of(app.pk),
        "special_procedures": app.special_procedures.all(),
        "actions": forms_,
        "rating": rating,
        "rating_form": (bound or {}).get("rating_form") or (actions.Rate() if can_rate else None),
        "follow_up_form": (bound or {}).get("follow_up_form")
        or (
            actions.FollowUp()
            if rating and rating.is_bad and not rating.followed_up_on and permissions.is_department_manager(app, user)
            else None
        ),
        "is_staff_view": permissions.is_staff_member(user),
        "verification": _verification(app, user),
        "today": today,
    }
    return render(request, "approvals/application.html", context, status=status)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_application(request, pk))


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every button of the page posts here. The action must be one the user has now; a form
    with errors (or a refusal) comes back with everything typed kept."""
    app = get_application(request, pk)
    if action not in actions.ACTIONS:
        raise Http404
    if action not in workflow.available_actions(app, request.user):
        messages.error(request, _("That action is not available to you now."))
        return _page(request, app, status=403 if not permissions.can_view(app, request.user) else 409)
    form = actions.make_form(action, app, request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, app, {"action": action, "form": form}, status=400)
    try:
        actions.ACTIONS[action].run(app, request.user, form.cleaned_data)
    except workflow.WorkflowError as exc:
        # Every field at fault (a submission's incomplete details name several): on its field if
        # the form has it, above the form otherwise.
        for field, errors in (exc.errors or {None: [str(exc)]}).items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        app = get_application(request, pk)
        return _page(request, app, {"action": action, "form": form}, status=exc.status)
    messages.success(request, _("Done: %(action)s.") % {"action": workflow.ACTION_LABELS.get(action, action)})
    return redirect("approvals:application", pk=pk)


def _posted(
    request: HttpRequest, pk: int, form_class: type[forms.Form], key: str, run: Callable[[Application, dict], str]
) -> HttpResponse:
    """A form of the application page posted: ``run`` does it and says what was done; a form
    with errors, or one the workflow refuses, comes back (as ``bound[key]``) with its message."""
    app = get_application(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = run(app, form.cleaned_data)
        except workflow.WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("approvals:application", pk=pk)
    return _page(request, app, {key: form}, status=400)


@login_required
@require_POST
def application_rate(request: HttpRequest, pk: int) -> HttpResponse:
    def rate(app: Application, data: dict) -> str:
        rating = workflow.rate(app.pk, request.user, data["level"], data["comment"])
        if rating.is_bad:
            return _("Thank you. The department will contact you about it within 15 working days.")
        return _("Thank you for your rating.")

    return _posted(request, pk, actions.Rate, "rating_form", rate)


@login_required
@require_POST
def rating_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    def follow_up(app: Application, data: dict) -> str:
        workflow.follow_up_rating(app.pk, request.user, data["note"])
        return _("The follow-up is recorded.")

    return _posted(request, pk, actions.FollowUp, "follow_up_form", follow_up)


def permitted(predicate):
    """A view for signed-in users the predicate (from approvals.permissions) admits; anyone else
    signed in gets a 403, anonymous visitors sign in."""

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


@login_required
def material_download(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    """Materials are served only here, after the same visibility check as the page."""
    app = get_application(request, pk)
    return uploads.serve(get_object_or_404(Material, pk=material_id, application=app))


# -- notifications -----------------------------------------------------------------------------


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one (``id``) or all as read; an ``id`` that is not one marks nothing."""
    unread = request.user.notifications.filter(read_at__isnull=True)
    raw = request.POST.get("id", "")
    if raw and parse_id(raw) is None:
        messages.error(request, _("“%(id)s” is not a notification's number: nothing was marked.") % {"id": raw[:30]})
        return redirect("approvals:notifications")
    if raw:
        unread = unread.filter(pk=parse_id(raw))
    unread.update(read_at=timezone.now())
    target = request.POST.get("next") or reverse("approvals:notifications")
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("approvals:notifications")
    return redirect(target)


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification: mark it read and go to what it is about."""
    item = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    if item.application_id and visible(request.user).filter(pk=item.application_id).exists():
        return redirect("approvals:application", pk=item.application_id)
    if item.kind.startswith("appointment_"):
        return redirect("approvals:appointments")
    return redirect("approvals:notifications")


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403.html", {"csrf": True}, status=403)


urlpatterns = [
    path("", home, name="home"),
    path("applications/<int:pk>/", application_detail, name="application"),
    path("applications/<int:pk>/do/<slug:action>/", application_action, name="application-action"),
    path("applications/<int:pk>/rate/", application_rate, name="application-rate"),
    path("applications/<int:pk>/follow-up/", rating_follow_up, name="rating-follow-up"),
    path("applications/<int:pk>/materials/<int:material_id>/", material_download, name="material"),
    path("notifications/read/", notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/", notification_open, name="notification"),
]


# -- small pieces of the list screens ---------------------------------------------------------------


def require_role(request: HttpRequest, role: str) -> None:
    """Signed-in users of another role get the 403 page (anonymous ones were sent to sign in)."""
    if permissions.role_of(request.user) != role:
        raise PermissionDenied


def chosen_filters(form: forms.Form) -> dict:
    """A list's valid filters (an invalid value is ignored, not an error page)."""
    form.is_valid()
    return {name: value for name, value in getattr(form, "cleaned_data", {}).items() if value}


def list_context(form: forms.Form, chosen: dict, listing: Listing) -> dict:
    """What a filtered list's template reads: the filters, and the selector's summary and page."""
    return {
        "summary": listing.summary,
        "form": form,
        "filtered": bool(chosen),
        "page": listing.page,
        "apps": listing.rows,
        "query": urlencode(chosen),
    }


def report_scope(request: HttpRequest) -> Scope:
    """The dashboard's and the reports' scope (``?department=`` chooses an administrator's);
    those who have none get the 403 page (the figures are not theirs, whatever the data)."""
    scope = scope_for(request.user, request.GET.get("department", ""))
    if scope is None:
        raise PermissionDenied
    return scope
