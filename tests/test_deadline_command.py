"""`python manage.py deadline`: the answers, the errors, and agreement with the reference."""

import json
import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.utils import translation

from approvals.models import Policy, Procedure
from tests import reference

D = date.fromisoformat


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(capsys, monkeypatch, *argv: str, language: str = "en") -> tuple[int, str, str]:
    """Run the command as the shell does (argument parsing, exit code, stdout and stderr)."""
    # run_from_argv closes the connections when it ends; the test's transaction must survive it.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        with translation.override(language):
            ManagementUtility(["manage.py", "deadline", *argv]).execute()
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def answer(*argv: str) -> dict:
    out = StringIO()
    call_command("deadline", *argv, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "due"),
    [
        (["website_filing", "2025-09-26"], "2025-10-14"),
        (["website_filing", "2026-02-12"], "2026-03-02"),
        (["telecom_licence", "2026-02-12"], "2026-03-26"),
        (["number_resource", "2025-04-30"], "2025-05-19"),
    ],
)
def test_it_prints_the_promised_due_date(capsys, monkeypatch, argv: list[str], due: str) -> None:
    assert run(capsys, monkeypatch, *argv) == (0, due + "\n", "")


@pytest.mark.django_db
def test_json_has_the_whole_answer() -> None:
    data = answer("telecom_licence", "2026-02-12", "--pause", "2026-02-20:2026-03-05", "--extend", "10")
    assert data["kind"] == "telecom_licence"
    assert (data["start"], data["limit"], data["unit"], data["extension"]) == ("2026-02-12", 26, "working_days", 10)
    assert data["pauses"] == [{"stop": "2026-02-20", "resume": "2026-03-05"}]
    assert data["policy_effective_from"] == "2021-05-14"
    # 13 Feb and the adjusted Sat 14 Feb count; 6 Mar onwards, 24 more, then 10 more.
    assert data["due"] == "2026-04-23"
    # The licence's 60 days count from receipt (here the same day) in calendar days, less the
    # 13 days paused: Sun 26 Apr, rolled to Mon 27 Apr, then 10 working days.
    assert (data["statutory_limit"], data["statutory_unit"]) == (60, "calendar_days")
    assert data["statutory_due"] == "2026-05-13"
    assert data["provisional"] is False and data["provisional_years"] == []
    assert [s["kind"] for s in data["segments"]] == ["counted", "paused", "counted", "extended"]
    assert [s["kind"] for s in data["statutory_segments"]] == ["counted", "paused", "counted", "rolled", "extended"]


@pytest.mark.django_db
def test_the_licence_statutory_clock_counts_from_receipt() -> None:
    data = answer("telecom_licence", "2026-03-09", "--received", "2026-03-02")
    assert data["statutory_start"] == "2026-03-02"
    assert data["statutory_due"] == "2026-05-06"  # 60 days: Fri 1 May, a holiday until Tue 5 May
    number = answer("number_resource", "2026-03-09", "--received", "2026-03-02")
    assert number["statutory_start"] == "2026-03-09", "20 working days count from acceptance"


@pytest.mark.django_db
def test_the_policy_in_force_on_the_start_day_applies() -> None:
    assert answer("number_resource", "2021-05-13")["limit"] == 20  # before the compressed limits
    assert answer("number_resource", "2021-05-14")["limit"] == 10
    Policy.objects.filter(procedure=Procedure.NUMBER_RESOURCE, effective_from=D("2021-05-14")).update(
        effective_from=D("2021-06-01")
    )
    assert answer("number_resource", "2021-05-14")["limit"] == 20, "an administrator corrected the date"


@pytest.mark.django_db
def test_a_provisional_due_date_says_so_with_its_range(capsys, monkeypatch) -> None:
    # DOMAIN's worked example: 8 working days from Thu 28 Jan 2027, across the unpublished Spring
    # Festival. Fri 5 and Mon 8 Feb are statutory (certain): the estimate is no earlier than 11 Feb.
    code, out, err = run(capsys, monkeypatch, "website_filing", "2027-01-28")
    data = answer("website_filing", "2027-01-28")
    assert (code, out) == (0, data["due"] + "\n") and data["due"] >= "2027-02-11"
    assert data["due_earliest"] < data["due"] < data["due_latest"]
    assert data["provisional"] is True and data["provisional_years"] == [2027]
    assert err == (
        "provisional: the holiday schedule for 2027 is not official yet; the date may fall between "
        f"{data['due_earliest']} and {data['due_latest']}\n"
    )
    # 26 working days from 20 Dec 2026 end in January 2027 on certain days: not provisional.
    certain = answer("telecom_licence", "2026-12-20")
    assert (certain["due"], certain["provisional"], certain["provisional_years"]) == ("2027-01-26", False, [])
    assert "due_earliest" not in certain and run(capsys, monkeypatch, "telecom_licence", "2026-12-20")[2] == ""


