"""Every URL and API endpoint, for every role and for users of another organisation or
department, answers with the status the table below says, and nothing of acme's case reaches
anyone who may not see it.

The table is checked against the URL resolver: a route without a row fails
``test_every_route_has_a_row`` with its name. A row is one route, one method and the expected
status per caller; an action endpoint is tried with an empty or invalid body (the gate is under
test, not the action). The admin is one entry: the kinds of admin pages, sampled (every model's
changelist, a change page where there is an object, the other kinds on one model).

No leak: every answer to a caller who may not see acme's case (bob of another organisation, pat
the access provider, fiona and max of the other department, anonymous visitors), whatever its
status, must not contain its tracking number, query code or subject, acme's draft or appointment,
or acme's name, unless the row says the route shows it to anyone by design.

Statuses: a number, or a string for a redirect (302) to an address starting with it. The data
is built once for the module (one transaction, rolled back at the end); each request runs in its
own savepoint, so a POST that succeeds changes nothing for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from approvals import feeds, workflow
from approvals.holidays import read_schedule_bytes
from approvals.models import (
    Application,
    Appointment,
    AppointmentKind,
    AuditEvent,
    CalendarDay,
    CalendarFeed,
    CalendarJob,
    CalendarYear,
    DayKind,
    Document,
    Material,
    Notification,
    Policy,
    Procedure,
    User,
)
from approvals.workflow.calendar import make_preview
from tests.cast import Cast, make_cast, noon, pdf

D = date.fromisoformat
TODAY = datetime.combine(D("2026-03-10"), time(12, 0), tzinfo=ZoneInfo("Asia/Shanghai"))  # a Tuesday

CALLERS = ("anonymous", "alice", "bob", "pat", "olga", "fiona", "mia", "max", "root")
#: Who may see acme's licence case (alice's organisation, its department's staff, the
#: administrator); everyone else must learn nothing of it.
CASE_VIEWERS = frozenset({"alice", "olga", "mia", "root"})

LOGIN = "/accounts/login/?next="
ADMIN_LOGIN = "/admin/login/?next="

Status = int | str  # a string: a redirect to an address starting with it


def expect(default: Status, **callers: Status) -> dict[str, Status]:
    """``default`` for every caller but those named."""
    unknown = set(callers) - set(CALLERS)
    assert not unknown, unknown
    return {caller: callers.get(caller, default) for caller in CALLERS}


def signed_in(default: Status, **callers: Status) -> dict[str, Status]:
    """A page behind the sign-in: anonymous visitors are sent to it."""
    return expect(default, anonymous=LOGIN, **callers)


def api(default: Status, **callers: Status) -> dict[str, Status]:
    """An API endpoint behind authentication: 401 without credentials."""
    return expect(default, anonymous=401, **callers)


def case_page(viewers: Status, **callers: Status) -> dict[str, Status]:
    """A page about acme's case: ``viewers`` for those who may see it, 404 for everyone else."""
    return signed_in(404, **{**dict.fromkeys(CASE_VIEWERS, viewers), **callers})


def case_api(viewers: Status, **callers: Status) -> dict[str, Status]:
    return api(404, **{**dict.fromkeys(CASE_VIEWERS, viewers), **callers})


# -- the data ------------------------------------------------------------------------------------

CASE_SUBJECT = "云端数据中心扩容（ACME-机密-7731）"
DRAFT_SUBJECT = "合肥云端 呼叫中心号码（ACME-草稿-4410）"
VISIT_PURPOSE = "递交纸质材料（ACME-预约-2958）"


@dataclass
class World:
    cast: Cast
    case: Application  # acme's licence, under review in licensing, olga's
    draft: Application  # acme's number-resource draft
    case_material: Material
    draft_material: Material
    notification: Notification  # alice's, about the case
    appointment: Appointment  # acme's, with licensing
    job: CalendarJob
    feed_token: str  # olga's calendar feed
    sessions: dict[str, str]  # caller -> session key
    client: Client
    objects: dict[str, object] = field(default_factory=dict)  # for the admin's change pages

    @property
    def secrets(self) -> dict[str, str]:
        """What no one outside acme, its department and the administrator may read."""
        return {
            "tracking_number": self.case.tracking_number,
            "query_code": self.case.query_code,
            "subject": CASE_SUBJECT,
            "draft subject": DRAFT_SUBJECT,
            "appointment purpose": VISIT_PURPOSE,
            "acme's name": self.cast.acme.name,
        }


