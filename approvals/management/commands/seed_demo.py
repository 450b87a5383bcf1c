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
from collections.abc import Callable
from dataclasses import dataclass, field
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
from approvals.holidays import work_calendar
from approvals.models import (
    Application,
    ClockKind,
    Department,
    Notification,
    Organisation,
    OrganisationKind,
    Procedure,
    ProcedureRoute,
    Role,
    SpecialProcedureKind,
    State,
    User,
    VerificationMethod,
)

PASSWORD = "demo-pass-2026"
FIXED_USERNAMES = ("enterprise", "officer", "manager", "provider", "admin")
SPAN = 100  # working days back from the last working day: about five months
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TELECOM, NUMBERS, FILING = Procedure.TELECOM_LICENCE, Procedure.NUMBER_RESOURCE, Procedure.WEBSITE_FILING
PROMISED = {TELECOM: 26, NUMBERS: 10, FILING: 8}  # the working days of the seeded policies
# A plan's steps are named by their actions' catalogue entries (approvals.catalogue); these two
# are both workflow.submit's: a filing goes to its access provider first.
SUBMISSIONS = ("submit", "submit_to_provider")

# -- the demo world's vocabulary ----------------------------------------------------------------

# (city, division code, telephone area code, districts and roads)
CITIES = [
    ("合肥", "340100", "0551", ["高新区望江西路", "蜀山区黄山路", "包河区徽州大道", "经开区繁华大道", "政务区潜山路"]),
    ("芜湖", "340200", "0553", ["鸠江区九华北路", "弋江区高新技术产业开发区", "镜湖区北京中路"]),
    ("蚌埠", "340300", "0552", ["蚌山区涂山路", "龙子湖区东海大道"]),
    ("淮南", "340400", "0554", ["田家庵区洞山中路"]),
    ("马鞍山", "340500", "0555", ["雨山区湖东中路", "花山区红旗南路"]),
    ("铜陵", "340700", "0562", ["铜官区长江西路"]),
    ("安庆", "340800", "0556", ["迎江区华中路", "宜秀区天柱山东路"]),
    ("黄山", "341000", "0559", ["屯溪区黄山西路"]),
    ("滁州", "341100", "0550", ["琅琊区南谯北路"]),
    ("阜阳", "341200", "0558", ["颍州区清河西路"]),
    ("宿州", "341300", "0557", ["埇桥区汴河中路"]),
    ("六安", "341500", "0564", ["金安区皋城中路"]),
    ("宣城", "341800", "0563", ["宣州区鳌峰中路"]),
]
CITY_WEIGHTS = [10, 4, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1]

# (brand, its pinyin for domain names)
BRANDS = [
    ("云帆", "yunfan"),
    ("星辰", "xingchen"),
    ("启明", "qiming"),
    ("汇智", "huizhi"),
    ("聚能", "juneng"),
    ("巢湖云", "chaohuyun"),
    ("淮河", "huaihe"),
    ("天柱", "tianzhu"),
    ("九华", "jiuhua"),
    ("新安", "xinan"),
    ("瑞德", "ruide"),
    ("博远", "boyuan"),
    ("恒信", "hengxin"),
    ("众联", "zhonglian"),
    ("易达", "yida"),
    ("优码", "youma"),
    ("翼展", "yizhan"),
    ("数智", "shuzhi"),
    ("蓝海", "lanhai"),
    ("青松", "qingsong"),
    ("锐思", "ruisi"),
    ("徽通", "huitong"),
    ("皖联", "wanlian"),
    ("明德", "mingde"),
    ("长风", "changfeng"),
    ("同创", "tongchuang"),
    ("科讯达", "kexunda"),
    ("华拓", "huatuo"),
]
COMPANY_KINDS = [
    "网络科技有限公司",
    "信息技术有限公司",
    "数据服务有限公司",
    "通信技术有限公司",
    "软件有限公司",
    "科技股份有限公司",
    "互联网服务有限公司",
    "电子商务有限公司",
    "云计算有限公司",
]
PROVIDERS = [  # (name, address, contact)
    ("中国电信股份有限公司安徽分公司", "合肥市蜀山区长江西路 160 号", "曹经理"),
    ("中国移动通信集团安徽有限公司", "合肥市包河区马鞍山路 1 号", "钱经理"),
    ("中国联合网络通信有限公司安徽省分公司", "合肥市庐阳区濉溪路 288 号", "唐经理"),
]
PROVIDER_WEIGHTS = [5, 3, 2]

