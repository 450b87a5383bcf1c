"""The hash-chained audit trail: a real history verifies, and every kind of tampering is caught at
the first bad event (approvals.audit.verify_chain and `python manage.py verify_audit`)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.utils import timezone, translation

from approvals import workflow
from approvals.audit import GENESIS, Verdict, digest, verify_chain
from approvals.holidays import read_schedule_text
from approvals.management.commands import verify_audit
from approvals.models import AuditEvent, AuditHead, CalendarJob, Document, Notification, Procedure
from approvals.workflow.calendar import confirm_job, make_job
from tests.cast import Cast
from tests.reference import HOLIDAY_CN

D = date.fromisoformat
CONTENT = "its content does not match its hash"
LINK = "its previous hash is not the hash of the event before it"
HEAD = "the newest events are missing (the chain head does not match)"
# Every column the hash covers, as stored (attnames), and the chain's own two.
ROW = ["application_id", "actor_id", "at", "on", "action", "from_state", "to_state", "note", "data"]
CHAIN = ["prev_hash", "hash"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def history(cast: Cast) -> list[AuditEvent]:
    """Three applications' lives: a licence granted and served, one corrected then accepted, a
    website filed. Returns every event, oldest first."""
    served = cast.under_review(received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.grant(served.pk, served.officer, reasons="材料齐全，符合条件", on=D("2026-03-20"))
    workflow.serve_certificate(served.pk, served.officer, "B2-20260001", on=D("2026-03-23"))

    corrected = cast.received(on=D("2026-03-02"))
    cast.corrected(corrected, asked=D("2026-03-03"), answered=D("2026-03-05"), items="补充营业执照副本", note="已补充")
    workflow.accept(corrected.pk, corrected.officer, on=D("2026-03-06"))

    filing = cast.under_review(Procedure.WEBSITE_FILING, received=D("2026-03-02"), accepted=D("2026-03-03"))
    workflow.file(filing.pk, filing.officer, "皖ICP备2026001234号", on=D("2026-03-10"))

    events = list(AuditEvent.objects.order_by("pk"))
    assert verify_chain() == Verdict(True, len(events))
    return events


def removed(events):
    """Delete audit rows as a tamperer would, with the documents that name them (their foreign
    key protects the events from an ordinary delete)."""
    Document.objects.filter(models.Q(event__in=events) | models.Q(recorded_in__in=events)).delete()
    return events.delete()


def first(events: list[AuditEvent], action: str) -> AuditEvent:
    return next(event for event in events if event.action == action)


def broken_at(events: list[AuditEvent], event: AuditEvent, reason: str) -> Verdict:
    """The verdict that names ``event`` as the first bad one, every event before it checked."""
    return Verdict(False, events.index(event), event.pk, reason)


def swap(a: AuditEvent, b: AuditEvent, fields: list[str]) -> None:
    """Exchange two stored rows' ``fields`` behind the model's back (hash is unique: via a stand-in)."""
    values_a = {field: getattr(a, field) for field in fields}
    values_b = {field: getattr(b, field) for field in fields}
    if "hash" in fields:
        AuditEvent.objects.filter(pk=b.pk).update(hash="-" * 64)
    AuditEvent.objects.filter(pk=a.pk).update(**values_b)
    AuditEvent.objects.filter(pk=b.pk).update(**values_a)


# -- a normal history -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_empty_trail_verifies() -> None:
    assert verify_chain() == Verdict(True, 0)


def test_a_workflow_history_verifies(history: list[AuditEvent]) -> None:
    head = AuditHead.objects.get(pk=1)
    assert (head.count, head.last_hash) == (len(history), history[-1].hash)
    assert history[0].prev_hash == GENESIS
    for before, event in pairwise(history):
        assert event.prev_hash == before.hash
        assert event.hash == digest(before.hash, event)
    # The walk reads in batches: a batch boundary changes nothing.
    for batch in (1, 2, 5, len(history), 10_000):
        assert verify_chain(batch=batch) == Verdict(True, len(history))
    assert {"created", "submit", "accept", "grant", "serve_certificate", "request_correction", "file"} <= {
        event.action for event in history
    }


def test_delivering_notifications_does_not_touch_the_chain(history: list[AuditEvent]) -> None:
    """notified_at is the outbox's mark, outside the hash: setting or clearing it is not tampering."""
    AuditEvent.objects.update(notified_at=timezone.now())
    assert verify_chain() == Verdict(True, len(history))
    AuditEvent.objects.update(notified_at=None)
    assert verify_chain() == Verdict(True, len(history))


# -- tampering --------------------------------------------------------------------------------