def build() -> World:
    cast = make_cast()
    cast.root.is_staff = cast.root.is_superuser = True  # the administrator signs in to the admin too
    cast.root.save()
    alice = cast.alice

    case = workflow.create_application(alice, Procedure.TELECOM_LICENCE, CASE_SUBJECT, on=D("2026-03-02"))
    workflow.add_material(case.pk, alice, pdf("营业执照.pdf"), on=D("2026-03-02"))
    workflow.submit(case.pk, alice, on=D("2026-03-02"))
    case = workflow.accept(case.pk, cast.olga, on=D("2026-03-03"))
    assert case.officer == cast.olga and case.department == cast.licensing

    draft = workflow.create_application(alice, Procedure.NUMBER_RESOURCE, DRAFT_SUBJECT, on=D("2026-03-09"))
    workflow.add_material(draft.pk, alice, pdf("号码申请表.pdf"), on=D("2026-03-09"))

    # bob's website filing, forwarded by pat: the internet department and the provider have a case too.
    filing = workflow.create_application(
        cast.bob, Procedure.WEBSITE_FILING, "芜湖星河官网（xinghe.cn）", provider_id=cast.telecom.pk, on=D("2026-03-02")
    )
    workflow.add_material(filing.pk, cast.bob, pdf(), on=D("2026-03-02"))
    workflow.submit(filing.pk, cast.bob, on=D("2026-03-02"))
    workflow.forward_to_administration(
        filing.pk, cast.pat, method="face", verified_at=noon(D("2026-03-02")), reference="FACE-9", on=D("2026-03-03")
    )

    appointment = workflow.book_appointment(
        alice,
        kind=AppointmentKind.WINDOW,
        procedure=Procedure.TELECOM_LICENCE,
        day=D("2026-03-12"),
        slot=settings.APPOINTMENT_SLOTS[0],
        purpose=VISIT_PURPOSE,
        contact_phone="0551-65000000",
        application_id=case.pk,
    )
    token = feeds.create_feed(cast.olga)
    year = CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕1号")
    day = CalendarDay.objects.create(date=D("2027-01-01"), kind=DayKind.HOLIDAY, name="元旦", notice_year=2027)
    # Previewed on the calendar as it now is (a preview made before a change is refused).
    text = "date,type,name\n2027-01-01,holiday,元旦\n"
    preview = make_preview(read_schedule_bytes(text.encode(), "2027.csv"))
    job = CalendarJob.objects.create(
        year=2027, file_name="2027.csv", content=text, preview=preview, created_by=cast.root
    )

    client = Client()
    sessions = {}
    for name in CALLERS[1:]:
        client.cookies = SimpleCookie()  # else the next sign-in flushes the last one's session
        client.force_login(getattr(cast, name))
        sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value

    notification = Notification.objects.filter(recipient=alice, application=case).first()
    assert notification is not None
    world = World(
        cast=cast,
        case=Application.objects.get(pk=case.pk),
        draft=draft,
        case_material=Material.objects.get(application=case),
        draft_material=Material.objects.get(application=draft),
        notification=notification,
        appointment=appointment,
        job=job,
        feed_token=token,
        sessions=sessions,
        client=client,
        objects={
            "auth.group": Group.objects.create(name="审计"),
            "approvals.organisation": cast.acme,
            "approvals.department": cast.licensing,
            "approvals.user": alice,
            "approvals.application": case,
            "approvals.auditevent": AuditEvent.objects.filter(application=case).first(),
            "approvals.notification": notification,
            "approvals.calendarfeed": CalendarFeed.objects.get(user=cast.olga),
            "approvals.policy": Policy.objects.first(),
            "approvals.calendaryear": year,
            "approvals.calendarday": day,
        },
    )
    assert set(world.objects) == OBJECTS
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The cast and acme's case, built once; every test's own transaction is a savepoint in this one."""
    uploads = tmp_path_factory.mktemp("uploads")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_MEDIA_ROOT=uploads, PASSWORD_HASHERS=fast),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(timezone, "now", lambda: TODAY)
        assert not User.objects.exists(), "not an empty test database"
        with transaction.atomic():
            yield build()
            transaction.set_rollback(True)


# -- the table -----------------------------------------------------------------------------------

Kwargs = Callable[[World], dict]


@dataclass(frozen=True)
class Row:
    route: str  # the resolver's name ("namespace:name"), or "admin" for the admin's sampled pages
    method: str
    expected: dict[str, Status]
    kwargs: Kwargs | None = None
    url: Callable[[World], str] | None = None  # instead of reversing ``route``
    query: str = ""
    data: Callable[[World], dict] | None = None  # the body; empty by default
    label: str = ""  # tells a route's rows apart
    reveals: frozenset[str] = frozenset()  # secrets it shows to anyone, by design
    bugs: tuple[tuple[str, str], ...] = ()  # (caller, reason): a known bug, xfail(strict=True)

    @property
    def id(self) -> str:
        return " ".join(part for part in (self.route, self.label, self.method) if part)

    def address(self, world: World) -> str:
        path = self.url(world) if self.url else reverse(self.route, kwargs=self.kwargs(world) if self.kwargs else None)
        return f"{path}?{self.query}" if self.query else path


def case_pk(world: World) -> dict:
    return {"pk": world.case.pk}


def draft_pk(world: World) -> dict:
    return {"pk": world.draft.pk}


def case_material(world: World) -> dict:
    return {"pk": world.case.pk, "material_id": world.case_material.pk}


def draft_material(world: World) -> dict:
    return {"pk": world.draft.pk, "material_id": world.draft_material.pk}


def another_applications_material(world: World) -> dict:
    """The case's address with a material of the draft: a material of another application."""
    return {"pk": world.case.pk, "material_id": world.draft_material.pk}