@pytest.mark.django_db
def test_messages_are_in_chinese_by_default(capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "website_filing", "2026-01-05", "--extend", "2", language="zh-hans")
    assert (code, out) == (1, "")
    assert err == "CommandError: 互联网网站备案不允许延期（自 2021-05-14 起施行的规定）\n"
    code, out, err = run(capsys, monkeypatch, "website_filing", "2027-01-28", language="zh-hans")
    data = answer("website_filing", "2027-01-28")
    assert (code, out) == (0, data["due"] + "\n")
    assert err == (
        f"暂定：2027 年的放假安排尚未正式公布；期限可能在 {data['due_earliest']} 至 {data['due_latest']} 之间\n"
    )


def policy(argv: list[str], message: str):
    """Input refused against the procedure's policy (read from the database); the rest is refused
    while the arguments are read, with no database."""
    return pytest.param(argv, message, marks=pytest.mark.django_db)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["parking_permit", "2026-01-05"], "unknown kind 'parking_permit'"),
        (["website_filing", "2026-02-30"], "START: '2026-02-30' is not a date in the form YYYY-MM-DD"),
        (["website_filing", "5 Jan 2026"], "START: '5 Jan 2026' is not a date"),
        policy(
            ["website_filing", "2026-01-05", "--pause", "2026-01-06:2026-01-08"],
            "Website filing (ICP) does not allow pauses",
        ),
        policy(["website_filing", "2026-01-05", "--extend", "2"], "Website filing (ICP) does not allow an extension"),
        policy(
            ["number_resource", "2026-01-05", "--extend", "11"],
            "more than Telecom number resources allows (at most 10)",
        ),
        policy(["number_resource", "2026-01-05", "--extend", "-1"], "an extension cannot be negative"),
        (["number_resource", "2026-01-05", "--extend", "ten"], "--extend 'ten': expected a whole number"),
        (["number_resource", "2026-01-05", "--pause", "2026-01-10"], "expected STOP:RESUME"),
        policy(["number_resource", "2026-01-05", "--pause", "2026-01-10:2026-01-08"], "resumes on 2026-01-08, before"),
        policy(["number_resource", "2026-01-05", "--pause", "2026-01-02:2026-01-08"], "before the clock starts"),
        policy(
            ["number_resource", "2026-01-05", "--pause", "2026-01-19:2026-01-21"],
            "not inside the running clock (it starts on 2026-01-05 and is due on 2026-01-19)",
        ),
        policy(
            ["number_resource", "2026-01-05", "--pause", "2026-01-07:2026-01-12", "--pause", "2026-01-09:2026-01-13"],
            "overlaps the previous one",
        ),
        (["number_resource", "2026-01-05", "--received", "2026-01-06"], "cannot be received (2026-01-06) after"),
        policy(["number_resource", "2003-06-30"], "no policy for Telecom number resources is in force on 2003-06-30"),
    ],
)
def test_bad_input_exits_non_zero_with_one_message_and_no_output(capsys, monkeypatch, argv, message: str) -> None:
    code, out, err = run(capsys, monkeypatch, *argv)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and message in err, err


# -- hundreds of cases against the day-by-day reference -------------------------------------


def cases(count: int, seed: int) -> list[tuple[str, date, list[tuple[date, date]], int]]:
    """Random applications across 2025-2026 (some due in 2027), each with valid pauses."""
    rng = random.Random(seed)
    ref = reference.official_2024_2026()
    limits = {"telecom_licence": 26, "number_resource": 10, "website_filing": 8}
    out = []
    for _ in range(count):
        kind = rng.choice(list(limits))
        if rng.random() < 0.2:  # one in five near the end of 2026, to reach into 2027
            start = D("2026-11-15") + timedelta(days=rng.randrange(47))
        else:
            start = D("2025-01-01") + timedelta(days=rng.randrange(730))
        extension = rng.choice([0, 0, 3, 10]) if kind != "website_filing" else 0
        pauses: list[tuple[date, date]] = []
        if kind != "website_filing":
            cursor = start
            for _ in range(rng.choice([0, 0, 1, 2])):
                due, _prov = reference.clock(ref, start, limits[kind], "working_days", pauses, extension)
                if cursor >= due:
                    break
                stop = cursor + timedelta(days=rng.randrange((due - cursor).days))
                resume = stop + timedelta(days=rng.randrange(0, 30))
                pauses.append((stop, resume))
                cursor = resume
        out.append((kind, start, pauses, extension))
    return out


