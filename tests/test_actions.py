"""Each action's body is validated once, by its form (approvals.actions), for the application's
page and the API alike: the same bad input gets the same field error through either, whether the
form refuses it (a blank, a length, a type, a date's format) or the workflow does (a rule of the
case: its policy, its dates, the filing number's form)."""

from __future__ import annotations

from datetime import date

import pytest

from approvals.models import Application, AuditEvent, Procedure
from tests.api import act, api, error, ok
from tests.cast import Cast, browser, pdf

D = date.fromisoformat


def through_the_page(user, app: Application, action: str, body: dict) -> dict[str, list[str]]:
    """The field errors the application's page shows for ``body`` posted to ``action``'s form."""
    response = browser(user).post(
        f"/applications/{app.pk}/do/{action}/", {f"{action}-{key}": value for key, value in body.items()}
    )
    assert response.status_code == 400, response.status_code
    [form] = [entry["form"] for entry in response.context["actions"] if entry["name"] == action]
    return {key: list(messages) for key, messages in form.errors.items()}


def through_the_api(user, app: Application, action: str, body: dict) -> dict[str, list[str]]:
    """The field errors the API answers ``body`` posted to ``action``'s endpoint with."""
    return error(act(api(user), app.pk, action, **body), 400)["fields"]


def same_through_both(user, app: Application, action: str, body: dict) -> dict[str, list[str]]:
    before = AuditEvent.objects.count()
    page = through_the_page(user, app, action, body)
    assert through_the_api(user, app, action, body) == page
    assert AuditEvent.objects.count() == before, "a refusal changes nothing"
    return page


REQUIRED = ["This field is required."]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"reasons": ""}, {"reasons": REQUIRED}, id="empty reasons"),
        pytest.param({"reasons": " \r\n "}, {"reasons": REQUIRED}, id="blank reasons"),
        pytest.param(
            {"reasons": "x" * 2001},
            {"reasons": ["Ensure this value has at most 2000 characters (it has 2001)."]},
            id="reasons too long",
        ),
    ],
)
def test_a_refusal_to_accept_states_its_reasons(cast: Cast, now, body: dict, fields: dict) -> None:
    now(D("2026-03-04"))
    app = cast.received(on=D("2026-03-02"))
    assert same_through_both(cast.olga, app, "refuse_to_accept", body) == fields