def test_editing_a_note_is_detected(history: list[AuditEvent]) -> None:
    notice = first(history, "request_correction")
    assert notice.note == "补充营业执照副本"
    assert AuditEvent.objects.filter(pk=notice.pk).update(note="补充营业执照副本、章程") == 1
    assert verify_chain() == broken_at(history, notice, CONTENT)


def test_changing_data_is_detected(history: list[AuditEvent]) -> None:
    served = first(history, "serve_certificate")
    assert served.data == {"certificate": "B2-20260001"}
    AuditEvent.objects.filter(pk=served.pk).update(data={"certificate": "B2-20269999"})
    assert verify_chain() == broken_at(history, served, CONTENT)


def test_adding_a_key_to_data_is_detected(history: list[AuditEvent]) -> None:
    granted = first(history, "grant")
    AuditEvent.objects.filter(pk=granted.pk).update(data={**granted.data, "approved_by": "someone"})
    assert verify_chain() == broken_at(history, granted, CONTENT)


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("actor_id", lambda event, cast: cast.root.pk),
        ("actor_id", lambda event, cast: None),  # "the system did it"
        ("application_id", lambda event, cast: first_other_application(event)),
        ("at", lambda event, cast: event.at + timedelta(microseconds=1)),
        ("on", lambda event, cast: event.on - timedelta(days=1)),
        ("action", lambda event, cast: "deny"),
        ("from_state", lambda event, cast: "paused"),
        ("to_state", lambda event, cast: "denied"),
        ("note", lambda event, cast: event.note + " "),
        ("data", lambda event, cast: {"reasons": "x"}),
    ],
)
def test_the_hash_covers_every_recorded_column(history: list[AuditEvent], cast: Cast, field: str, change) -> None:
    granted = first(history, "grant")
    value = change(granted, cast)
    assert value != getattr(granted, field)
    AuditEvent.objects.filter(pk=granted.pk).update(**{field: value})
    assert verify_chain() == broken_at(history, granted, CONTENT)


def first_other_application(event: AuditEvent) -> int:
    return AuditEvent.objects.exclude(application_id=event.application_id).values_list("application_id", flat=True)[0]


def test_the_digest_changes_with_each_covered_field(history: list[AuditEvent], cast: Cast) -> None:
    granted = first(history, "grant")
    prev = granted.prev_hash
    assert digest(prev, granted) == granted.hash
    assert digest(GENESIS, granted) != granted.hash  # the link to the previous event is covered too
    changes = {
        "application_id": first_other_application(granted),
        "actor_id": cast.root.pk,
        "at": granted.at + timedelta(microseconds=1),
        "on": granted.on + timedelta(days=1),
        "action": "deny",
        "from_state": "paused",
        "to_state": "denied",
        "note": "改过",
        "data": {"x": 1},
    }
    assert set(changes) == set(ROW)
    for field, value in changes.items():
        altered = AuditEvent.objects.get(pk=granted.pk)
        setattr(altered, field, value)
        assert digest(prev, altered) != granted.hash, field
    altered = AuditEvent.objects.get(pk=granted.pk)
    altered.notified_at = timezone.now()
    assert digest(prev, altered) == granted.hash


def test_rewriting_a_row_with_its_hash_breaks_the_next_link(history: list[AuditEvent]) -> None:
    """A forger who recomputes the edited row's hash still breaks the next event's link."""
    granted = first(history, "grant")
    forged = AuditEvent.objects.get(pk=granted.pk)
    forged.note = "伪造"
    AuditEvent.objects.filter(pk=granted.pk).update(note=forged.note, hash=digest(forged.prev_hash, forged))
    after = history[history.index(granted) + 1]
    assert verify_chain() == broken_at(history, after, LINK)


@pytest.mark.parametrize("how", ["queryset", "sql"])
def test_deleting_a_middle_row_is_detected(history: list[AuditEvent], how: str) -> None:
    middle = history[len(history) // 2]
    Notification.objects.filter(event=middle).delete()
    if how == "queryset":
        assert removed(AuditEvent.objects.filter(pk=middle.pk))[0] == 1
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [middle.pk])
            assert cursor.rowcount == 1
    after = history[history.index(middle) + 1]
    assert verify_chain() == Verdict(False, history.index(middle), after.pk, LINK)


def test_deleting_the_first_row_is_detected(history: list[AuditEvent]) -> None:
    removed(AuditEvent.objects.filter(pk=history[0].pk))
    assert verify_chain() == Verdict(False, 0, history[1].pk, LINK)


@pytest.mark.parametrize("n", [1, 3])
def test_deleting_the_newest_rows_is_detected_by_the_head(history: list[AuditEvent], n: int) -> None:
    removed(AuditEvent.objects.filter(pk__in=[event.pk for event in history[-n:]]))
    assert verify_chain() == Verdict(False, len(history) - n, None, HEAD)