def argv_of(kind: str, start: date, pauses: list[tuple[date, date]], extension: int) -> list[str]:
    argv = [kind, start.isoformat(), "--extend", str(extension)]
    for stop, resume in pauses:
        argv += ["--pause", f"{stop}:{resume}"]
    return argv


def expected(ref: reference.RefCalendar, kind: str, start: date, pauses, extension: int) -> dict:
    promised = {"telecom_licence": 26, "number_resource": 10, "website_filing": 8}[kind]
    statutory, unit = {"telecom_licence": (60, "calendar_days")}.get(kind, (20, "working_days"))
    due, provisional = reference.clock(ref, start, promised, "working_days", pauses, extension)
    statutory_due, statutory_provisional = reference.clock(
        ref, start, statutory, unit, pauses, extension, late="ignore"
    )
    return {
        "due": due.isoformat(),
        "provisional": provisional,
        "statutory_due": statutory_due.isoformat(),
        "statutory_provisional": statutory_provisional,
    }


def got(data: dict) -> dict:
    return {key: data[key] for key in ("due", "provisional", "statutory_due", "statutory_provisional")}


@pytest.mark.django_db
def test_it_agrees_with_the_reference_and_marks_2027_provisional_until_it_is_loaded() -> None:
    ref = reference.official_2024_2026()
    sample = cases(300, seed=20261128)
    reaching_2027 = provisional = 0
    for kind, start, pauses, extension in sample:
        data = answer(*argv_of(kind, start, pauses, extension))
        assert got(data) == expected(ref, kind, start, pauses, extension), (kind, start, pauses, extension)
        assert not data["provisional"] or data["due"] >= "2027-01-01", "only 2027 is unpublished"
        if data["provisional"]:
            assert data["due_earliest"] <= data["due"] <= data["due_latest"]
        reaching_2027 += data["due"] >= "2027-01-01"
        provisional += data["provisional"] or data["statutory_provisional"]
    assert reaching_2027 >= 30, "the sample must reach into 2027"
    assert provisional >= 10, "and some of it count uncertain days of 2027"

    call_command("import_calendar", str(reference.HOLIDAY_CN / "sample-2027.json"), stdout=StringIO())
    loaded = reference.RefCalendar.from_files(
        *(reference.HOLIDAY_CN / f"{y}.json" for y in (2024, 2025, 2026)), reference.HOLIDAY_CN / "sample-2027.json"
    )
    moved = late = 0
    for kind, start, pauses, extension in sample:
        try:
            want = expected(loaded, kind, start, pauses, extension)
        except reference.Invalid:
            # A due date that moved earlier can leave a pause after it: the command says so.
            with pytest.raises(CommandError, match="not inside the running clock"):
                answer(*argv_of(kind, start, pauses, extension))
            late += 1
            continue
        data = answer(*argv_of(kind, start, pauses, extension))
        assert got(data) == want, (kind, start, pauses, extension)
        assert data["provisional"] is False and data["statutory_provisional"] is False
        moved += data["due"] != expected(ref, kind, start, pauses, extension)["due"]
    assert moved >= 10, "the loaded schedule moves some due dates"
    assert late < 10


@pytest.mark.parametrize("raw", ["2027-W05-1", "2027-032", "20270201", "2027-2-1"])
def test_a_date_in_another_iso_form_is_refused(capsys, monkeypatch, raw: str) -> None:
    # date.fromisoformat takes ISO week, ordinal and compact dates: 2027-W05-1 is 1 Feb 2027.
    for argv in (["website_filing", raw], ["number_resource", "2027-01-04", "--pause", f"{raw}:2027-02-08"]):
        code, out, err = run(capsys, monkeypatch, *argv)
        assert (code, out) == (1, "") and "is not a date in the form YYYY-MM-DD" in err, argv


@pytest.mark.django_db
def test_the_api_refuses_an_iso_week_date_too(cast) -> None:
    from tests.api import api, error

    client = api(cast.alice)
    assert list(
        error(client.get("/api/deadline/", {"kind": "website_filing", "start": "2027-W05-1"}), 400)["fields"]
    ) == ["start"]
    query = {"kind": "number_resource", "start": "2027-01-04", "pause": "2027-W05-1:2027-02-08"}
    assert list(error(client.get("/api/deadline/", query), 400)["fields"]) == ["pause"]