SURNAMES = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("程", "cheng"),
    ("汪", "wang"),
    ("方", "fang"),
    ("许", "xu"),
    ("储", "chu"),
]
GIVEN_NAMES = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("敏", "min"),
    ("静", "jing"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("婷", "ting"),
    ("秀英", "xiuying"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("志强", "zhiqiang"),
    ("建国", "jianguo"),
    ("文静", "wenjing"),
    ("思远", "siyuan"),
    ("雨桐", "yutong"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("明辉", "minghui"),
    ("佳琪", "jiaqi"),
]

# (what is applied for, its categories in approvals.procedures.LICENCE_CATEGORIES, weight)
LICENCE_BUSINESSES = [
    ("第二类增值电信业务：信息服务业务（仅限互联网信息服务）", ["B25"], 6),
    ("第二类增值电信业务：信息服务业务（不含互联网信息服务）", ["B25"], 2),
    ("第二类增值电信业务：在线数据处理与交易处理业务", ["B21"], 3),
    ("第二类增值电信业务：国内呼叫中心业务", ["B24"], 2),
    ("第二类增值电信业务：存储转发类业务", ["B23"], 1),
    ("第一类增值电信业务：互联网接入服务业务", ["B14"], 1),
    ("第一类增值电信业务：互联网数据中心业务", ["B11"], 1),
    ("第一类增值电信业务：互联网数据中心业务、内容分发网络业务", ["B11", "B12"], 1),
]
SITE_KINDS = [
    ("官网", "", 6),
    ("企业门户网站", "", 2),
    ("商城", "mall", 2),
    ("技术博客", "blog", 1),
    ("招聘平台", "hr", 1),
    ("在线课堂", "edu", 1),
    ("客户服务中心", "service", 1),
    ("开发者社区", "dev", 1),
]
TLDS = ["cn", "com", "com.cn", "net", "cn", "com"]
MATERIALS = {
    TELECOM: [
        "增值电信业务经营许可证申请表.pdf",
        "营业执照副本.pdf",
        "公司章程及股权结构说明.pdf",
        "网络与信息安全保障措施.pdf",
        "业务发展计划及技术方案.pdf",
    ],
    NUMBERS: ["码号资源使用申请表.pdf", "码号使用方案.pdf", "增值电信业务经营许可证.pdf"],
    FILING: ["网站备案信息真实性核验单.pdf", "主体负责人身份证明.pdf", "域名证书.pdf"],
}
CORRECTIONS = {
    TELECOM: [
        "营业执照副本复印件未加盖公章",
        "网络与信息安全保障措施缺少安全事件应急预案",
        "公司章程未载明现有股东持股比例",
        "业务发展计划未说明服务器托管地点及接入单位",
        "主要负责人身份证明已过有效期",
        "申请表中的业务覆盖范围与技术方案不一致",
    ],
    NUMBERS: [
        "码号使用方案未说明短信内容审核机制",
        "未提供增值电信业务经营许可证复印件",
        "申请表中的使用地区与经营许可证覆盖范围不一致",
        "码号使用承诺书未经法定代表人签字",
    ],
}
SPECIAL = {
    TELECOM: [
        (SpecialProcedureKind.EXPERT_REVIEW, "《电信业务经营许可管理办法》第十条；《行政许可法》第四十五条"),
        (SpecialProcedureKind.SITE_CHECK, "《行政许可法》第三十四条第三款、第四十五条"),
        (SpecialProcedureKind.TESTING, "《行政许可法》第四十五条：网络与信息安全技术检测"),
        (SpecialProcedureKind.HEARING, "《行政许可法》第四十六条、第四十七条"),
    ],
    NUMBERS: [
        (SpecialProcedureKind.EXPERT_REVIEW, "《电信网码号资源管理办法》；《行政许可法》第四十五条"),
        (SpecialProcedureKind.HEARING, "《行政许可法》第四十六条、第四十七条"),
        (SpecialProcedureKind.SITE_CHECK, "《行政许可法》第三十四条第三款、第四十五条"),
    ],
}
REFUSALS_TO_ACCEPT = [
    "申请事项属于跨地区经营，不属于本机关职权范围，请向工业和信息化部提出申请。",
    "申请人注册资本未达到开展该项业务的最低要求，不具备申请资格。",
    "补正后的材料仍不符合法定形式：缺少网络与信息安全保障措施。",
]
DENIALS = [
    "经审查，申请人的网络与信息安全保障措施不符合《电信业务经营许可管理办法》第五条的规定。",
    "经实地核查，申请人不具备与开展业务相适应的场地、设施和专业人员。",
    "申请人及其主要投资者在最近三年内有违反电信监督管理制度的违法记录。",
]
REMEDIES = (
    "如不服本决定，可自收到决定书之日起六十日内向工业和信息化部申请行政复议，"
    "或自收到决定书之日起六个月内向人民法院提起行政诉讼。"
)
FILING_REFUSALS = [
    "网站名称含有与主办单位无关的地域名称，不符合网站命名规范。",
    "域名注册人与网站主办者不一致，且未提供授权证明。",
    "网站负责人身份核验照片与证件信息不符。",
    "网站内容涉及前置审批事项，未提供相关主管部门的审批文件。",
]
RETURNS = [
    "主体负责人核验照片不清晰，请重新上传。",
    "网站负责人手机号码未通过短信核验，请更正后重新提交。",
    "域名证书已过期，请续费后提交新的证书。",
]
WITHDRAWALS = [
    "公司业务调整，暂不开展该项业务。",
    "申请材料需要重新准备，先行撤回。",
    "经营主体变更，将以新主体重新申请。",
]
EXTENSIONS = [
    "需征求省公安厅网安总队意见，无法在承诺时限内办结。",
    "专家评审意见存在分歧，需补充论证。",
    "申请人业务涉及多个地市，需要协调各市通信发展管理办公室核查。",
]
REJECTIONS = ["延期理由不充分，请在承诺时限内办结。", "该事项可先行作出决定，无需延期。"]
RESUME_NOTES = ["专家评审已完成，评审意见已归档。", "实地核查完毕，核查记录已归档。", "检测报告已出具。"]


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# -- planning -------------------------------------------------------------------------------------


@dataclass
class Plan:
    """One application to make: who, what, and its actions as offsets in working days before the
    last working day (0: that day), oldest first."""

    scenario: str
    procedure: str
    applicant: User
    provider: Organisation | None
    subject: str
    details: dict
    steps: list[tuple[int, str, dict]] = field(default_factory=list)
    app_id: int | None = None
    officer_id: int | None = None
    department_id: int | None = None


# A step played: (the plan, the day, the step's arguments) -> what its workflow function returns.
Play = Callable[["Plan", date, dict], Any]


class Script:
    """Actions separated by gaps in working days; placed on the calendar once its length is known."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str, dict]] = []
        self.anchor: int | None = None

    def then(self, gap: int, action: str, **kwargs: Any) -> Script:
        self.items.append((gap, action, kwargs))
        return self

    def clock_starts(self) -> None:
        """The last action added is the one whose day starts the decision clock."""
        self.anchor = len(self.items) - 1

    def since(self, index: int) -> int:
        return sum(gap for gap, _action, _kwargs in self.items[index + 1 :])

    @property
    def length(self) -> int:
        return self.since(0)

    def place(self, *, start: int | None = None, anchor: int | None = None) -> list[tuple[int, str, dict]]:
        """Offsets from the first action's offset (``start``) or from the clock start's (``anchor``)."""
        if start is None:
            start = anchor + self.length - self.since(self.anchor)
        steps, offset = [], start
        for i, (gap, action, kwargs) in enumerate(self.items):
            offset -= gap if i else 0
            steps.append((offset, action, kwargs))
        if steps[-1][0] < 0:
            raise ValueError(f"the plan runs past today: {steps}")
        return steps


class Planner:
    """Chooses, for each scenario, the gaps between actions and where the plan sits in time."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def closed(self, script: Script) -> list[tuple[int, str, dict]]:
        """A finished case: anywhere in the last five months."""
        length = script.length
        return script.place(start=length + self.rng.randint(0, max(0, SPAN - length)))

    # -- pieces ---------------------------------------------------------------------------------

    def draft(self, script: Script, procedure: str) -> Script:
        script.then(0, "created")
        names = MATERIALS[procedure]
        for name in self.rng.sample(names, self.rng.randint(1, min(3, len(names)))):
            script.then(self.rng.choice((0, 0, 1)), "material_added", name=name)
        return script

    def intake(self, procedure: str, corrections: int = 0, answered: bool = True) -> Script:
        """Draft and submit a licensing application, with 0, 1 or 2 correction notices (the last
        answered or not). When answered, the clock starts with the corrections (accept follows)."""
        rng = self.rng
        script = self.draft(Script(), procedure).then(rng.randint(0, 3), "submit")
        for notice in range(1, corrections + 1):
            items = rng.sample(CORRECTIONS[procedure], rng.randint(1, 3))
            script.then(rng.randint(1, 3 if notice > 1 else 4), "request_correction", items=items)
            if notice < corrections or answered:
                script.then(rng.randint(2, 8), "material_added", name="补正材料.pdf")
                script.then(rng.choice((0, 0, 1)), "resubmit")
        return script

    def accepted(self, procedure: str, *, deemed: bool = False) -> Script:
        """Intake and acceptance; the clock-start mark is on the day the clock starts."""
        rng = self.rng
        corrections = rng.choices((0, 1, 2), weights=(30, 9, 1))[0]
        script = self.intake(procedure, corrections)
        if deemed:
            script.clock_starts()  # deemed accepted as of receipt (or of the corrections)
            script.then(6, "deem_accepted")  # the day after the 5 working days ran out
        elif corrections:
            script.clock_starts()  # accepted as of the day the corrections arrived
            script.then(rng.randint(0, 3), "accept")
        else:
            script.then(rng.randint(0, 4), "accept")
            script.clock_starts()
        return script

    def sent_to_provider(self) -> Script:
        """A website filing drafted and sent to its access provider."""
        return self.draft(Script(), FILING).then(self.rng.randint(0, 2), "submit_to_provider")

    def returned(self, script: Script) -> Script:
        """The access provider sends the filing back: a draft again."""
        return script.then(self.rng.randint(1, 3), "return_to_applicant", reasons=self.rng.choice(RETURNS))

    def filing(self) -> Script:
        """A website filing up to the moment it reaches the administration (the clock start)."""
        rng = self.rng
        script = self.sent_to_provider()
        if rng.random() < 0.15:  # the provider sent it back once
            self.returned(script)
            script.then(rng.randint(1, 5), "material_added", name="主体负责人身份证明（重新上传）.pdf")
            script.then(0, "submit_to_provider")
        script.then(rng.randint(1, 3), "forward_to_administration", method=rng.choice(VerificationMethod.values))
        script.clock_starts()
        return script

    def special_procedure(self, script: Script, procedure: str, gap: int, lasting: int | None = None) -> Script:
        """A special procedure (a kind and legal basis of the procedure's) started ``gap`` working
        days after the last action; with ``lasting``, ended that many working days later."""
        kind, basis = self.rng.choice(SPECIAL[procedure])
        notice_gap, days = self.rng.choice((0, 1)), self.rng.randint(10, 40)
        script.then(gap, "start_special_procedure", kind=kind, basis=basis, notice_gap=notice_gap, days=days)
        if lasting is not None:
            script.then(lasting, "end_special_procedure", note=self.rng.choice(RESUME_NOTES))
        return script

    def remaining(self, procedure: str, status: str) -> int:
        """Working days left on the promised clock at the last working day, for a wanted status."""
        ranges = {
            TELECOM: {"green": (7, 24), "yellow": (0, 6), "red": (-8, -1), "severe": (-30, -20)},
            NUMBERS: {"green": (3, 9), "yellow": (0, 2), "red": (-9, -1), "severe": (-16, -11)},
            FILING: {"green": (3, 7), "yellow": (0, 2), "red": (-11, -1), "severe": (-18, -13)},
        }
        return self.rng.randint(*ranges[procedure][status])

    # -- scenarios --------------------------------------------------------------------------------

    def plan(self, scenario: str, procedure: str) -> list[tuple[int, str, dict]]:
        rng = self.rng
        limit = PROMISED[procedure]
        kind, _sep, status = scenario.partition(":")

        if kind == "draft":
            script = self.draft(Script(), procedure)
            return script.place(start=script.length + rng.randint(0, 15))

        if kind == "returned":  # a filing the provider sent back: a draft again
            script = self.returned(self.sent_to_provider())
            return script.place(start=script.length + rng.randint(0, 10))

        if kind == "provider_review":
            script = self.sent_to_provider()
            return script.place(start=script.length + rng.randint(0, 3))

        if kind == "received":  # waiting for acceptance: within its 5 working days
            script = self.intake(procedure, corrections=1 if rng.random() < 0.3 else 0)
            return script.place(start=script.length + rng.randint(0, 3))

        if kind == "correction":  # waiting for the applicant's corrections
            notices = 2 if status == "second" else 1
            script = self.intake(procedure, corrections=notices, answered=False)
            return script.place(start=script.length + rng.randint(0, 25 if notices == 1 else 12))

        if kind == "not_accepted":
            script = self.intake(procedure, corrections=1 if rng.random() < 0.3 else 0)
            script.then(rng.randint(1, 5), "refuse_to_accept", reasons=rng.choice(REFUSALS_TO_ACCEPT))
            return self.closed(script)

        if kind == "withdrawn":
            reason = rng.choice(WITHDRAWALS)
            if procedure == FILING:
                script = self.draft(Script(), FILING)
                if rng.random() < 0.6:
                    script.then(rng.randint(0, 2), "submit_to_provider")
            else:
                stage = rng.choice(("received", "correction", "review"))
                if stage == "review":
                    script = self.accepted(procedure)
                else:
                    script = self.intake(procedure, corrections=int(stage == "correction"), answered=False)
            # Still within the 5 working days if it was only received (later it would be deemed accepted).
            gap = rng.randint(1, 4) if script.items[-1][1] in SUBMISSIONS else rng.randint(1, 12)
            script.then(gap, "withdraw", reason=reason)
            return self.closed(script)

        if kind == "review":  # under review: green, yellow, red or severe
            counted = limit - self.remaining(procedure, status)  # working days counted since the clock started
            deemed = status in ("green", "yellow") and counted >= 7 and rng.random() < 0.25
            script = self.accepted(procedure, deemed=deemed)
            done = script.since(script.anchor)
            counted = max(counted, done)
            paused = 0
            if status != "severe" and counted >= 5 and rng.random() < 0.25:  # a special procedure, ended
                # It starts before the promised due date: a later one would not stop that clock.
                at = max(rng.randint(1, min(counted - 2, limit - 1)), done)
                paused = rng.randint(3, 10)
                self.special_procedure(script, procedure, at - done, lasting=paused)
            return script.place(anchor=counted + paused)

        if kind == "paused":  # a special procedure is running
            script = self.accepted(procedure)
            done = script.since(script.anchor)
            counted = max(rng.randint(2, limit - 2), done)
            self.special_procedure(script, procedure, counted - done)
            return script.place(anchor=counted + rng.randint(2, 25))

        if scenario == "extension:early":
            # Asked for and approved at once, days after receipt: the clocks that reach furthest
            # ahead (a licence's statutory 60 days and 10 more working days), into the next year,
            # whose holiday schedule may not be published yet: provisional there.
            script = self.accepted(procedure)
            script.then(rng.randint(0, 1), "request_extension", days=10)
            script.then(0, "approve_extension")
            return script.place(start=script.length + rng.randint(0, 2))

        if kind == "extension":  # requested (waiting for the manager), approved or rejected
            extra = rng.choice((5, 10, 10))
            script = self.accepted(procedure)
            done = script.since(script.anchor)
            # Asked near the due date and decided by it: an extension lengthens a limit that has
            # not run out (行政许可法 art. 42).
            asked = min(max(limit - rng.randint(1, 4), done), limit)
            script.then(asked - done, "request_extension", days=extra)
            if status != "requested":
                decision = {"approved": "approve_extension", "rejected": "reject_extension"}[status]
                script.then(rng.randint(0, min(2, limit - asked)), decision)
            left = rng.randint(0, 4) if status == "requested" else rng.randint(-3, 6)
            counted = limit + (extra if status == "approved" else 0) - left
            return script.place(anchor=max(counted, script.since(script.anchor)))

        if kind in ("granted", "served", "denied"):
            script = self.accepted(procedure)
            late = rng.random() < 0.1
            took = rng.randint(limit + 1, limit + 6) if late else rng.randint(max(3, limit // 3), limit)
            if kind != "granted" and procedure == TELECOM and rng.random() < 0.15:
                done = script.since(script.anchor)
                at = max(rng.randint(3, min(took - 2, limit - 1)), done)
                paused = rng.randint(5, 15)
                self.special_procedure(script, procedure, at - done, lasting=paused)
                took += paused
            decided = took - script.since(script.anchor)
            if kind == "denied":
                script.then(max(decided, 0), "deny", reasons=rng.choice(DENIALS))
                return self.closed(script)
            script.then(max(decided, 0), "grant", reasons="经审查，申请人符合法定条件，准予许可。")
            if kind == "granted":  # the certificate is still to be served: some of them late
                return script.place(start=script.length + rng.choice((0, 1, 2, 4, 6, 8, 11, 13)))
            script.then(rng.randint(11, 14) if rng.random() < 0.08 else rng.randint(1, 8), "serve_certificate")
            return self.closed(script)

        if kind == "arrived":  # a filing under review at the administration
            script = self.filing()
            return script.place(anchor=limit - self.remaining(FILING, status))

        if kind in ("filed", "filing_refused"):
            script = self.filing()
            took = rng.randint(9, 12) if rng.random() < 0.08 else rng.randint(1, limit)
            if kind == "filed":
                script.then(took, "file")
            else:
                script.then(took, "refuse_filing", reasons=rng.choice(FILING_REFUSALS))
            return self.closed(script)

        raise ValueError(f"unknown scenario {scenario!r}")


# What happens to licensing applications, with weights (number resources: 0.6 of these).
LICENSING_SCENARIOS = [
    ("draft", 4),
    ("received", 6),
    ("correction", 5),
    ("correction:second", 2),  # a second correction notice: flagged
    ("not_accepted", 3),
    ("withdrawn", 3),
    ("review:green", 16),
    ("review:yellow", 5),
    ("review:red", 5),
    ("review:severe", 3),
    ("paused", 7),
    ("extension:requested", 3),
    ("extension:approved", 3),
    ("extension:rejected", 2),
    ("extension:early", 3),  # received days ago: clocks into the next year
    ("granted", 6),
    ("served", 40),
    ("denied", 5),
]
# (procedure, scenario, weight): 300 applications come out in about these proportions.
SCENARIOS = [
    *((TELECOM, scenario, weight) for scenario, weight in LICENSING_SCENARIOS),
    *((NUMBERS, scenario, max(1, round(weight * 0.6))) for scenario, weight in LICENSING_SCENARIOS),
    (FILING, "draft", 4),
    (FILING, "returned", 4),
    (FILING, "provider_review", 8),
    (FILING, "withdrawn", 4),
    (FILING, "arrived:green", 9),
    (FILING, "arrived:yellow", 5),
    (FILING, "arrived:red", 5),
    (FILING, "arrived:severe", 2),
    (FILING, "filed", 62),
    (FILING, "filing_refused", 8),
]


def allocate(total: int) -> list[tuple[str, str]]:
    """``total`` (procedure, scenario) pairs in the weights' proportions; every scenario at least
    once when there are enough, the remainder by largest remainders."""
    weights = [w for _p, _s, w in SCENARIOS]
    base = 1 if total >= len(SCENARIOS) else 0
    rest = total - base * len(SCENARIOS)
    shares = [rest * w / sum(weights) for w in weights]
    counts = [base + int(s) for s in shares]
    order = sorted(range(len(SCENARIOS)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return [(p, s) for (p, s, _w), n in zip(SCENARIOS, counts, strict=True) for _ in range(n)]


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
        with mock.patch.object(notifications, "queue", events.extend), transaction.atomic():
            self.make_people()
            plans = self.make_plans(max(0, applications))
            self.run_plans(plans)
            self.reassign_a_few(plans)
            self.rate_some()
            self.book_some()
        notifications.deliver(events)
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
        ProcedureRoute.objects.create(procedure=TELECOM, department=licensing)
        ProcedureRoute.objects.create(procedure=NUMBERS, department=licensing)
        ProcedureRoute.objects.create(procedure=FILING, department=internet)
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
        from approvals.models import CLOSED_STATES

        ended = Application.objects.filter(state__in=sorted(CLOSED_STATES), tracking_number__isnull=False)
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
        purposes = [
            "现场提交纸质材料并核验原件",
            "咨询增值电信业务经营许可申请要求",
            "领取电信业务经营许可证",
            "码号资源使用证书变更咨询",
        ]
        for index, user in enumerate(bookers):
            onsite = index % 4 == 3
            appointment = workflow.book_appointment(
                user,
                kind=AppointmentKind.ONSITE if onsite else AppointmentKind.WINDOW,
                procedure=Procedure.TELECOM_LICENCE if index % 3 else Procedure.NUMBER_RESOURCE,
                day=days[index % len(days)],
                slot=slots[index % len(slots)],
                purpose=self.rng.choice(purposes),
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
        write("")
        write(_("Sign in at %(url)s/accounts/login/ (Django admin: %(url)s/admin/) as:") % {"url": base_url})
        write("  enterprise  " + _("an applicant of %(org)s") % {"org": self.demo_enterprise})
        write("  officer     " + _("a case officer of %(department)s") % {"department": self.licensing})
        write("  manager     " + _("the manager of %(department)s") % {"department": self.licensing})
        write("  provider    " + _("the filing desk of %(org)s") % {"org": self.providers[0]})
        write("  admin       " + _("the administrator"))
        write(_("Password for every demo user: %(password)s") % {"password": PASSWORD})