def case_document(world: World) -> dict:
    """The case's acceptance notice (issued when olga accepted it)."""
    return {
        "pk": world.case.pk,
        "doc_id": Document.objects.filter(application=world.case).values_list("pk", flat=True)[0],
    }


def notification_pk(world: World) -> dict:
    return {"pk": world.notification.pk}


def appointment_pk(world: World) -> dict:
    return {"pk": world.appointment.pk}


def job_pk(world: World) -> dict:
    return {"pk": world.job.pk}


STAFF = {"olga": 200, "fiona": 200, "mia": 200, "max": 200}
ENTERPRISES = {"alice": 200, "bob": 200}
MANAGERS = {"mia": 200, "max": 200, "root": 200}
STAFF_AND_ADMIN = {**STAFF, "root": 200}


def only(status: Status, *callers: str) -> dict[str, Status]:
    return dict.fromkeys(callers, status)


ROWS: list[Row] = [
    # -- django.contrib.auth and the language switch --
    Row("set_language", "POST", expect("/track/"), data=lambda w: {"language": "en", "next": "/track/"}),
    Row("approvals:elder-mode", "POST", expect("/track/"), data=lambda w: {"elder": "1", "next": "/track/"}),
    Row("approvals:elder-mode", "GET", expect(405)),
    Row("login", "GET", expect(200)),
    Row("logout", "POST", expect("/accounts/login/")),
    Row("logout", "GET", expect(405)),
    Row("password_change", "GET", signed_in(200)),
    Row("password_change_done", "GET", signed_in(200)),
    # No password reset by email (config/urls.py, docs/DEPLOY.md): tests/test_password_policy.py.
    # -- pages every audience shares --
    Row(
        "approvals:home",
        "GET",
        expect(
            302,
            anonymous="/accounts/login/",
            alice="/portal/",
            bob="/portal/",
            pat="/provider/",
            olga="/worklist/",
            fiona="/worklist/",
            mia="/dashboard/",
            max="/dashboard/",
            root="/dashboard/",
        ),
    ),
    Row("approvals:application", "GET", case_page(200), kwargs=case_pk),
    # An action the caller may not take now is a 409 with the page (they may see the case);
    # olga may deny, and a denial without its reasons is a 400.
    Row(
        "approvals:application-action",
        "POST",
        case_page(409, olga=400),
        kwargs=lambda w: {"pk": w.case.pk, "action": "deny"},
    ),
    Row(
        "approvals:application-action",
        "POST",
        case_page(404),
        kwargs=lambda w: {"pk": w.case.pk, "action": "no-such-action"},
        label="unknown action",
    ),
    Row(
        "approvals:application-action",
        "GET",
        signed_in(405),
        kwargs=lambda w: {"pk": w.case.pk, "action": "deny"},
    ),
    Row("approvals:application-rate", "POST", case_page(400), kwargs=case_pk),
    Row("approvals:application-rate", "GET", signed_in(405), kwargs=case_pk),
    Row("approvals:rating-follow-up", "POST", case_page(400), kwargs=case_pk),
    Row("approvals:rating-follow-up", "GET", signed_in(405), kwargs=case_pk),
    Row("approvals:material", "GET", case_page(200), kwargs=case_material),
    Row(
        "approvals:material",
        "GET",
        case_page(404),
        kwargs=another_applications_material,
        label="another application's material",
    ),
    Row("approvals:document", "GET", case_page(200), kwargs=case_document),
    Row("approvals:document-english", "GET", case_page(200), kwargs=case_document),
    Row("approvals:notifications", "GET", signed_in(200)),
    Row("approvals:notifications-read", "POST", signed_in("/notifications/")),
    Row("approvals:notifications-read", "GET", signed_in(405)),
    Row(
        "approvals:notification",
        "GET",
        signed_in(404, alice="/applications/"),
        kwargs=notification_pk,
    ),
    # -- the public lookup: anyone with the tracking number and query code sees where it stands --
    Row("approvals:track", "GET", expect(200)),
    Row(
        "approvals:track",
        "POST",
        expect(200),
        label="with the query code",
        data=lambda w: {"tracking_number": w.case.tracking_number, "query_code": w.case.query_code},
        reveals=frozenset({"tracking_number", "query_code"}),  # what the caller typed
    ),
    # -- document verification: anyone, and only what the document prints --
    Row("approvals:verify", "GET", expect(200)),
    Row("approvals:verify", "POST", expect(400), label="nothing given"),
    # -- the enterprise area and the provider's queue --
    Row("approvals:portal", "GET", signed_in(403, **ENTERPRISES)),
    Row("approvals:new-application", "GET", signed_in(403, **ENTERPRISES)),
    Row(
        "approvals:new-application-form",
        "GET",
        signed_in(403, **ENTERPRISES),
        kwargs=lambda w: {"procedure": Procedure.TELECOM_LICENCE},
    ),
    Row("approvals:edit-draft", "GET", signed_in(404, alice=200), kwargs=draft_pk),
    Row("approvals:edit-draft", "POST", signed_in(404, alice=400), kwargs=draft_pk),
    Row(
        "approvals:remove-material",
        "POST",
        signed_in(403, alice="/portal/applications/", bob=404),
        kwargs=draft_material,
    ),
    Row(
        "approvals:remove-material",
        "GET",
        signed_in(405),
        kwargs=draft_material,
    ),
    Row("approvals:provider", "GET", signed_in(403, pat=200)),
    # -- staff --
    Row("approvals:worklist", "GET", signed_in(403, **STAFF_AND_ADMIN)),
    Row("approvals:dashboard", "GET", signed_in(403, **MANAGERS)),
    Row("approvals:dashboard-cases", "GET", signed_in(403, **MANAGERS), kwargs=lambda w: {"level": "red"}),
    Row(
        "approvals:dashboard-officer",
        "GET",
        signed_in(403, mia=200, max=404, root=200),
        kwargs=lambda w: {"pk": w.cast.olga.pk},
    ),
    Row("approvals:reports", "GET", signed_in(403, **MANAGERS)),
    Row("approvals:report-csv", "GET", signed_in(403, **MANAGERS), kwargs=lambda w: {"month": "2026-02"}),
    Row("approvals:report-xlsx", "GET", signed_in(403, **MANAGERS), kwargs=lambda w: {"month": "2026-02"}),
    Row("approvals:published", "GET", expect(200)),
    # -- the holiday calendar (administrators) --
    Row("approvals:calendar", "GET", signed_in(403, root=200)),
    Row("approvals:calendar", "POST", signed_in(403, root=400)),
    Row("approvals:calendar-job", "GET", signed_in(403, root=200), kwargs=job_pk),
    Row("approvals:calendar-job-progress", "GET", signed_in(403, root=200), kwargs=job_pk),
    Row("approvals:calendar-job-apply", "POST", signed_in(403, root="/calendar/jobs/"), kwargs=job_pk),
    Row("approvals:calendar-job-apply", "GET", signed_in(403, root=405), kwargs=job_pk),
    # -- appointments --
    Row("approvals:appointments", "GET", signed_in(403, **ENTERPRISES, **STAFF)),
    Row(
        "approvals:appointments-availability",
        "GET",
        signed_in(403, **ENTERPRISES),
        query=f"procedure={Procedure.TELECOM_LICENCE}",
    ),
    Row("approvals:appointment-book", "POST", signed_in(403, alice=400, bob=400)),
    Row("approvals:appointment-book", "GET", signed_in(403, alice=405, bob=405)),
    Row(
        "approvals:appointment-cancel",
        "POST",
        signed_in(403, alice="/appointments/", bob=404),
        kwargs=appointment_pk,
    ),
    Row("approvals:appointment-cancel", "GET", signed_in(403, alice=405, bob=405), kwargs=appointment_pk),
    Row(
        "approvals:appointment-answer",
        "POST",
        signed_in(403, olga=400, mia=400, fiona=404, max=404),
        kwargs=appointment_pk,
        data=lambda w: {"answer": "decline", "reply": ""},  # a refusal needs its reason: 400 past the gate
    ),
    Row(
        "approvals:appointment-answer",
        "GET",
        signed_in(403, **only(405, "olga", "fiona", "mia", "max")),
        kwargs=appointment_pk,
    ),
    # -- calendar feeds --
    Row("approvals:feeds", "GET", signed_in(403, **STAFF)),
    Row("approvals:feed-create", "POST", signed_in(403, **only("/feeds/", "olga", "fiona", "mia", "max"))),
    Row("approvals:feed-create", "GET", signed_in(403, **only(405, "olga", "fiona", "mia", "max"))),
    Row("approvals:feed-regenerate", "POST", signed_in(403, **only("/feeds/", "olga", "fiona", "mia", "max"))),
    Row("approvals:feed-regenerate", "GET", signed_in(403, **only(405, "olga", "fiona", "mia", "max"))),
    Row("approvals:feed-revoke", "POST", signed_in(403, **only("/feeds/", "olga", "fiona", "mia", "max"))),
    Row("approvals:feed-revoke", "GET", signed_in(403, **only(405, "olga", "fiona", "mia", "max"))),
    # The secret address is the credential: whoever has it reads olga's due dates.
    Row(
        "approvals:feed",
        "GET",
        expect(200),
        kwargs=lambda w: {"token": w.feed_token},
        reveals=frozenset({"tracking_number", "subject", "acme's name"}),
    ),
    Row("approvals:feed", "GET", expect(404), kwargs=lambda w: {"token": "x" * 43}, label="unknown token"),
    Row("approvals:feed", "POST", expect(405), kwargs=lambda w: {"token": w.feed_token}),
    Row("approvals:calendar-ics", "GET", expect(200), query="year=2026"),
    # -- the API --
    Row("api:token", "POST", expect(400)),
    Row("api:token", "GET", expect(405)),
    Row("api:verify", "POST", expect(400)),
    Row("api:verify", "GET", expect(405)),
    Row("api:api-root", "GET", api(200)),
    Row("api:schema", "GET", expect(200)),
    Row("api:docs", "GET", expect(200)),
    Row("api:calendar-years", "GET", api(200)),
    Row("api:calendar-years", "POST", api(403, root=400)),
    Row("api:calendar-preview", "GET", api(403, root=200), kwargs=job_pk),
    Row("api:calendar-preview-confirm", "POST", api(403, root=202), kwargs=job_pk),
    Row("api:calendar-preview-confirm", "GET", api(405), kwargs=job_pk),
    Row("api:calendar-day-list", "GET", api(200), query="year=2027"),
    Row("api:deadline", "GET", api(200), query=f"kind={Procedure.TELECOM_LICENCE}&start=2026-03-02"),
    Row("api:reports-monthly", "GET", api(403, **MANAGERS)),
    Row("api:application-list", "GET", api(200)),
    Row("api:application-list", "GET", api(200), kwargs=lambda w: {"format": "json"}, label="format suffix"),
    Row("api:application-list", "POST", api(400)),
    Row("api:application-detail", "GET", case_api(200), kwargs=case_pk),
    Row(
        "api:application-detail",
        "GET",
        case_api(200),
        kwargs=lambda w: {"pk": w.case.pk, "format": "json"},
        label="format suffix",
    ),
    Row("api:application-detail", "PATCH", case_api(400), kwargs=case_pk),
    Row("api:application-materials", "POST", case_api(400), kwargs=case_pk),
    Row("api:application-material-download", "GET", case_api(200), kwargs=case_material),
    Row(
        "api:application-material-download",
        "GET",
        case_api(404),
        kwargs=another_applications_material,
        label="another application's material",
    ),
    # Only the applicant removes materials, and only from a draft.
    Row("api:application-material-download", "DELETE", case_api(403, alice=400), kwargs=case_material),
    Row("api:application-documents", "GET", case_api(200), kwargs=case_pk),
    Row("api:application-document-pdf", "GET", case_api(200), kwargs=case_document),
    Row("api:application-rate", "POST", case_api(400), kwargs=case_pk),
    Row("api:application-rating-follow-up", "POST", case_api(400), kwargs=case_pk),
    Row("api:notification-list", "GET", api(200)),
    Row("api:notification-read-all", "POST", api(200)),
    Row("api:notification-read-all", "GET", api(405)),
    Row("api:notification-read", "POST", api(404, alice=200), kwargs=notification_pk),
    Row("api:alert-list", "GET", api(403, **STAFF_AND_ADMIN)),
    Row(r"api:^[\s\S]*/$", "GET", expect(404), url=lambda w: "/api/no-such-endpoint/"),
]

