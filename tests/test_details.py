"""An application's details: one validation per procedure (approvals.details), the same through
the enterprise forms and the API."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.utils import translation

from approvals import details, workflow
from approvals.models import Application, Procedure
from tests.api import act, api, error, ok
from tests.cast import DETAILS, Cast, browser, pdf

LICENCE, NUMBERS, FILING = Procedure.TELECOM_LICENCE, Procedure.NUMBER_RESOURCE, Procedure.WEBSITE_FILING
DOMAINS_21 = [f"site{i}.cn" for i in range(21)]


@pytest.fixture(autouse=True)
def english(now) -> None:
    now(date(2026, 3, 10))
    with translation.override("en"):
        yield


def refused(procedure: str, data: object, mode: str = details.DRAFT) -> dict[str, list[str]]:
    with pytest.raises(details.DetailsInvalid) as caught:
        details.clean(procedure, data, mode)
    return caught.value.errors


# -- each validator, draft and complete ---------------------------------------------------------


def test_a_licence_draft_and_a_complete_licence() -> None:
    assert details.clean(LICENCE, {}) == {}
    assert details.clean(LICENCE, {"categories": ["B25", "B11", "B25"], "coverage": " 安徽省 "}, details.COMPLETE) == {
        "categories": ["B11", "B25"],
        "business": "B11 互联网数据中心业务；B25 信息服务业务",
        "coverage": "安徽省",
    }
    assert refused(LICENCE, {"categories": ["B99"]}) == {
        "categories": ["Select a valid choice. B99 is not one of the available choices."]
    }
    assert refused(LICENCE, {"categories": [{"code": "B25"}]}) == {"categories": ["Enter a list of values."]}
    assert refused(LICENCE, {"coverage": "省" * 201}) == {
        "coverage": ["Ensure this value has at most 200 characters (it has 201)."]
    }
    assert refused(LICENCE, {"coverage": "安徽省"}, details.COMPLETE) == {
        "categories": ["Tick at least one business category."]
    }


def test_a_number_resource_draft_and_a_complete_one() -> None:
    assert details.clean(NUMBERS, {"quantity": "2"}) == {"quantity": 2}
    complete = {"number_type": "call_centre", "quantity": 3, "code": "1069 0551", "purpose": "客服热线"}
    assert details.clean(NUMBERS, complete, details.COMPLETE) == complete
    assert refused(NUMBERS, {"code": "<script>alert(1)</script>"}) == {
        "code": ["Write the numbers in digits, separated by commas or spaces."]
    }
    assert refused(NUMBERS, {"quantity": float("inf")}) == {"quantity": ["Numbers must be finite."]}
    assert refused(NUMBERS, {"quantity": float("nan")}) == {"quantity": ["Numbers must be finite."]}
    assert refused(NUMBERS, {"purpose": float("inf")}) == {"purpose": ["Numbers must be finite."]}
    assert refused(NUMBERS, {"quantity": 10_001}) == {"quantity": ["Ensure this value is less than or equal to 10000."]}
    assert refused(NUMBERS, {"quantity": True}) == {"quantity": ["Enter a whole number."]}
    assert refused(NUMBERS, {"number_type": "pager"}) == {
        "number_type": ["Select a valid choice. pager is not one of the available choices."]
    }
    assert refused(NUMBERS, {"purpose": {"a": {"b": 1}}}) == {"purpose": ["Enter text."]}
    assert refused(NUMBERS, {"quantity": 2}, details.COMPLETE) == {
        "number_type": ["Choose the type of number."],
        "purpose": ["This field is required."],
    }


def test_a_website_filing_draft_and_a_complete_one() -> None:
    assert details.clean(FILING, {"domains": ["HTTPS://Www.YunDuan.cn/", "yunduan.cn www.yunduan.cn"]}) == {
        "domains": ["www.yunduan.cn", "yunduan.cn"]
    }
    assert refused(FILING, {"domains": DOMAINS_21}) == {"domains": ["At most 20 domain names per filing."]}
    assert refused(FILING, {"domains": ["javascript:alert(1)"]}) == {
        "domains": ["Not a domain name: “javascript:alert(1)”. Write one domain per line, for example yunduan.cn."]
    }
    assert refused(FILING, {"domains": [["a.cn"]]}) == {"domains": ["Enter a list of values."]}
    assert refused(FILING, {"website": "官网", "homepage": "https://a.cn"}) == {
        "homepage": ["Not one of this procedure's details."]
    }
    assert refused(FILING, {"website": "官网"}, details.COMPLETE) == {"domains": ["This field is required."]}
    assert refused(FILING, ["a.cn"]) == {details.WHOLE: ["Give the details as an object."]}
    # An older filing's one domain: kept as it was in a draft, a domain name to submit.
    assert details.clean(FILING, {"website": "官网", "domain": "yunduan.cn"}, details.COMPLETE)
    assert "domain" in refused(FILING, {"website": "官网", "domain": "x"}, details.COMPLETE)


# -- one validator: the same message through the form and through the API ------------------------


def form_error(cast: Cast, procedure: str, post: dict) -> str:
    response = browser(cast.alice).post(f"/portal/new/{procedure}/", post)
    assert response.status_code == 400
    return html.unescape(response.content.decode())


def api_error(cast: Cast, procedure: str, data: dict) -> dict:
    body = {"procedure": procedure, "subject": "申请", "details": data}
    if procedure == FILING:
        body["provider"] = cast.telecom.pk
    return error(api(cast.alice).post("/api/applications/", body, format="json"), 400, "invalid")["fields"]


@pytest.mark.parametrize(
    ("procedure", "post", "data", "field", "message"),
    [
        (
            FILING,
            {"website": "官网", "domains": "\n".join(DOMAINS_21)},
            {"domains": DOMAINS_21},
            "domains",
            "At most 20 domain names per filing.",
        ),
        (
            FILING,
            {"website": "官网", "domains": "javascript:alert(1)"},
            {"domains": ["javascript:alert(1)"]},
            "domains",
            "Not a domain name: “javascript:alert(1)”. Write one domain per line, for example yunduan.cn.",
        ),
        (
            NUMBERS,
            {"number_type": "other", "quantity": "1", "code": "<script>", "purpose": "测试"},
            {"code": "<script>"},
            "code",
            "Write the numbers in digits, separated by commas or spaces.",
        ),
        (
            NUMBERS,
            {"number_type": "other", "quantity": "10001", "purpose": "测试"},
            {"quantity": 10001},
            "quantity",
            "Ensure this value is less than or equal to 10000.",
        ),
        (
            LICENCE,
            {"categories": ["B99"], "coverage": "安徽省"},
            {"categories": ["B99"]},
            "categories",
            "Select a valid choice. B99 is not one of the available choices.",
        ),
    ],
)
def test_the_same_bad_details_get_the_same_message_through_the_form_and_the_api(
    cast: Cast, procedure: str, post: dict, data: dict, field: str, message: str
) -> None:
    extra = {"provider": cast.telecom.pk, "subject": ""} if procedure == FILING else {"subject": "申请"}
    post = {**post, **extra}
    assert message in form_error(cast, procedure, post)
    assert api_error(cast, procedure, data) == {f"details.{field}": [message]}
    assert not Application.objects.exists()


def test_the_api_refuses_what_no_form_would_store(cast: Cast) -> None:
    raw = '{"procedure": "number_resource", "subject": "申请", "details": {"quantity": 1e999}}'
    answer = api(cast.alice).post("/api/applications/", raw, content_type="application/json")
    # The one JSON reader (approvals.inputs.read_json) refuses it before any field reads it.
    assert error(answer, 400, "parse_error")["message"] == "The JSON holds 1e999, a number too large to keep."
    assert api_error(cast, NUMBERS, {"purpose": {"deep": {"deeper": 1}}}) == {"details.purpose": ["Enter text."]}
    assert api_error(cast, LICENCE, {"script": "<script>"}) == {
        "details.script": ["Not one of this procedure's details."]
    }
    assert api_error(cast, FILING, {"domains": [f"d{i}.cn" for i in range(50_000)]}) == {
        "details.domains": ["At most 20 domain names per filing."]
    }


def test_the_api_stores_the_cleaned_details_and_checks_an_update_too(cast: Cast) -> None:
    alice = api(cast.alice)
    body = {"procedure": FILING, "subject": "官网", "provider": cast.telecom.pk, "details": {"domains": ["A.cn"]}}
    pk = ok(alice.post("/api/applications/", body, format="json"), 201)["id"]
    assert Application.objects.get(pk=pk).details == {"domains": ["a.cn"]}
    patch = {"subject": "官网", "details": {"domains": DOMAINS_21}}
    fields = error(alice.patch(f"/api/applications/{pk}/", patch, format="json"), 400, "invalid")["fields"]
    assert fields == {"details.domains": ["At most 20 domain names per filing."]}
    assert Application.objects.get(pk=pk).details == {"domains": ["a.cn"]}


def test_a_submission_checks_that_the_details_are_complete(cast: Cast) -> None:
    app = workflow.create_application(cast.alice, NUMBERS, "106 短信端口号", details={"quantity": 2})
    workflow.add_material(app.pk, cast.alice, pdf())
    with pytest.raises(workflow.ActionInvalid) as caught:
        workflow.submit(app.pk, cast.alice, complete=True)
    assert (str(caught.value), caught.value.field) == ("Choose the type of number.", "details.number_type")
    assert Application.objects.get(pk=app.pk).state == "draft"


@pytest.mark.parametrize("procedure", Procedure.values)
def test_every_cast_draft_has_complete_details_and_submits_as_the_screens_submit(cast: Cast, procedure: str) -> None:
    app = cast.draft(procedure)
    assert app.details == DETAILS[procedure]
    assert details.clean(procedure, app.details, details.COMPLETE) == app.details  # as a form stores them
    assert workflow.submit(app.pk, cast.alice, complete=True).state != "draft"


def test_the_pages_submit_button_shows_every_field_an_incomplete_draft_lacks(cast: Cast) -> None:
    app = workflow.create_application(cast.alice, NUMBERS, "106 短信端口号", details={"quantity": 2})
    workflow.add_material(app.pk, cast.alice, pdf())
    api_fields = error(act(api(cast.alice), app.pk, "submit"), 400)["fields"]
    response = browser(cast.alice, "en").post(f"/applications/{app.pk}/do/submit/")
    assert response.status_code == 400
    [form] = [entry["form"] for entry in response.context["actions"] if entry["name"] == "submit"]
    assert len(api_fields) > 1, api_fields
    assert form.non_field_errors() == [message for messages in api_fields.values() for message in messages]
    assert Application.objects.get(pk=app.pk).state == "draft"