@pytest.mark.parametrize(
    ("days", "fields"),
    [
        pytest.param("0", {"days": ["An extension is 1 to 10 working days."]}, id="0 days: the form"),
        pytest.param("x", {"days": ["Enter a whole number."]}, id="not a number: the form"),
        # At most 10 (DOMAIN.md; the case's policy may allow fewer): the form says so, as the
        # workflow's own check does.
        pytest.param("11", {"days": ["An extension is 1 to 10 working days."]}, id="11 days: the form"),
        pytest.param("30", {"days": ["An extension is 1 to 10 working days."]}, id="30 days: the form"),
    ],
)
def test_an_extension_asks_for_days_the_policy_allows(cast: Cast, now, days: str, fields: dict) -> None:
    now(D("2026-03-05"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    assert same_through_both(cast.olga, app, "request_extension", {"days": days, "reason": "需实地核查"}) == fields


@pytest.mark.parametrize(
    ("number", "fields"),
    [
        pytest.param(
            "ICP-123",
            {
                "filing_number": [
                    "A filing number looks like 皖ICP备2026001234号 (province, ICP备, 8 to 10 digits, 号)."
                ]
            },
            id="not a filing number",
        ),
        pytest.param(
            "皖ICP备" + "1" * 40,
            {"filing_number": ["Ensure this value has at most 40 characters (it has 45)."]},
            id="too long",
        ),
        pytest.param("", {"filing_number": REQUIRED}, id="none"),
    ],
)
def test_a_filing_is_recorded_with_a_filing_number(cast: Cast, now, number: str, fields: dict) -> None:
    now(D("2026-03-05"))
    app = cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-03-02"), accepted=D("2026-03-03"))
    assert same_through_both(app.officer, app, "file", {"filing_number": number}) == fields


SPECIAL = {"kind": "expert_review", "basis": "《行政许可法》第四十五条", "notice_date": "2026-03-05"}
NOTICE = ["The written notice to the applicant must be dated between 2026-03-05 and today."]
BAD_DATE = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]


@pytest.mark.parametrize(
    ("notice", "end", "fields"),
    [
        pytest.param("2026-03-04", "2026-03-20", {"notice_date": NOTICE}, id="a notice dated before the procedure"),
        pytest.param("2026-03-06", "2026-03-20", {"notice_date": NOTICE}, id="a notice dated tomorrow"),
        pytest.param(
            "2026-03-05",
            "2026-03-04",
            {"expected_end": ["The expected end cannot be before the start."]},
            id="an end before the start",
        ),
        pytest.param("2026-02-30", "2026-03-20", {"notice_date": BAD_DATE}, id="no such day"),
        pytest.param("2026-03-05", "2026-W12-5", {"expected_end": BAD_DATE}, id="an ISO week date"),
    ],
)
def test_a_special_procedures_notice_is_dated_within_it(cast: Cast, now, notice: str, end: str, fields) -> None:
    now(D("2026-03-05"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    body = SPECIAL | {"notice_date": notice, "expected_end": end}
    assert same_through_both(cast.olga, app, "start_special_procedure", body) == fields


def test_a_special_procedure_is_of_a_kind_the_law_knows(cast: Cast, now) -> None:
    now(D("2026-03-05"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    body = SPECIAL | {"kind": "holiday", "expected_end": "2026-03-20"}
    fields = same_through_both(cast.olga, app, "start_special_procedure", body)
    assert fields == {"kind": ["Select a valid choice. holiday is not one of the available choices."]}


def test_a_case_is_reassigned_only_to_an_officer_of_its_department(cast: Cast, now) -> None:
    now(D("2026-03-05"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    fields = same_through_both(cast.mia, app, "reassign", {"officer": cast.fiona.pk})
    assert fields == {"officer": ["Select a valid choice. That choice is not one of the available choices."]}


# -- a submission: the draft's details complete, as the draft's form requires ------------------------


@pytest.mark.parametrize(
    ("procedure", "details", "typed", "missing"),
    [
        (Procedure.NUMBER_RESOURCE, {"quantity": 2}, {"quantity": "2"}, {"number_type", "purpose"}),
        (Procedure.TELECOM_LICENCE, {"coverage": "安徽省"}, {"coverage": "安徽省"}, {"categories"}),
        (Procedure.WEBSITE_FILING, {"domains": ["yunduan.cn"]}, {"domains": "yunduan.cn"}, {"website"}),
    ],
)
def test_an_incomplete_draft_is_not_submitted_through_the_api_with_the_forms_errors(
    cast: Cast, now, procedure: str, details: dict, typed: dict, missing: set[str]
) -> None:
    now(D("2026-03-02"))
    alice = api(cast.alice)
    body = {"procedure": procedure, "subject": "草稿", "details": details, "provider": cast.telecom.pk}
    pk = ok(alice.post("/api/applications/", body, format="json"), 201)["id"]  # a draft may be incomplete
    ok(alice.post(f"/api/applications/{pk}/materials/", {"file": pdf()}, format="multipart"), 201)
    action = "submit_to_provider" if procedure == Procedure.WEBSITE_FILING else "submit"
    refused = error(act(alice, pk, action), 400, "action_invalid")
    # The draft's page, sent to submit with the same details, shows the same messages on its fields.
    sent = {"subject": "草稿", "provider": cast.telecom.pk, **typed, "then": "submit"}
    page = browser(cast.alice).post(f"/portal/applications/{pk}/edit/", sent)
    assert page.status_code == 400
    form_errors = {f"details.{name}": list(found) for name, found in page.context["form"].errors.items()}
    assert refused["fields"] == form_errors
    assert set(form_errors) == {f"details.{name}" for name in missing}
    assert refused["message"] == next(iter(form_errors.values()))[0]
    assert Application.objects.get(pk=pk).state == "draft"


# -- what only a JSON body can hold -------------------------------------------------------------

UNSTORABLE = "Text may not contain null characters or unpaired surrogates."  # approvals.inputs.storable


@pytest.mark.parametrize(
    ("action", "body", "fields"),
    [
        ("refuse_to_accept", {"reasons": ["不属于本机关职权范围"]}, {"reasons": ["Enter text."]}),
        ("refuse_to_accept", {"reasons": {"text": "x"}}, {"reasons": ["Enter text."]}),
        ("refuse_to_accept", {"reasons": True}, {"reasons": ["Enter text."]}),
        ("refuse_to_accept", {"reasons": None}, {"reasons": REQUIRED}),
        ("refuse_to_accept", {"reasons": "a\x00"}, {"reasons": [UNSTORABLE]}),
        ("request_correction", {"items": 12}, None),  # a number is text enough: accepted, as its digits
    ],
)
def test_a_json_body_is_read_by_the_same_form(cast: Cast, now, action: str, body: dict, fields) -> None:
    now(D("2026-03-04"))
    app = cast.received(on=D("2026-03-02"))
    response = act(api(cast.olga), app.pk, action, **body)
    if fields is None:
        assert response.status_code == 200, response.content
        assert Application.objects.get(pk=app.pk).correction_items == "12"
        return
    assert error(response, 400, "invalid")["fields"] == fields


def test_an_unpaired_surrogate_is_refused_not_stored(cast: Cast, now) -> None:
    now(D("2026-03-04"))
    app = cast.received(on=D("2026-03-02"))
    path = f"/api/applications/{app.pk}/refuse-to-accept/"
    response = api(cast.olga).post(path, '{"reasons": "a\\ud800"}', content_type="application/json")
    assert error(response, 400, "invalid")["fields"] == {"reasons": [UNSTORABLE]}


def test_a_body_that_is_not_an_object_is_refused_as_a_whole(cast: Cast) -> None:
    app = cast.received()
    response = api(cast.olga).post(f"/api/applications/{app.pk}/accept/", [1, 2], format="json")
    assert error(response, 400, "invalid")["fields"] == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


def test_dates_and_officers_in_json_are_text_or_whole_numbers(cast: Cast, now) -> None:
    now(D("2026-03-05"))
    app = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    olga, mia = api(cast.olga), api(cast.mia)
    body = SPECIAL | {"notice_date": 20260305, "expected_end": "2026-03-20"}
    found = error(act(olga, app.pk, "start_special_procedure", **body), 400, "invalid")
    assert found["fields"] == {"notice_date": BAD_DATE}
    for officer in (True, 2.5, [cast.oscar.pk]):
        found = error(act(mia, app.pk, "reassign", officer=officer), 400, "invalid")
        assert found["fields"] == {
            "officer": ["Select a valid choice. That choice is not one of the available choices."]
        }, officer
    assert Application.objects.get(pk=app.pk).officer == cast.olga


@pytest.mark.parametrize(("language", "name"), [("en", "Request an extension"), ("zh-hans", "申请延期")])
def test_options_on_an_action_names_the_action_and_describes_it(cast: Cast, now, language: str, name: str) -> None:
    now(D("2026-03-04"))
    app = cast.received(on=D("2026-03-02"))
    answer = ok(api(cast.olga, language).options(f"/api/applications/{app.pk}/request-extension/"))
    assert answer["name"] == name
    assert "action_name" not in answer["description"] and "404" in answer["description"]


def test_a_text_longer_than_its_limit_as_sent_is_refused_even_if_stripping_would_shorten_it(db) -> None:
    # The schema's maxLength is of the text as sent: a no-break space before 2,000 characters is
    # 2,001 (the API fuzzing found one accepted).
    from approvals.actions import RequiredNote

    assert RequiredNote({"note": "*" * 2000}).is_valid()
    assert RequiredNote({"note": "*" * 1998 + "\r\n*"}).is_valid()  # a browser's line break is one character
    refused = RequiredNote({"note": "\xa0" + "*" * 2000})
    assert not refused.is_valid() and list(refused.errors) == ["note"]
