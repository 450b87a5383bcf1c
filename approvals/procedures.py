"""The three procedures as an applicant sees them: what each is called, when its clock starts,
what to prepare, and the catalogues its forms choose from (licence categories, number types,
domain names). Domain data, read by the enterprise screens and the API's validation alike."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from approvals.models import Procedure


@dataclass(frozen=True)
class ProcedureInfo:
    procedure: str
    short: str  # lazy
    clock_starts: str  # lazy
    prepare: tuple[str, ...]  # lazy
    subject_help: str  # lazy


PROCEDURES: dict[str, ProcedureInfo] = {
    Procedure.TELECOM_LICENCE: ProcedureInfo(
        Procedure.TELECOM_LICENCE,
        gettext_lazy("Telecom licence"),
        gettext_lazy(
            "The administration accepts the application, asks once for every correction needed, or refuses "
            "it within 5 working days; the promised limit counts from acceptance."
        ),
        (
            gettext_lazy("The licence application form, signed and sealed"),
            gettext_lazy("The business licence (copy)"),
            gettext_lazy("The articles of association and the shareholding structure"),
            gettext_lazy("The network and information security measures"),
            gettext_lazy("The business development plan and the technical plan"),
            gettext_lazy("Identity documents of the main managers"),
        ),
        gettext_lazy(
            "For example: second-class value-added telecom services, information services "
            "(internet information services only)"
        ),
    ),
    Procedure.NUMBER_RESOURCE: ProcedureInfo(
        Procedure.NUMBER_RESOURCE,
        gettext_lazy("Number resources"),
        gettext_lazy(
            "The administration accepts the application or asks once for every correction needed within "
            "5 working days; the promised limit counts from the acceptance notice."
        ),
        (
            gettext_lazy("The number resource application form"),
            gettext_lazy("The plan for using the numbers"),
            gettext_lazy("Your value-added telecom business licence (copy)"),
            gettext_lazy("The commitment letter signed by the legal representative"),
        ),
        gettext_lazy("For example: SMS service access code 1069055112345 (used within Anhui)"),
    ),
    Procedure.WEBSITE_FILING: ProcedureInfo(
        Procedure.WEBSITE_FILING,
        gettext_lazy("Website filing"),
        gettext_lazy(
            "Your access provider checks the filing and verifies the identity of the person in charge first; "
            "the promised limit counts from the day the record reaches the administration. An incomplete "
            "filing is refused, not corrected."
        ),
        (
            gettext_lazy("The website filing verification form"),
            gettext_lazy("The identity document of the person in charge of the website"),
            gettext_lazy("The domain name certificate"),
            gettext_lazy("The business licence (copy)"),
        ),
        gettext_lazy("For example: the Yunduan Technology website (yunduan.cn)"),
    ),
}

# 电信业务分类目录（2015年版，2019年修订）: the value-added services a provincial administration licenses.
LICENCE_CATEGORIES = (
    ("B11", "互联网数据中心业务", gettext_lazy("Internet data centre")),
    ("B12", "内容分发网络业务", gettext_lazy("Content delivery network")),
    ("B13", "国内互联网虚拟专用网业务", gettext_lazy("Domestic internet virtual private network")),
    ("B14", "互联网接入服务业务", gettext_lazy("Internet access")),
    ("B21", "在线数据处理与交易处理业务", gettext_lazy("Online data and transaction processing")),
    ("B22", "国内多方通信服务业务", gettext_lazy("Domestic multi-party communication")),
    ("B23", "存储转发类业务", gettext_lazy("Store and forward")),
    ("B24", "国内呼叫中心业务", gettext_lazy("Domestic call centre")),
    ("B25", "信息服务业务", gettext_lazy("Information services")),
    ("B26", "编码和规程转换业务", gettext_lazy("Code and protocol conversion")),
)
CATEGORY_NAMES = {code: chinese for code, chinese, _english in LICENCE_CATEGORIES}


def _category_label(code: str, chinese: str, english: str) -> str:
    # The catalogue's Chinese name is the legal one (what the details keep, approvals.details):
    # Chinese pages show it, others its English name.
    if (translation.get_language() or "").startswith("zh"):
        return f"{code} {chinese}"
    return f"{code} {english}"


category_label = lazy(_category_label, str)

CATEGORY_CHOICES = [
    (
        gettext_lazy("First-class value-added telecom services (B1)"),
        [(code, category_label(code, zh, en)) for code, zh, en in LICENCE_CATEGORIES if code.startswith("B1")],
    ),
    (
        gettext_lazy("Second-class value-added telecom services (B2)"),
        [(code, category_label(code, zh, en)) for code, zh, en in LICENCE_CATEGORIES if code.startswith("B2")],
    ),
]

NUMBER_TYPES = [
    ("sms_access_code", gettext_lazy("SMS service access code (1069…)")),
    ("call_centre", gettext_lazy("Call-centre number")),
    ("signalling_point", gettext_lazy("Signalling point code")),
    ("other", gettext_lazy("Other number resources")),
]

MAX_DOMAINS = 20
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(text: str) -> str | None:
    """``text`` as a domain name (lower case, without a scheme, path or port), or None if it is
    not one. Chinese domain names (中文域名) are accepted."""
    text = text.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0].split(":")[0].rstrip(".")
    try:
        encoded = text.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = encoded.split(".")
    if len(labels) < 2 or len(encoded) > 253 or labels[-1].isdigit():
        return None
    if not all(_DOMAIN_LABEL.match(label) for label in labels):
        return None
    return text


def filing_domains(details: dict | None) -> list:
    """The domain names a filing's stored details name: its ``domains``, or an older draft's
    single ``domain``."""
    details = details or {}
    domains = details.get("domains")
    if isinstance(domains, list):
        return domains
    return [details["domain"]] if details.get("domain") else []