def test_deleting_everything_is_detected_by_the_head(history: list[AuditEvent]) -> None:
    Notification.objects.all().delete()
    removed(AuditEvent.objects.all())
    assert verify_chain() == Verdict(False, 0, None, HEAD)


def test_the_model_refuses_to_delete_or_change_an_event(history: list[AuditEvent]) -> None:
    event = AuditEvent.objects.get(pk=first(history, "grant").pk)
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()
    event.note = "改过"
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never changed"):
        event.save(update_fields=["note"])
    assert AuditEvent.objects.get(pk=event.pk).note == first(history, "grant").note
    assert verify_chain() == Verdict(True, len(history))


@pytest.mark.parametrize("gap", [1, 4])
def test_swapping_two_rows_is_detected(history: list[AuditEvent], gap: int) -> None:
    """Two whole rows (content and hashes) change places: the history is in the wrong order."""
    a = first(history, "grant")
    b = history[history.index(a) + gap]
    swap(a, b, ROW + CHAIN)
    assert AuditEvent.objects.get(pk=a.pk).hash == b.hash
    assert verify_chain() == broken_at(history, a, LINK)


def test_swapping_two_rows_content_is_detected(history: list[AuditEvent]) -> None:
    """Only the content changes places, each row keeping its place in the chain."""
    a = first(history, "request_correction")
    b = first(history, "resubmit")
    swap(a, b, ROW)
    assert verify_chain() == broken_at(history, a, CONTENT)


def test_the_first_bad_row_is_named(history: list[AuditEvent]) -> None:
    early, late = history[3], history[-3]
    AuditEvent.objects.filter(pk=late.pk).update(note="后改")
    AuditEvent.objects.filter(pk=early.pk).update(on=early.on + timedelta(days=1))
    removed(AuditEvent.objects.filter(pk=history[-1].pk))
    for batch in (1, 2, 2000):
        assert verify_chain(batch=batch) == broken_at(history, early, CONTENT)


# -- python manage.py verify_audit -------------------------------------------------------------


def verify(*argv: str) -> str:
    out = StringIO()
    call_command("verify_audit", *argv, stdout=out, stderr=StringIO())
    return out.getvalue()