#: The workflow's actions under /api/applications/{id}/…/, each tried with an empty body on
#: acme's case (under review, olga's).
API_ACTIONS: dict[str, dict[str, Status]] = {
    "accept": case_api(400),
    "approve-extension": case_api(400),
    "deny": case_api(400),
    "end-special-procedure": case_api(400),
    "file": case_api(400),
    "forward-to-administration": case_api(400),
    "grant": case_api(403, olga=200),  # nothing is required: olga grants (rolled back)
    "reassign": case_api(400),
    "refuse-filing": case_api(400),
    "refuse-to-accept": case_api(400),
    "reject-extension": case_api(400),
    "request-correction": case_api(400),
    "request-extension": case_api(400),
    "resubmit": case_api(400),
    "return-to-applicant": case_api(400),
    "serve-certificate": case_api(400),
    "start-special-procedure": case_api(400),
    "submit": case_api(400),
    "submit-to-provider": case_api(400),
    "withdraw": case_api(400),
}
ROWS += [Row(f"api:application-{name}", "POST", expected, kwargs=case_pk) for name, expected in API_ACTIONS.items()]
ROWS.append(Row("api:application-accept", "GET", api(405), kwargs=case_pk))  # refused before the lookup


# -- the admin, sampled -------------------------------------------------------------------------

