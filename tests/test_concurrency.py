"""Real races on PostgreSQL: many threads, each on its own database connection, released at once.

The workflow locks the application row (SELECT ... FOR UPDATE) and then the audit chain's head:
of several conflicting transitions exactly one wins and the others are refused with a message
for the user, and parallel appends keep the hash chain whole. SQLite serialises every writer
(BEGIN IMMEDIATE), so these tests only mean something on PostgreSQL; CI runs them there.

The tests commit for real (``transaction=True``); ``serialized_rollback`` restores the migrations'
rows (the policies and the chain head) before each one, since the flush after a transactional
test removes them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import DatabaseError, connection
from django.utils import translation

from approvals import workflow
from approvals.audit import GENESIS, verify_chain
from approvals.models import (
    Application,
    AuditEvent,
    AuditHead,
    Document,
    DocumentCounter,
    ExtensionState,
    Notification,
    Procedure,
    SpecialProcedure,
    State,
    User,
)
from tests.cast import Cast

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises writers, so there is no race",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 20
RECEIVED = date(2026, 3, 2)  # a Monday; the 5 working days to accept run to 9 March
ACTED = date(2026, 3, 4)


@pytest.fixture
def cast(transactional_db, settings, tmp_path) -> Cast:
    """tests/conftest.py's cast, on committed data: uploads in a temporary folder, django-q2
    running tasks in-process (in whichever thread commits)."""
    from django_q.conf import Conf

    from tests.cast import make_cast
    from tests.conftest import restore_reference_data

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "uploads"
    restore_reference_data()
    assert AuditHead.objects.get(pk=1).last_hash == GENESIS, "the chain head was not restored"
    original = Conf.SYNC
    Conf.SYNC = True
    try:
        yield make_cast()
    finally:
        Conf.SYNC = original


@dataclass
class Outcome:
    result: object = None
    error: BaseException | None = None


def race(calls: list[Callable[[], object]]) -> list[Outcome]:
    """Run every call in its own thread with its own connection, all released by one barrier."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            with translation.override("en"):
                connection.ensure_connection()  # connect before the start, not during the race
                barrier.wait(timeout=30)
                outcomes[i].result = call()
        except BaseException as exc:  # noqa: BLE001 - every outcome is asserted on by the test
            outcomes[i].error = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), name=f"race-{i}") for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting: a deadlock?"
    return outcomes


def assert_chain_whole() -> int:
    verdict = verify_chain()
    assert verdict.ok, verdict
    head = AuditHead.objects.get(pk=1)
    total = AuditEvent.objects.count()
    assert verdict.checked == head.count == total
    assert AuditEvent.objects.values("hash").distinct().count() == total
    return total


# What each conflicting action does to an application in `received`.
TARGET = {
    "accept": State.UNDER_REVIEW,
    "refuse_to_accept": State.NOT_ACCEPTED,
    "request_correction": State.CORRECTION,
}


def conflicting(app_id: int, officer_id: int, i: int) -> tuple[str, Callable[[], Application]]:
    """Thread ``i``'s action on the application: one of three, each valid from `received` only."""
    name = list(TARGET)[i % len(TARGET)]

    def call() -> Application:
        officer = User.objects.get(pk=officer_id)
        if name == "accept":
            return workflow.accept(app_id, officer, on=ACTED)
        if name == "refuse_to_accept":
            return workflow.refuse_to_accept(app_id, officer, f"理由 {i}", on=ACTED)
        return workflow.request_correction(app_id, officer, f"补正 {i}", on=ACTED)

    return name, call


