"""`python manage.py seed_demo`: a realistic demo data set for an empty database.

Departments and their routes, officers and managers, Anhui enterprises and access providers with
their users, and a few hundred applications in every state of the three procedures, made only
through approvals.workflow (so every state, date, clock and audit event is what the real actions
make). Dates are relative to today, spread over the last five months and on working days: run on
any day, the data looks live, with cases due soon, overdue, paused and, near the end of a year
whose successor's holiday schedule is not published, clocks that reach its uncertain days
(the Spring Festival's bridging days): provisional, with their range.

Each application is planned first, as a list of (working days before the last working day, action)
pairs; then all applications' actions run together in date order, so routing sees the officers'
loads as they were and the audit trail reads chronologically. The random choices are seeded: the
same day and the same options give the same data.
"""

from __future__ import annotations

import random
import time as clock
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import credit_code, details, notifications, workflow
from approvals.documents import issue as documents
from approvals.holidays import work_calendar
from approvals.management.demo_plans import Plan, Planner, Play, allocate
from approvals.management.demo_words import (
    BRANDS,
    CITIES,
    CITY_WEIGHTS,
    COMPANY_KINDS,
    EXTENSIONS,
    FILING,
    GIVEN_NAMES,
    LICENCE_BUSINESSES,
    NUMBERS,
    PROVIDER_WEIGHTS,
    PROVIDERS,
    REJECTIONS,
    REMEDIES,
    SITE_KINDS,
    SURNAMES,
    TELECOM,
    TLDS,
)
from approvals.models import (
    Application,
    ClockKind,
    Department,
    Document,
    Notification,
    Organisation,
    OrganisationKind,
    Procedure,
    ProcedureRoute,
    Role,
    State,
    User,
)
from approvals.workflow.documents import owed_events, queue_backfill
from approvals.workflow.drafts import officers_by_load