ADMIN_SITE_VIEWS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
}
MODEL_PAGES = {  # the admin's pattern under admin/<app>/<model>/ -> its kind
    "": "changelist",
    "add/": "add",
    "<path:object_id>/": "object",
    "<path:object_id>/change/": "change",
    "<path:object_id>/history/": "history",
    "<path:object_id>/delete/": "delete",
    "<id>/password/": "password",
}


def registered() -> dict[str, type]:
    return {model._meta.label_lower: model for model in admin.site._registry}


def admin_kind(name: str | None, pattern: str) -> str | None:
    """The kind of admin page a pattern is, or None for one the samples below do not know."""
    if name in ADMIN_SITE_VIEWS:
        return name
    if name is None and pattern == "admin/(?P<url>.*)$":
        return "catch-all"
    for label in registered():
        app, model = label.split(".")
        prefix = f"admin/{app}/{model}/"
        if pattern.startswith(prefix) and pattern[len(prefix) :] in MODEL_PAGES:
            return MODEL_PAGES[pattern[len(prefix) :]]
    return None


def staff_only(root: Status = 200, **callers: Status) -> dict[str, Status]:
    """Admin pages: non-staff users (signed in or not) go to the admin's sign-in page."""
    return expect(ADMIN_LOGIN, root=root, **callers)