def test_conflicting_transitions_on_one_application_one_wins(cast: Cast) -> None:
    app = cast.received(on=RECEIVED)
    assert app.state == State.RECEIVED
    assert app.officer == cast.olga
    setup = list(AuditEvent.objects.filter(application=app).order_by("pk").values_list("action", flat=True))
    assert setup == ["created", "material_added", "submit"]
    events_before = assert_chain_whole()

    names, calls = zip(*(conflicting(app.pk, cast.olga.pk, i) for i in range(THREADS)), strict=True)
    outcomes = race(list(calls))

    winners = [i for i, outcome in enumerate(outcomes) if outcome.error is None]
    assert len(winners) == 1, [(names[i], repr(outcome.error)) for i, outcome in enumerate(outcomes)]
    (winner,) = winners
    action = names[winner]

    app.refresh_from_db()
    assert app.state == TARGET[action]
    assert outcomes[winner].result.state == app.state
    # The winner's own input is what was saved, not a mixture of several threads'.
    if action == "refuse_to_accept":
        assert app.outcome_reasons == f"理由 {winner}"
    if action == "request_correction":
        assert (app.correction_items, app.correction_notices) == (f"补正 {winner}", 1)
    if action == "accept":
        assert (app.accepted_on, app.policy_id is not None) == (ACTED, True)

    state_label = State(app.state).label
    for i, outcome in enumerate(outcomes):
        if i == winner:
            continue
        error = outcome.error
        assert isinstance(error, workflow.ActionInvalid | workflow.ConcurrentChange), repr(error)
        assert not isinstance(error, DatabaseError)
        assert error.__cause__ is None, repr(error.__cause__)
        if isinstance(error, workflow.ActionInvalid):
            label = workflow.ACTION_LABELS[names[i]]
            assert str(error) == f"You cannot {label} now: the application is “{state_label}”."
        else:  # it waited for the winner's lock (the usual loser: 409, saying what changed), or lost at save
            assert str(error).startswith(
                (
                    f"Someone else changed this application first: it is now “{state_label}”",
                    "Someone else changed this application at the same time",
                )
            ), str(error)

    events = list(AuditEvent.objects.filter(application=app).order_by("pk"))
    assert [event.action for event in events] == [*setup, action]
    last = events[-1]
    assert (last.from_state, last.to_state, last.actor_id, last.on) == (State.RECEIVED, app.state, cast.olga.pk, ACTED)
    assert assert_chain_whole() == events_before + 1
    # The winner's event was delivered (on commit, in its thread); the losers left nothing to deliver.
    assert Notification.objects.filter(event=last).exists()
    assert not AuditEvent.objects.filter(notified_at__isnull=True, application=app, action=action).exists()