PASSWORD = "demo-pass-2026"
FIXED_USERNAMES = ("enterprise", "officer", "manager", "provider", "admin")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# -- the command ----------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Fill an empty database with demo data: departments, officers, enterprises, access providers and "
        "applications in every state, dated relative to today. Does nothing if the database has users already."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, default=300, metavar="N", help="how many (default 300)")
        parser.add_argument("--seed", type=int, default=2026, help="the random seed (default 2026)")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="the site's address, for the sign-in hints"
        )
        parser.add_argument(
            "--not-a-demo-machine-i-know",
            action="store_true",
            dest="force",
            help="seed even with DEBUG off (the demo users have a published password)",
        )

    def handle(self, *args, applications: int, seed: int, base_url: str, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "seed_demo creates users with a published password: it runs only with DEBUG=1 "
                    "(a development machine)."
                )
            )
        if User.objects.filter(username__in=FIXED_USERNAMES).exists():
            self.stdout.write(_("The demo data is already present: nothing changed."))
            return
        if User.objects.exists() or Organisation.objects.exists() or Department.objects.exists():
            self.stdout.write(
                _(
                    "The database already has users or organisations: seed_demo only fills an empty database. "
                    "Nothing changed."
                )
            )
            return
        started = clock.monotonic()
        self.rng = random.Random(seed)
        self.calendar = work_calendar()
        self.today = workflow.today()
        self.last = self.today  # the last working day, today or before: every action falls on a working day
        while not self.calendar.is_working_day(self.last):
            self.last -= timedelta(days=1)
        self.stdout.write(
            _("Making %(n)s demo applications dated up to %(today)s…") % {"n": applications, "today": self.today}
        )
        # The workflow makes the in-app notifications as it goes and queues one django-q2 task per
        # action to finish delivering them. For a few thousand back-dated actions those tasks are
        # no news to anyone and cost more than the rest of the seed (each opens and closes a
        # database connection), so they are collected here and delivered once, in this process.
        events: list[int] = []
        # The documents of the demo enterprise's cases are issued as their acts are taken, so its
        # portal shows them at once; the others' (some 350) are left to the worker, which issues
        # them in the background (issue_documents --missing), marked as issued later.
        shown_now = lambda app: app.organisation_id == self.demo_enterprise.pk  # noqa: E731
        with (
            mock.patch.object(notifications, "queue", events.extend),
            documents.deferred(unless=shown_now),
            transaction.atomic(),
        ):
            self.make_people()
            plans = self.make_plans(max(0, applications))
            self.run_plans(plans)
            self.reassign_a_few(plans)
            self.rate_some()
            self.book_some()
        notifications.deliver(events)
        self.owed = owed_events().count()
        if self.owed:
            queue_backfill()
        # What happened more than a week ago has been read; the rest is news for the demo users.
        cutoff = self.calendar.add_working_days(self.last, -5).date
        Notification.objects.filter(event__on__lt=cutoff, read_at__isnull=True).update(read_at=timezone.now())
        self.report(clock.monotonic() - started, base_url.rstrip("/"))

    # -- people -----------------------------------------------------------------------------------

    def person(self) -> tuple[str, str]:
        """A Chinese name not given yet, and a username made from its pinyin."""
        while True:
            surname, surname_py = self.rng.choice(SURNAMES)
            given, given_py = self.rng.choice(GIVEN_NAMES)
            name, username = surname + given, surname_py + given_py
            if name in self.names:
                continue
            while username in self.usernames:  # 汪 and 王 are both wang
                username = f"{surname_py}{given_py}{self.rng.randint(2, 99)}"
            self.names.add(name)
            return name, username

    def user(self, username: str | None, role: str, name: str | None = None, **fields: Any) -> User:
        if username is None:
            name, username = self.person()
        self.usernames.add(username)
        self.names.add(name)
        phone = f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)}{self.rng.randint(10_000_000, 99_999_999)}"
        return User.objects.create(
            username=username,
            name=name,
            role=role,
            password=self.password,
            email=f"{username}@example.com",
            phone=phone,
            **fields,
        )

    def credit_code(self, division: str) -> str:
        while True:
            code = credit_code.make(self.rng, division=division)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def make_people(self) -> None:
        rng = self.rng
        self.password = make_password(PASSWORD)  # one hash for every demo user: hashing is slow on purpose
        self.usernames: set[str] = set()
        self.names: set[str] = set()
        self.codes: set[str] = set()

        licensing = Department.objects.create(name="信息通信管理处")
        internet = Department.objects.create(name="互联网管理处")
        security = Department.objects.create(name="网络安全管理处")
        # Every procedure goes to licensing, the fixed officer's and manager's department, so that
        # the five documented users walk every journey, a website filing's included (an
        # administration routing filings to 互联网管理处 says so in the admin's procedure routes).
        # The other departments are there for the manager's and administrator's views of them.
        for procedure in (TELECOM, NUMBERS, FILING):
            ProcedureRoute.objects.create(procedure=procedure, department=licensing)
        self.licensing = licensing
        # The fixed officer comes first: new cases go to the least loaded officer, ties to the first.
        self.officer = self.user("officer", Role.OFFICER, "王敏", department=licensing)
        for department, count in ((licensing, 2), (internet, 3), (security, 2)):
            for _i in range(count):
                self.user(None, Role.OFFICER, department=department)
        self.manager = self.user("manager", Role.MANAGER, "李建国", department=licensing)
        self.managers = {licensing.pk: self.manager}
        for department in (internet, security):
            self.managers[department.pk] = self.user(None, Role.MANAGER, department=department)
        self.user("admin", Role.ADMIN, "系统管理员", is_staff=True, is_superuser=True)

        self.providers: list[Organisation] = []
        self.provider_users: dict[int, list[User]] = {}
        for i, (name, address, contact) in enumerate(PROVIDERS):
            org = Organisation.objects.create(
                name=name,
                credit_code=self.credit_code("340000"),
                kind=OrganisationKind.ACCESS_PROVIDER,
                address="安徽省" + address,
                contact_name=contact,
                contact_phone=f"0551-6{rng.randint(1_000_000, 9_999_999)}",
            )
            users = [self.user("provider", Role.PROVIDER, "周婷", organisation=org)] if i == 0 else []
            users.append(self.user(None, Role.PROVIDER, organisation=org))
            self.providers.append(org)
            self.provider_users[org.pk] = users

        # organisation, its users, telephone area code, brand and its pinyin
        self.enterprises: list[tuple[Organisation, list[User], str, str, str]] = []
        brands = rng.sample(BRANDS, 25)
        for i, (brand, brand_py) in enumerate(brands):
            city, division, area, roads = CITIES[0] if i == 0 else rng.choices(CITIES, CITY_WEIGHTS)[0]
            prefix = "安徽" if rng.random() < 0.2 else city
            org = Organisation.objects.create(
                name=f"{prefix}{brand}{rng.choice(COMPANY_KINDS)}",
                credit_code=self.credit_code(division),
                address=f"安徽省{city}市{rng.choice(roads)}{rng.randint(1, 999)}号",
                contact_phone=f"{area}-{rng.randint(2, 6)}{rng.randint(100_000, 999_999)}",
            )
            if i == 0:
                users = [self.user("enterprise", Role.ENTERPRISE, "陈晓东", organisation=org)]
                users.append(self.user(None, Role.ENTERPRISE, organisation=org))
            else:
                users = [self.user(None, Role.ENTERPRISE, organisation=org) for _ in range(rng.choice((1, 1, 2)))]
            org.contact_name = users[0].name
            org.save(update_fields=["contact_name"])
            self.enterprises.append((org, users, area, brand, brand_py))
        self.demo_enterprise = self.enterprises[0][0]

    # -- applications -----------------------------------------------------------------------------

    def subject(self, procedure: str, area: str, brand: str, brand_py: str) -> tuple[str, dict]:
        """What is applied for, and the details a complete form stores for it (approvals.details:
        each application is submitted as the screens submit it, complete)."""
        rng = self.rng
        if procedure == TELECOM:
            business, categories, _w = rng.choices(LICENCE_BUSINESSES, [w for *_x, w in LICENCE_BUSINESSES])[0]
            prefix = rng.choices(("", "经营许可证续期：", "经营许可证变更（增加业务种类）："), (8, 1, 1))[0]
            subject, given = prefix + business, {"categories": categories, "coverage": "安徽省"}
        elif procedure == NUMBERS:
            code = f"1069{area}{rng.randint(0, 9999):04d}"
            purpose = rng.choice(("验证码及通知类短信", "会员服务通知短信", "物流状态通知短信", "政务服务提醒短信"))
            subject = f"短消息类服务接入代码 {code}（安徽省内使用）"
            given = {"number_type": "sms_access_code", "quantity": 1, "code": code, "purpose": purpose}
        else:
            site, sub, _w = rng.choices(SITE_KINDS, [w for *_x, w in SITE_KINDS])[0]
            domain = f"{brand_py}{rng.choice(('', '', 'tech', 'info', 'data'))}.{rng.choice(TLDS)}"
            domains = [f"{sub}.{domain}"] if sub else [domain, f"www.{domain}"]
            name = f"{brand}{rng.choice(('', '科技', '网络', '信息'))}{site}"
            subject, given = f"{name}（{domains[0]}）", {"website": name, "domains": domains}
        return subject, details.clean(procedure, given, details.COMPLETE)

    def make_plans(self, total: int) -> list[Plan]:
        rng = self.rng
        planner = Planner(rng)
        weights = [3] + [1] * (len(self.enterprises) - 1)  # the fixed enterprise login has plenty to show
        pairs = allocate(total)
        rng.shuffle(pairs)
        plans = []
        for procedure, scenario in pairs:
            _org, users, area, brand, brand_py = rng.choices(self.enterprises, weights)[0]
            applicant = users[0] if len(users) == 1 or rng.random() < 0.75 else users[1]
            provider = rng.choices(self.providers, PROVIDER_WEIGHTS)[0] if procedure == FILING else None
            subject, given = self.subject(procedure, area, brand, brand_py)
            plan = Plan(scenario, procedure, applicant, provider, subject, given)
            plan.steps = planner.plan(scenario, procedure)
            plans.append(plan)
        return plans

    def day(self, offset: int) -> date:
        return self.calendar.add_working_days(self.last, -offset).date

    def run_plans(self, plans: list[Plan]) -> None:
        """Every plan's actions, all together in date order (each plan's own order kept)."""
        queue = sorted((-offset, p, s) for p, plan in enumerate(plans) for s, (offset, _a, _k) in enumerate(plan.steps))
        self.numbers: Counter[str] = Counter()
        self.staff = {user.pk: user for user in User.objects.filter(role=Role.OFFICER)}
        days = {offset: self.day(offset) for offset in {-o for o, _p, _s in queue}}
        plays = self.plays()
        for negative, p, s in queue:
            plan = plans[p]
            _offset, action, kwargs = plan.steps[s]
            result = plays[action](plan, days[-negative], kwargs)
            if isinstance(result, Application):
                plan.app_id = result.pk
                plan.officer_id = result.officer_id
                plan.department_id = result.department_id

    def serial(self, key: str, start: int, step: int) -> int:
        """The next number of a sequence (filing numbers, certificates): rising, with gaps."""
        self.numbers[key] = self.numbers[key] + self.rng.randint(1, step) if key in self.numbers else start
        return self.numbers[key]

    def plays(self) -> dict[str, Play]:
        """How a plan's step is played, by the name of its action's entry in the catalogue
        (approvals.catalogue.ENTRIES): its workflow function, with the demo's people and words.
        tests/test_seed_demo.py checks that each name is an entry, and that the scenarios play
        every transition in the catalogue (an action added there is added here)."""

        def officer(plan: Plan) -> User:
            return self.staff[plan.officer_id]

        def manager(plan: Plan) -> User:
            return self.managers[plan.department_id]

        def submit(plan: Plan, on: date, kw: dict) -> Application:
            return workflow.submit(plan.app_id, plan.applicant, on=on, complete=True)  # as the screens submit

        return {
            "created": lambda plan, on, kw: workflow.create_application(
                plan.applicant,
                plan.procedure,
                plan.subject,
                details=plan.details,
                provider_id=plan.provider.pk if plan.provider else None,
                on=on,
            ),
            "material_added": lambda plan, on, kw: workflow.add_material(
                plan.app_id, plan.applicant, pdf(kw["name"]), on=on
            ),
            "submit": submit,
            "submit_to_provider": submit,  # (SUBMISSIONS)
            "resubmit": lambda plan, on, kw: workflow.resubmit(
                plan.app_id, plan.applicant, note="已按补正通知补齐材料。", on=on
            ),
            "withdraw": lambda plan, on, kw: workflow.withdraw(plan.app_id, plan.applicant, kw["reason"], on=on),
            "return_to_applicant": lambda plan, on, kw: workflow.return_to_applicant(
                plan.app_id, self.provider_users[plan.provider.pk][0], kw["reasons"], on=on
            ),
            "forward_to_administration": self.forward,
            "accept": lambda plan, on, kw: workflow.accept(plan.app_id, officer(plan), on=on),
            "deem_accepted": lambda plan, on, kw: workflow.deem_accepted(plan.app_id, on=on),
            "refuse_to_accept": lambda plan, on, kw: workflow.refuse_to_accept(
                plan.app_id, officer(plan), kw["reasons"], on=on
            ),
            "request_correction": lambda plan, on, kw: workflow.request_correction(
                plan.app_id,
                officer(plan),
                "请补正以下材料：\n" + "\n".join(f"{i}. {item}；" for i, item in enumerate(kw["items"], 1)),
                on=on,
            ),
            "start_special_procedure": lambda plan, on, kw: workflow.start_special_procedure(
                plan.app_id,
                officer(plan),
                kind=kw["kind"],
                basis=kw["basis"],
                notice_date=min(self.calendar.add_working_days(on, kw["notice_gap"]).date, self.today),
                expected_end=on + timedelta(days=kw["days"]),
                on=on,
            ),
            "end_special_procedure": lambda plan, on, kw: workflow.end_special_procedure(
                plan.app_id, officer(plan), note=kw["note"], on=on
            ),
            "request_extension": lambda plan, on, kw: workflow.request_extension(
                plan.app_id, officer(plan), kw["days"], self.rng.choice(EXTENSIONS), on=on
            ),
            "approve_extension": lambda plan, on, kw: workflow.approve_extension(
                plan.app_id, manager(plan), note="同意延期。", on=on
            ),
            "reject_extension": lambda plan, on, kw: workflow.reject_extension(
                plan.app_id, manager(plan), self.rng.choice(REJECTIONS), on=on
            ),
            "grant": lambda plan, on, kw: workflow.grant(plan.app_id, officer(plan), reasons=kw["reasons"], on=on),
            "deny": lambda plan, on, kw: workflow.deny(plan.app_id, officer(plan), kw["reasons"], REMEDIES, on=on),
            "serve_certificate": lambda plan, on, kw: workflow.serve_certificate(
                plan.app_id, officer(plan), self.certificate_number(plan, on), on=on
            ),
            "file": lambda plan, on, kw: workflow.file(
                plan.app_id, officer(plan), f"皖ICP备{on.year}{self.serial(f'ICP{on.year}', 18_000, 60):06d}号", on=on
            ),
            "refuse_filing": lambda plan, on, kw: workflow.refuse_filing(
                plan.app_id, officer(plan), kw["reasons"], on=on
            ),
        }

    def forward(self, plan: Plan, on: date, kw: dict) -> Application:
        """The access provider's desk verified the person in charge (that day or the one before)
        and forwards the filing."""
        rng = self.rng
        desk = rng.choice(self.provider_users[plan.provider.pk])
        verified_day = self.calendar.add_working_days(on, -rng.choice((0, 0, 1))).date
        verified = datetime.combine(verified_day, time(rng.randint(9, 16), rng.randint(0, 59)))
        verified = min(timezone.make_aware(verified), timezone.now() - timedelta(minutes=5))
        reference = f"{kw['method'].upper()}-{verified_day:%Y%m%d}-{rng.randint(1000, 9999)}"
        return workflow.forward_to_administration(
            plan.app_id, desk, method=kw["method"], verified_at=verified, reference=reference, on=on
        )

    def certificate_number(self, plan: Plan, on: date) -> str:
        if plan.procedure == TELECOM:
            licence_class = plan.details["categories"][0][:2]  # B1 or B2: the first category's
            return f"皖{licence_class}-{on.year}{self.serial(f'B{on.year}', 180, 9):04d}"
        return f"皖码〔{on.year}〕{self.serial(f'M{on.year}', 60, 5):04d}号"

    def reassign_a_few(self, plans: list[Plan]) -> None:
        """The manager hands two of a colleague's open cases to the demo officer (today, as
        reassignments are recorded)."""
        moved = 0
        for plan in plans:
            if moved == 2:
                break
            if plan.department_id == self.licensing.pk and plan.officer_id not in (None, self.officer.pk):
                app = Application.objects.get(pk=plan.app_id)
                if app.is_open:
                    workflow.reassign(app.pk, self.manager, self.officer.pk, note="工作量调整。")
                    moved += 1
        self.leave_the_officer_least_loaded()

    #: New cases go to the least loaded officer (ties: the demo officer, the first made): the
    #: demo officer is left this many open cases fewer than any colleague, so that the next few
    #: applications the demo users submit (a licence, a number, a filing, and some more) all
    #: reach ``officer``; on a small demo, a third fewer, so that the worklist keeps some.
    HEADROOM = 6

    def leave_the_officer_least_loaded(self) -> None:
        """The manager hands some of the demo officer's open cases to the least loaded
        colleagues until the demo officer has HEADROOM (or a third) fewer than any of them."""
        while True:
            officers = list(officers_by_load(self.licensing.pk))
            mine = next(o.load for o in officers if o == self.officer)
            colleagues = [o for o in officers if o != self.officer]
            fewest = colleagues[0].load if colleagues else 0
            if mine <= fewest - self.HEADROOM or mine <= fewest * 2 // 3:
                return
            app = Application.objects.open().filter(officer=self.officer).order_by("-pk").first()
            workflow.reassign(app.pk, self.manager, colleagues[0].pk, note="工作量调整。")

    # -- ratings and appointments ----------------------------------------------------------------

    RATING_COMMENTS = {
        1: "办理时间过长，多次补正材料，体验很差。",
        2: "进度不透明，电话咨询未得到明确答复。",
        3: "总体可以，材料要求希望一次说清。",
        4: "办理规范，承办人答复及时。",
        5: "效率很高，提前办结，非常满意。",
    }

    def rate_some(self) -> None:
        """About half the ended cases rated by their applicants, a few badly; the manager has
        followed some bad ratings up (through the workflow, dated today)."""
        ended = Application.objects.rateable()
        for app in ended.order_by("pk"):
            if self.rng.random() > 0.5:
                continue
            level = self.rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 3, 6, 8])[0]
            rater = User.objects.filter(role=Role.ENTERPRISE, organisation_id=app.organisation_id).first()
            rating = workflow.rate(app.pk, rater, level, self.RATING_COMMENTS[level])
            manager = User.objects.filter(role=Role.MANAGER, department_id=app.department_id).first()
            if rating.is_bad and manager and self.rng.random() < 0.4:
                workflow.follow_up_rating(app.pk, manager, "已电话回访，说明办理流程并致歉，企业表示理解。")

    def book_some(self) -> None:
        """A few appointments on the coming working days: the demo enterprise's among them, some
        confirmed by the officer."""
        from approvals.models import AppointmentKind

        days = [day.date for day in self.calendar.working_days_after(self.today, 14)]
        slots = workflow.appointment_slots()
        demo = User.objects.get(username="enterprise")
        bookers = [demo, *User.objects.filter(role=Role.ENTERPRISE).exclude(organisation_id=demo.organisation_id)[:6]]
        purposes = {  # each procedure's own reasons to come (a licence's visit is not about numbers)
            Procedure.TELECOM_LICENCE: [
                "现场提交纸质材料并核验原件",
                "咨询增值电信业务经营许可申请要求",
                "领取电信业务经营许可证",
            ],
            Procedure.NUMBER_RESOURCE: [
                "现场提交纸质材料并核验原件",
                "码号资源使用证书变更咨询",
                "咨询码号资源使用申请要求",
            ],
        }
        for index, user in enumerate(bookers):
            onsite = index % 4 == 3
            procedure = Procedure.TELECOM_LICENCE if index % 3 else Procedure.NUMBER_RESOURCE
            appointment = workflow.book_appointment(
                user,
                kind=AppointmentKind.ONSITE if onsite else AppointmentKind.WINDOW,
                procedure=procedure,
                day=days[index % len(days)],
                slot=slots[index % len(slots)],
                purpose=self.rng.choice(purposes[procedure]),
                contact_phone=f"0551-6{self.rng.randint(1000000, 9999999)}",
                address=(user.organisation.address or "合肥市高新区创新大道 1 号") if onsite else "",
            )
            if index % 2 == 0:
                workflow.answer_appointment(
                    appointment.pk, self.officer, confirm=True, reply="已确认，请携带原件准时到达。"
                )

    # -- the summary ------------------------------------------------------------------------------

    def level(self, app: Application) -> str:
        """The alert level of a decision clock today (DOMAIN.md: green, yellow, red, severe)."""
        return app.level_on(self.today)

    def report(self, seconds: float, base_url: str) -> None:
        apps = Application.objects.all()
        write = self.stdout.write
        write(
            _("Made %(apps)s applications, %(orgs)s organisations and %(users)s users in %(seconds).1f s.")
            % {
                "apps": apps.count(),
                "orgs": Organisation.objects.count(),
                "users": User.objects.count(),
                "seconds": seconds,
            }
        )
        by_procedure = Counter(apps.values_list("procedure", flat=True))
        write(
            _("By procedure: %(counts)s")
            % {"counts": ", ".join(f"{Procedure(p).label} {by_procedure[p]}" for p in Procedure.values)}
        )
        by_state = Counter(apps.values_list("state", flat=True))
        write(
            _("By status: %(counts)s")
            % {"counts": ", ".join(f"{State(s).label} {by_state[s]}" for s in State.values if by_state[s])}
        )
        levels = Counter(self.level(app) for app in apps.filter(clock=ClockKind.DECISION).select_related("policy"))
        write(
            _(
                "Cases being decided: %(green)s on time, %(yellow)s due soon, %(red)s overdue, %(severe)s past "
                "the statutory limit. %(paused)s paused, %(certificates)s certificates overdue, %(provisional)s "
                "with a provisional due date, %(repeated)s with a second correction notice."
            )
            % {
                **{level: levels[level] for level in ("green", "yellow", "red", "severe")},
                "paused": apps.filter(state=State.PAUSED).count(),
                "certificates": apps.filter(state=State.GRANTED, certificate_due__lt=self.today).count(),
                "provisional": apps.provisional().count(),
                "repeated": apps.filter(correction_notices__gt=1).count(),
            }
        )
        write(
            _(
                "Documents: %(now)s issued for %(org)s's cases; %(owed)s more, for the other cases' acts, "
                "are being issued in the background by the worker (manage.py issue_documents --missing)."
            )
            % {"now": Document.objects.count(), "org": self.demo_enterprise, "owed": self.owed}
        )
        write("")
        for line in sign_in_lines(base_url):
            write(line)


def sign_in_lines(base_url: str) -> list[str]:
    """How to sign in as the demo users, who they are (read from the database: the seed's report
    and ``manage.py startup_summary`` print it); none when the database has no demo users."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=FIXED_USERNAMES).select_related("organisation", "department")
    }
    if set(users) != set(FIXED_USERNAMES):
        return []
    url = base_url.rstrip("/")
    return [
        _("Sign in at %(url)s/accounts/login/ (Django admin: %(url)s/admin/) as:") % {"url": url},
        "  enterprise  " + _("an applicant of %(org)s") % {"org": users["enterprise"].organisation},
        "  officer     " + _("a case officer of %(department)s") % {"department": users["officer"].department},
        "  manager     " + _("the manager of %(department)s") % {"department": users["manager"].department},
        "  provider    " + _("the filing desk of %(org)s") % {"org": users["provider"].organisation},
        "  admin       " + _("the administrator"),
        _("Password for every demo user: %(password)s") % {"password": PASSWORD},
    ]