def model_url(label: str, page: str, with_object: bool = False) -> Callable[[World], str]:
    def url(world: World) -> str:
        name = f"admin:{label.replace('.', '_')}_{page}"
        return reverse(name, args=[world.objects[label].pk] if with_object else None)

    return url


#: The models whose change page is tried (World.objects has one of each).
OBJECTS = {
    "auth.group",
    "approvals.organisation",
    "approvals.department",
    "approvals.user",
    "approvals.application",
    "approvals.auditevent",
    "approvals.notification",
    "approvals.calendarfeed",
    "approvals.policy",
    "approvals.calendaryear",
    "approvals.calendarday",
}
SAMPLE = "approvals.organisation"  # the model whose add, history, delete and redirect pages are tried


def admin_rows() -> list[Row]:
    rows = [
        Row("admin", "GET", staff_only(), label="index", url=lambda w: reverse("admin:index")),
        Row("admin", "GET", expect(200, root="/admin/"), label="login", url=lambda w: reverse("admin:login")),
        Row("admin", "GET", expect("/admin/", root=405), label="logout", url=lambda w: reverse("admin:logout")),
        Row("admin", "GET", staff_only(), label="password_change", url=lambda w: reverse("admin:password_change")),
        Row(
            "admin",
            "GET",
            staff_only(),
            label="password_change_done",
            url=lambda w: reverse("admin:password_change_done"),
        ),
        Row("admin", "GET", staff_only(), label="jsi18n", url=lambda w: reverse("admin:jsi18n")),
        Row("admin", "GET", staff_only(403), label="autocomplete", url=lambda w: reverse("admin:autocomplete")),
        Row(
            "admin",
            "GET",
            staff_only(404),
            label="view_on_site",
            url=lambda w: reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(w.case).pk, w.case.pk]),
        ),
        Row("admin", "GET", staff_only(404), label="catch-all", url=lambda w: "/admin/no-such-page/"),
        Row(
            "admin",
            "GET",
            staff_only(),
            label="password approvals.user",
            url=lambda w: reverse("admin:auth_user_password_change", args=[w.cast.alice.pk]),
        ),
    ]
    for app in sorted({label.split(".")[0] for label in registered()}):
        rows.append(
            Row(
                "admin",
                "GET",
                staff_only(),
                label=f"app_list {app}",
                url=lambda w, app=app: reverse("admin:app_list", args=[app]),
            )
        )
    for label in sorted(registered()):
        rows.append(Row("admin", "GET", staff_only(), label=f"changelist {label}", url=model_url(label, "changelist")))
    for label in sorted(set(registered()) & set(OBJECTS)):
        rows.append(Row("admin", "GET", staff_only(), label=f"change {label}", url=model_url(label, "change", True)))
    rows += [
        Row("admin", "GET", staff_only(), label=f"add {SAMPLE}", url=model_url(SAMPLE, "add")),
        Row("admin", "GET", staff_only(), label=f"history {SAMPLE}", url=model_url(SAMPLE, "history", True)),
        Row("admin", "GET", staff_only(), label=f"delete {SAMPLE}", url=model_url(SAMPLE, "delete", True)),
        Row(
            "admin",
            "GET",
            staff_only("/admin/approvals/organisation/"),
            label=f"object {SAMPLE}",
            url=lambda w: f"/admin/approvals/organisation/{w.cast.acme.pk}/",
        ),
    ]
    return rows