def test_parallel_transitions_on_different_applications_keep_the_chain(cast: Cast) -> None:
    apps = [
        cast.received(procedure, on=RECEIVED)
        for procedure in (Procedure.TELECOM_LICENCE, Procedure.NUMBER_RESOURCE)
        for _ in range(THREADS // 2)
    ]
    events_before = assert_chain_whole()

    def action(i: int, app: Application) -> Callable[[], Application]:
        def call() -> Application:
            officer = User.objects.get(pk=app.officer_id)
            if i % 2:
                return workflow.request_correction(app.pk, officer, f"补正 {i}", on=ACTED)
            return workflow.accept(app.pk, officer, on=ACTED)

        return call

    outcomes = race([action(i, app) for i, app in enumerate(apps)])

    assert [repr(outcome.error) for outcome in outcomes if outcome.error] == []
    for i, app in enumerate(apps):
        app.refresh_from_db()
        expected = State.CORRECTION if i % 2 else State.UNDER_REVIEW
        assert app.state == expected
        last = AuditEvent.objects.filter(application=app).latest("pk")
        assert (last.action, last.to_state) == ("request_correction" if i % 2 else "accept", expected)
    assert assert_chain_whole() == events_before + THREADS


@pytest.mark.documents  # typeset and signed for real, twenty at once
def test_document_numbers_have_no_gap_or_duplicate_when_twenty_acts_race(cast: Cast) -> None:
    """Twenty acceptances at once, each on its own application: the acceptance notices take the
    serials 1 to 20 of the year, each once, and each act's event records its own document."""
    apps = [cast.received(Procedure.TELECOM_LICENCE, on=RECEIVED) for _ in range(THREADS)]

    def accept(app: Application) -> Callable[[], Application]:
        return lambda: workflow.accept(app.pk, User.objects.get(pk=app.officer_id), on=ACTED)

    outcomes = race([accept(app) for app in apps])

    assert [repr(outcome.error) for outcome in outcomes if outcome.error] == []
    documents = list(Document.objects.filter(kind="acceptance"))
    assert sorted(d.serial for d in documents) == list(range(1, THREADS + 1))
    assert len({d.number for d in documents}) == THREADS
    assert {d.application_id for d in documents} == {app.pk for app in apps}
    for document in documents:
        assert document.event.data["document"]["number"] == document.number
        assert document.event.application_id == document.application_id
    assert DocumentCounter.objects.get(kind="acceptance", year=ACTED.year).last == THREADS
    assert_chain_whole()


def test_two_machines_on_each_of_ten_applications_in_parallel(cast: Cast) -> None:
    """Two threads per application, on its two state machines (a special procedure and an
    extension request): the row lock serialises each pair, both succeed, and the chain holds."""
    apps = [cast.under_review(received=RECEIVED, accepted=date(2026, 3, 3)) for _ in range(THREADS // 2)]
    events_before = assert_chain_whole()

    def pause(app: Application) -> Callable[[], Application]:
        def call() -> Application:
            officer = User.objects.get(pk=app.officer_id)
            return workflow.start_special_procedure(
                app.pk,
                officer,
                kind="testing",
                basis="行政许可法 第四十五条",
                notice_date=ACTED,
                expected_end=date(2026, 3, 20),
                on=ACTED,
            )

        return call

    def extend(app: Application) -> Callable[[], Application]:
        def call() -> Application:
            officer = User.objects.get(pk=app.officer_id)
            return workflow.request_extension(app.pk, officer, 5, "案情复杂", on=ACTED)

        return call

    outcomes = race([make(app) for app in apps for make in (pause, extend)])

    assert [repr(outcome.error) for outcome in outcomes if outcome.error] == []
    for app in apps:
        app.refresh_from_db()
        assert (app.state, app.extension_state, app.extension_requested_days) == (
            State.PAUSED,
            ExtensionState.REQUESTED,
            5,
        )
        assert SpecialProcedure.objects.filter(application=app, ended_on__isnull=True).count() == 1
        last_two = AuditEvent.objects.filter(application=app).order_by("-pk")[:2]
        assert sorted(event.action for event in last_two) == ["request_extension", "start_special_procedure"]
    assert assert_chain_whole() == events_before + THREADS


def test_verifying_while_the_workflow_appends_raises_no_false_alarm(cast: Cast) -> None:
    """`verify_audit` runs on a live system: events appended during the walk are not tampering."""
    drafts = [cast.draft(on=RECEIVED) for _ in range(4)]
    assert_chain_whole()
    stop = threading.Event()
    false_alarms: list[object] = []

    def write(app: Application) -> Callable[[], int]:
        def call() -> int:
            alice = User.objects.get(pk=cast.alice.pk)
            n = 0
            while not stop.is_set():
                workflow.update_draft(app.pk, alice, subject=f"第二类增值电信业务 {n}")
                n += 1
            return n

        return call

    def check() -> int:
        try:
            deadline = time.monotonic() + 10
            n = 0
            while time.monotonic() < deadline and not false_alarms and n < 400:
                verdict = verify_chain(batch=50)
                if not verdict.ok:
                    false_alarms.append(verdict)
                n += 1
            return n
        finally:
            stop.set()

    outcomes = race([check, *(write(app) for app in drafts)])

    assert [repr(outcome.error) for outcome in outcomes if outcome.error] == []
    assert all(outcome.result > 0 for outcome in outcomes), [outcome.result for outcome in outcomes]
    assert_chain_whole()  # the chain itself was never broken
    assert false_alarms == []
