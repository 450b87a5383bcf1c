"""The small named cast every workflow test uses: one user per role, two enterprises, one access
provider, two departments. No factories: a test reads like a story about these people."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from approvals import workflow
from approvals.models import (
    Application,
    Department,
    Organisation,
    OrganisationKind,
    Procedure,
    ProcedureRoute,
    Role,
    User,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def browser(user=None, language: str = "en"):
    """A test client signed in as ``user`` (anonymous if None) that chose ``language``: pages
    are Chinese unless one chooses, and tests read the English msgids."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def pdf(name: str = "申请书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=SHANGHAI)


#: Each procedure's details as its form stores them, complete (approvals.details, COMPLETE mode):
#: a cast draft can be submitted as the screens and the API submit it.
DETAILS: dict[str, dict] = {
    Procedure.TELECOM_LICENCE: {"categories": ["B25"], "business": "B25 信息服务业务", "coverage": "安徽省"},
    Procedure.NUMBER_RESOURCE: {
        "number_type": "sms_access_code",
        "quantity": 1,
        "code": "106905511234",
        "purpose": "验证码及通知类短信",
    },
    Procedure.WEBSITE_FILING: {"website": "云端科技官网", "domains": ["yunduan.cn"]},
}


@dataclass
class Cast:
    licensing: Department  # 信息通信管理处: licences and number resources
    internet: Department  # 互联网管理处: website filings
    acme: Organisation  # an applicant
    rival: Organisation  # another applicant, who must never see acme's data
    telecom: Organisation  # an access provider
    alice: User  # acme's applicant
    bob: User  # rival's applicant
    olga: User  # officer, licensing (first in line for new cases)
    oscar: User  # officer, licensing
    fiona: User  # officer, internet
    mia: User  # manager, licensing
    max: User  # manager, internet
    pat: User  # telecom's filing desk (access provider)
    root: User  # administrator

    def draft(self, procedure: str = Procedure.TELECOM_LICENCE, on: date | None = None, who: User | None = None):
        who = who or self.alice
        provider = self.telecom.pk if procedure == Procedure.WEBSITE_FILING else None
        app = workflow.create_application(
            who,
            procedure,
            "第二类增值电信业务 信息服务业务",
            details=copy.deepcopy(DETAILS[procedure]),
            provider_id=provider,
            on=on,
        )
        workflow.add_material(app.pk, who, pdf(), on=on)
        return Application.objects.get(pk=app.pk)

    def received(self, procedure: str = Procedure.TELECOM_LICENCE, on: date = date(2026, 3, 2)) -> Application:
        app = self.draft(procedure, on=on)
        return workflow.submit(app.pk, self.alice, on=on, complete=True)

    def under_review(
        self,
        procedure: str = Procedure.TELECOM_LICENCE,
        received: date = date(2026, 3, 2),
        accepted: date = date(2026, 3, 3),
    ) -> Application:
        if procedure == Procedure.WEBSITE_FILING:
            app = self.draft(procedure, on=received)
            workflow.submit(app.pk, self.alice, on=received, complete=True)
            return workflow.forward_to_administration(
                app.pk, self.pat, method="face", verified_at=noon(received), reference="FACE-1", on=accepted
            )
        app = self.received(procedure, on=received)
        return workflow.accept(app.pk, app.officer, on=accepted)

    # -- what happens to a case under review, written once ----------------------------------------

    def corrected(self, app: Application, *, asked: date, answered: date, items: str, note: str = "") -> Application:
        """A correction notice listing ``items`` sent by the case officer on ``asked`` and answered
        by alice on ``answered``: the corrections arrive that day."""
        workflow.request_correction(app.pk, app.officer, items, on=asked)
        return workflow.resubmit(app.pk, self.alice, note=note, on=answered)

    def paused(
        self,
        app: Application,
        *,
        on: date,
        until: date,
        ended: date | None = None,
        kind: str = "expert_review",
        basis: str = "《行政许可法》第四十五条",
        notice: date | None = None,
    ) -> Application:
        """A special procedure started by the case officer on ``on`` (its notice dated ``notice``,
        else that day), expected to last until ``until``: the clocks pause. With ``ended``, it ends
        that day and the clocks run again."""
        officer = app.officer
        app = workflow.start_special_procedure(
            app.pk, officer, kind=kind, basis=basis, notice_date=notice or on, expected_end=until, on=on
        )
        if ended is not None:
            app = workflow.end_special_procedure(app.pk, officer, on=ended)
        return app

    def extended(
        self, app: Application, days: int, *, asked: date, approved: date | None = None, reason: str = "需要专家论证"
    ) -> Application:
        """An extension of ``days`` working days asked for by the case officer on ``asked`` and
        approved by mia (the licensing manager) on ``approved``, else the same day."""
        workflow.request_extension(app.pk, app.officer, days, reason, on=asked)
        return workflow.approve_extension(app.pk, self.mia, on=approved or asked)


def make_cast() -> Cast:
    licensing = Department.objects.create(name="信息通信管理处")
    internet = Department.objects.create(name="互联网管理处")
    ProcedureRoute.objects.create(procedure=Procedure.TELECOM_LICENCE, department=licensing)
    ProcedureRoute.objects.create(procedure=Procedure.NUMBER_RESOURCE, department=licensing)
    ProcedureRoute.objects.create(procedure=Procedure.WEBSITE_FILING, department=internet)
    acme = Organisation.objects.create(name="合肥云端网络科技有限公司", credit_code="91340100MA2N0AAA14")
    rival = Organisation.objects.create(name="芜湖星河信息技术有限公司", credit_code="91340200MA2N0BBB2A")
    telecom = Organisation.objects.create(
        name="中国电信安徽分公司", credit_code="91340000MA2N0CCC31", kind=OrganisationKind.ACCESS_PROVIDER
    )

    def user(username: str, role: str, **kwargs) -> User:
        return User.objects.create_user(username, password="pw-" + username, role=role, name=username.title(), **kwargs)

    return Cast(
        licensing=licensing,
        internet=internet,
        acme=acme,
        rival=rival,
        telecom=telecom,
        alice=user("alice", Role.ENTERPRISE, organisation=acme),
        bob=user("bob", Role.ENTERPRISE, organisation=rival),
        olga=user("olga", Role.OFFICER, department=licensing),
        oscar=user("oscar", Role.OFFICER, department=licensing),
        fiona=user("fiona", Role.OFFICER, department=internet),
        mia=user("mia", Role.MANAGER, department=licensing),
        max=user("max", Role.MANAGER, department=internet),
        pat=user("pat", Role.PROVIDER, organisation=telecom),
        root=user("root", Role.ADMIN),
    )