def run(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    """As from the shell: exit code, stdout and stderr."""
    # run_from_argv closes the connections when it ends; the test's transaction must survive it.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        ManagementUtility(["manage.py", "verify_audit", *argv]).execute()
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
def test_command_on_an_empty_trail() -> None:
    assert verify() == "audit chain OK: 0 events\ndocuments OK: 0 documents\n"


def test_command_says_the_chain_is_ok(history: list[AuditEvent]) -> None:
    ok = f"audit chain OK: {len(history)} events\ndocuments OK: {Document.objects.count()} documents\n"
    assert Document.objects.count() > 1
    assert verify() == ok
    assert verify("--batch", "1") == ok


def test_command_counts_one_event_in_the_singular(cast: Cast) -> None:
    workflow.create_application(cast.alice, Procedure.TELECOM_LICENCE, "呼叫中心业务", on=D("2026-03-02"))
    assert verify() == "audit chain OK: 1 event\ndocuments OK: 0 documents\n"


def test_command_names_the_first_bad_event(history: list[AuditEvent]) -> None:
    notice = first(history, "request_correction")
    AuditEvent.objects.filter(pk=notice.pk).update(note="篡改")
    with pytest.raises(CommandError) as raised:
        verify()
    good = history.index(notice)
    expected = f"audit chain broken at event {notice.pk} (the {good} events before it are good): {CONTENT}"
    assert str(raised.value) == expected


def test_command_reports_missing_newest_events(history: list[AuditEvent]) -> None:
    removed(AuditEvent.objects.filter(pk=history[-1].pk))
    with pytest.raises(CommandError) as raised:
        verify()
    assert str(raised.value) == f"audit chain broken after {len(history) - 1} good events: {HEAD}"


def test_command_exits_non_zero_with_the_reason_on_stderr(history: list[AuditEvent], capsys, monkeypatch) -> None:
    documents = f"documents OK: {Document.objects.count()} documents\n"
    assert run(capsys, monkeypatch) == (0, f"audit chain OK: {len(history)} events\n{documents}", "")
    middle = history[len(history) // 2]
    removed(AuditEvent.objects.filter(pk=middle.pk))
    code, out, err = run(capsys, monkeypatch)
    after = history[history.index(middle) + 1]
    assert (code, out) == (1, "")
    assert f"audit chain broken at event {after.pk} " in err
    assert LINK in err


def test_command_without_a_chain_head(history: list[AuditEvent]) -> None:
    AuditHead.objects.all().delete()
    with pytest.raises(CommandError, match="chain head is missing"):
        verify()


def test_command_refuses_a_bad_batch_size() -> None:  # before it reads a row: no database
    with pytest.raises(CommandError, match="--batch must be a positive number"):
        verify("--batch", "0")


def test_command_output_goes_through_gettext(history: list[AuditEvent], monkeypatch) -> None:
    """Every message is looked up in the catalogue (the reasons from approvals.audit too)."""
    monkeypatch.setattr(verify_audit, "_", lambda text: f"«{text}»")
    monkeypatch.setattr(verify_audit, "ngettext", lambda one, many, n: f"«{one if n == 1 else many}»")
    assert verify() == f"«audit chain OK: {len(history)} events»\n«documents OK: %(n)d documents»\n" % {
        "n": Document.objects.count()
    }
    AuditEvent.objects.filter(pk=history[2].pk).update(note="x")
    with pytest.raises(CommandError) as raised:
        verify()
    assert str(raised.value) == (
        f"«audit chain broken at event {history[2].pk} (the 2 events before it are good): «{CONTENT}»»"
    )
    document_reasons = {
        "the audit chain does not record it as it is",
        "its file is missing",
        "its file is not the one issued (its SHA-256 differs)",
    }
    assert set(verify_audit.REASONS) == {CONTENT, LINK, HEAD} | document_reasons


# -- a calendar upload's status changes -------------------------------------------------------


def job_events() -> list[tuple]:
    return list(
        AuditEvent.objects.filter(action__startswith="calendar_job_")
        .order_by("pk")
        .values_list("application_id", "actor_id", "action", "from_state", "to_state", "data")
    )


def a_job(cast: Cast) -> CalendarJob:
    text = (HOLIDAY_CN / "sample-2027.json").read_text(encoding="utf-8")
    return make_job(read_schedule_text(text, "2027.json"), text, "2027.json", cast.root)


def test_a_calendar_loads_status_changes_are_in_the_chain(cast: Cast, now) -> None:
    now(D("2026-12-20"))
    job = a_job(cast)
    assert job_events() == []  # a preview changes nothing
    assert confirm_job(job, cast.root) == "queued"  # django-q2 runs the task inline in tests
    job.refresh_from_db()
    assert job.status == CalendarJob.Status.DONE, job.result
    data = {"job": job.pk, "year": 2027}
    assert job_events() == [
        (None, cast.root.pk, "calendar_job_queued", "previewed", "queued", {**data, "status": "queued"}),
        (None, None, "calendar_job_running", "queued", "running", {**data, "status": "running"}),
        (None, None, "calendar_job_done", "running", "done", {**data, "status": "done"}),
    ]
    # Confirming again changes nothing and records nothing.
    assert confirm_job(job, cast.root) == "confirmed"
    assert len(job_events()) == 3
    assert verify_chain() == Verdict(True, AuditEvent.objects.count())


def test_a_job_given_back_and_a_stale_job_are_in_the_chain(cast: Cast, now, monkeypatch) -> None:
    import django_q.tasks

    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    now(D("2026-12-20"))
    job = a_job(cast)
    with monkeypatch.context() as patched:
        patched.setattr(django_q.tasks, "async_task", unreachable)
        assert confirm_job(job) == "unreachable"
    assert CalendarJob.objects.get(pk=job.pk).status == CalendarJob.Status.PREVIEWED
    assert [row[2:5] for row in job_events()] == [
        ("calendar_job_queued", "previewed", "queued"),
        ("calendar_job_previewed", "queued", "previewed"),
    ]
    # Another load came first: the task fails the job, and that is recorded too.
    CalendarJob.objects.filter(pk=job.pk).update(preview={**job.preview, "calendar": "another"})
    workflow.apply_calendar_job(job.pk)
    assert CalendarJob.objects.get(pk=job.pk).status == CalendarJob.Status.FAILED
    assert job_events()[-1][2:] == (
        "calendar_job_failed",
        "previewed",
        "failed",
        {"job": job.pk, "year": 2027, "status": "failed"},
    )
    # Tampering with a job's event is caught there.
    event = AuditEvent.objects.get(action="calendar_job_failed")
    AuditEvent.objects.filter(pk=event.pk).update(data={**event.data, "year": 2028})
    assert verify_chain().first_bad_id == event.pk


def test_a_job_status_moves_only_from_the_statuses_given(cast: Cast, now) -> None:
    now(D("2026-12-20"))
    job = a_job(cast)
    moved = workflow.set_calendar_job_status
    assert not moved(job.pk, CalendarJob.Status.PREVIEWED, only_from=[CalendarJob.Status.QUEUED])
    assert moved(job.pk, CalendarJob.Status.PREVIEWED)  # no change: nothing recorded
    assert job_events() == []
    assert moved(job.pk, CalendarJob.Status.RUNNING, done=3, total=9)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (CalendarJob.Status.RUNNING, 3, 9)
    assert len(job_events()) == 1