ROWS += admin_rows()


# -- the resolver ------------------------------------------------------------------------------


def patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    """(namespace, name, full pattern) of every URL pattern, depth first."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from patterns(entry, prefix + str(entry.pattern), inner)
        else:
            assert isinstance(entry, URLPattern)
            yield namespace, entry.name, prefix + str(entry.pattern)


def route_key(namespace: str, name: str | None, pattern: str) -> str:
    """The table's name for a pattern: the admin's known kinds are all "admin"; a route with
    several patterns (DRF's format suffixes) is one entry."""
    if namespace == "admin" and admin_kind(name, pattern):
        return "admin"
    local = name if name else pattern.removeprefix("api/") if namespace == "api" else pattern
    return f"{namespace}:{local}" if namespace else local


def test_every_route_has_a_row() -> None:
    found = {route_key(*entry) for entry in patterns()}
    listed = {row.route for row in ROWS}
    missing = sorted(found - listed)
    assert not missing, "routes without a row in tests/test_permission_matrix.py: " + ", ".join(missing)
    stale = sorted(listed - found)
    assert not stale, "rows for routes that no longer exist: " + ", ".join(stale)


def test_every_admin_page_kind_is_sampled() -> None:
    kinds = {admin_kind(name, pattern) for namespace, name, pattern in patterns() if namespace == "admin"}
    sampled = {row.label.split(" ")[0] for row in ROWS if row.route == "admin"}
    assert kinds - {None} <= sampled, sorted(kinds - {None} - sampled)
    changelists = {row.label.split(" ")[1] for row in ROWS if row.label.startswith("changelist ")}
    assert changelists == set(registered())


def test_every_caller_has_an_expectation() -> None:
    for row in ROWS:
        assert set(row.expected) == set(CALLERS), row.id
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


# -- the matrix --------------------------------------------------------------------------------


def cases() -> Iterator:
    for row in ROWS:
        for caller in CALLERS:
            marks = [pytest.mark.xfail(strict=True, reason=reason) for who, reason in row.bugs if who == caller]
            yield pytest.param(row, caller, id=f"{row.id} as {caller}", marks=marks)


def client_for(world: World, caller: str) -> Client:
    """The module's one client (a new one would build the middleware again, WhiteNoise's scan of
    the static files included), with only ``caller``'s session and the language cookie."""
    client = world.client
    client.cookies = SimpleCookie()
    if caller != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[caller]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def request(client: Client, row: Row, world: World):
    url = row.address(world)
    if row.method == "GET":
        return client.get(url)
    if row.method == "POST":
        return client.post(url, row.data(world) if row.data else {})
    if row.method in ("PATCH", "DELETE"):
        return client.generic(row.method, url, "{}", content_type="application/json")
    raise AssertionError(row.method)


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def outcome(response) -> Status:
    if response.status_code == 302:
        return f"302 → {response['Location']}"
    return response.status_code


def matches(expected: Status, response) -> bool:
    if isinstance(expected, str):
        return response.status_code == 302 and response["Location"].startswith(expected)
    return response.status_code == expected


@pytest.fixture
def db(world: World) -> Iterator[None]:
    """This module's ``db``, in place of pytest-django's: each test runs in a savepoint of the
    module's transaction and is rolled back (the same isolation as a test case's transaction,
    at a fraction of its cost over some 1,500 tests). The name makes pytest-django create the
    test database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize(("row", "caller"), list(cases()))
def test_the_route_answers_each_caller_as_the_table_says(world: World, db, row: Row, caller: str) -> None:
    response = request(client_for(world, caller), row, world)
    assert matches(row.expected[caller], response), (
        f"{row.method} {row.address(world)} as {caller}: expected {row.expected[caller]}, got {outcome(response)}"
    )
    if caller not in CASE_VIEWERS:
        text = body(response)
        leaked = [what for what, value in world.secrets.items() if value in text and what not in row.reveals]
        assert not leaked, f"{row.method} {row.address(world)} shows {caller} acme's {', '.join(leaked)}"
