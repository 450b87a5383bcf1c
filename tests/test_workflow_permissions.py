"""Who may do what to an application, in every state of every procedure: a declarative matrix.

Each procedure's applications are brought to each state through ``approvals.workflow`` only,
once for the whole module, inside a transaction rolled back at its end. Every test runs in a
savepoint, and every attempt in a savepoint of its own, so that one success never leaks into the
next attempt.

The expected outcome of an action for a cast member follows from three declarations per state:

* who may see the application (the others get NotFound: its existence does not leak);
* which actions the state allows (the others are ActionInvalid for everyone who can see it);
* who performs each action (everyone else who can see it gets ActionDenied).

On top of the outcome, every cell checks that the screen's buttons (``available_actions``) show
exactly the actions that succeed, that a refused attempt changes nothing, and that a successful
one writes exactly one audit event by its actor.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django_fsm import has_transition_perm

from approvals import permissions, workflow
from approvals.models import (
    Application,
    AuditEvent,
    ExtensionState,
    Procedure,
    Role,
    SpecialProcedure,
    State,
    User,
)
from approvals.workflow import ActionDenied, ActionInvalid, NotFound
from tests.cast import Cast, make_cast, noon

LICENCE, NUMBERS, FILING = Procedure.TELECOM_LICENCE, Procedure.NUMBER_RESOURCE, Procedure.WEBSITE_FILING
LICENSING = (LICENCE, NUMBERS)  # the two procedures of the licensing department, one state machine
PROCEDURES = (LICENCE, NUMBERS, FILING)
CAST = ("alice", "bob", "olga", "oscar", "fiona", "mia", "max", "pat", "root")


def march(day: int) -> date:
    return date(2026, 3, day)


RECEIVED = march(2)  # a Monday; the 5 working days to accept run to Mon 9 March
ACCEPTANCE_DUE = march(9)

OK = "ok"
OUTCOME = {NotFound: "NotFound", ActionDenied: "ActionDenied", ActionInvalid: "ActionInvalid"}


# -- who is who, per procedure ------------------------------------------------------------------

#: The people a role stands for in each procedure. The licensing department's new cases go to
#: olga (the world below is built with oscar away); filings go to fiona, the internet officer.
TEAM = {
    LICENCE: {"applicant": "alice", "provider": None, "officer": "olga", "manager": "mia"},
    NUMBERS: {"applicant": "alice", "provider": None, "officer": "olga", "manager": "mia"},
    FILING: {"applicant": "alice", "provider": "pat", "officer": "fiona", "manager": "max"},
}

#: Who performs each action (a role of TEAM, or the administrator).
PERFORMED_BY = {
    "submit": {"applicant"},
    "submit_to_provider": {"applicant"},
    "resubmit": {"applicant"},
    "withdraw": {"applicant"},
    "return_to_applicant": {"provider"},
    "forward_to_administration": {"provider"},
    "accept": {"officer"},
    "refuse_to_accept": {"officer"},
    "request_correction": {"officer"},
    "start_special_procedure": {"officer"},
    "end_special_procedure": {"officer"},
    "request_extension": {"officer"},
    "grant": {"officer"},
    "deny": {"officer"},
    "serve_certificate": {"officer"},
    "file": {"officer"},
    "refuse_filing": {"officer"},
    "approve_extension": {"manager"},
    "reject_extension": {"manager"},
    "reassign": {"manager", "root"},
}


def performers(procedure: str, action: str) -> set[str]:
    team = {**TEAM[procedure], "root": "root"}
    return {team[role] for role in PERFORMED_BY[action]} - {None}


# Who may see an application at all.
APPLICANT_ONLY = frozenset({"alice", "root"})  # a draft: the department is not known yet
LICENSING_DEPARTMENT = frozenset({"alice", "olga", "oscar", "mia", "root"})
AT_THE_PROVIDER = frozenset({"alice", "pat", "root"})  # a filing the administration has not received
INTERNET_DEPARTMENT = frozenset({"alice", "pat", "fiona", "max", "root"})

# -- the states, and how to reach them ----------------------------------------------------------

Step = tuple[str, str, date]  # (action, role of TEAM, date)


@dataclass(frozen=True)
class Situation:
    key: str
    label: str  # for the test ids
    steps: tuple[Step, ...]  # after the draft is created on RECEIVED
    state: str
    seen_by: frozenset[str]
    allows: frozenset[str]
    #: actions the state allows but the date does not (after the acceptance period): the actor's
    #: attempt is ActionInvalid, everybody else is still ActionDenied.
    too_late: frozenset[str] = frozenset()
    extension: str = ExtensionState.NONE
    on: date | None = None  # the day of the attempts; the day after the last step by default

    @property
    def day(self) -> date:
        return self.on or (max((d for _a, _r, d in self.steps), default=RECEIVED) + timedelta(days=1))


def actions(*names: str) -> frozenset[str]:
    return frozenset(names)


SUBMIT = (("submit", "applicant", RECEIVED),)
ACCEPT = (*SUBMIT, ("accept", "officer", march(3)))
CORRECTION = (*SUBMIT, ("request_correction", "officer", march(3)))
PAUSE = (*ACCEPT, ("start_special_procedure", "officer", march(4)))
ASK_EXTENSION = (*ACCEPT, ("request_extension", "officer", march(4)))
ACCEPTANCE_STEP = actions("accept", "refuse_to_accept", "request_correction", "withdraw", "reassign")
REVIEW = actions("start_special_procedure", "grant", "deny", "withdraw", "reassign")

LICENSING_SITUATIONS = (
    Situation("draft", "a draft", (), State.DRAFT, APPLICANT_ONLY, actions("submit", "withdraw")),
    Situation("received", "received", SUBMIT, State.RECEIVED, LICENSING_DEPARTMENT, ACCEPTANCE_STEP),
    Situation(
        "received_late",
        "received, 5 working days passed",
        SUBMIT,
        State.RECEIVED,
        LICENSING_DEPARTMENT,
        actions("accept", "withdraw", "reassign"),
        too_late=actions("refuse_to_accept", "request_correction"),
        on=ACCEPTANCE_DUE + timedelta(days=1),
    ),
    Situation(
        "correction",
        "awaiting corrections",
        CORRECTION,
        State.CORRECTION,
        LICENSING_DEPARTMENT,
        actions("resubmit", "withdraw", "reassign"),
    ),
    Situation(
        "corrected",
        "received again after corrections",
        (*CORRECTION, ("resubmit", "applicant", march(4))),
        State.RECEIVED,
        LICENSING_DEPARTMENT,
        ACCEPTANCE_STEP,
    ),
    Situation(
        "under_review",
        "under review",
        ACCEPT,
        State.UNDER_REVIEW,
        LICENSING_DEPARTMENT,
        REVIEW | {"request_extension"},
    ),
    Situation(
        "extension_requested",
        "under review, extension requested",
        ASK_EXTENSION,
        State.UNDER_REVIEW,
        LICENSING_DEPARTMENT,
        REVIEW | {"approve_extension", "reject_extension"},
        extension=ExtensionState.REQUESTED,
    ),
    Situation(
        "extension_approved",
        "under review, extension approved",
        (*ASK_EXTENSION, ("approve_extension", "manager", march(5))),
        State.UNDER_REVIEW,
        LICENSING_DEPARTMENT,
        REVIEW,  # one extension only: no second request
        extension=ExtensionState.APPROVED,
    ),
    Situation(
        "extension_rejected",
        "under review, extension rejected",
        (*ASK_EXTENSION, ("reject_extension", "manager", march(5))),
        State.UNDER_REVIEW,
        LICENSING_DEPARTMENT,
        REVIEW | {"request_extension"},  # a rejected request is no extension: the officer may ask again
        extension=ExtensionState.REJECTED,
    ),
    Situation(
        "paused",
        "paused for a special procedure",
        PAUSE,
        State.PAUSED,
        LICENSING_DEPARTMENT,
        actions("end_special_procedure", "request_extension", "withdraw", "reassign"),
    ),
    Situation(
        "paused_extension_requested",
        "paused, extension requested",
        (*PAUSE, ("request_extension", "officer", march(5))),
        State.PAUSED,
        LICENSING_DEPARTMENT,
        actions("end_special_procedure", "approve_extension", "reject_extension", "withdraw", "reassign"),
        extension=ExtensionState.REQUESTED,
    ),
    Situation(
        "granted",
        "granted",
        (*ACCEPT, ("grant", "officer", march(4))),
        State.GRANTED,
        LICENSING_DEPARTMENT,
        actions("serve_certificate", "reassign"),
    ),
    Situation(
        "served",
        "served",
        (*ACCEPT, ("grant", "officer", march(4)), ("serve_certificate", "officer", march(5))),
        State.SERVED,
        LICENSING_DEPARTMENT,
        actions(),
    ),
    Situation(
        "denied", "denied", (*ACCEPT, ("deny", "officer", march(4))), State.DENIED, LICENSING_DEPARTMENT, actions()
    ),
    Situation(
        "not_accepted",
        "not accepted",
        (*SUBMIT, ("refuse_to_accept", "officer", march(3))),
        State.NOT_ACCEPTED,
        LICENSING_DEPARTMENT,
        actions(),
    ),
    Situation(
        "withdrawn",
        "withdrawn",
        (*SUBMIT, ("withdraw", "applicant", march(3))),
        State.WITHDRAWN,
        LICENSING_DEPARTMENT,
        actions(),
    ),
)

TO_PROVIDER = (("submit_to_provider", "applicant", RECEIVED),)
ARRIVE = (*TO_PROVIDER, ("forward_to_administration", "provider", march(3)))

FILING_SITUATIONS = (
    Situation("draft", "a draft", (), State.DRAFT, APPLICANT_ONLY, actions("submit_to_provider", "withdraw")),
    Situation(
        "provider_review",
        "with the access provider",
        TO_PROVIDER,
        State.PROVIDER_REVIEW,
        AT_THE_PROVIDER,
        actions("return_to_applicant", "forward_to_administration", "withdraw"),
    ),
    Situation(
        "returned",
        "returned to the applicant",
        (*TO_PROVIDER, ("return_to_applicant", "provider", march(3))),
        State.DRAFT,
        APPLICANT_ONLY,
        actions("submit_to_provider", "withdraw"),
    ),
    Situation(
        "arrived",
        "arrived at the administration",
        ARRIVE,
        State.ARRIVED,
        INTERNET_DEPARTMENT,
        actions("file", "refuse_filing", "reassign"),  # no withdrawal once it has arrived
    ),
    Situation("filed", "filed", (*ARRIVE, ("file", "officer", march(4))), State.FILED, INTERNET_DEPARTMENT, actions()),
    Situation(
        "filing_refused",
        "refused",
        (*ARRIVE, ("refuse_filing", "officer", march(4))),
        State.FILING_REFUSED,
        INTERNET_DEPARTMENT,
        actions(),
    ),
    Situation(
        "withdrawn",
        "withdrawn at the provider",
        (*TO_PROVIDER, ("withdraw", "applicant", march(3))),
        State.WITHDRAWN,
        AT_THE_PROVIDER,
        actions(),
    ),
)

#: Built too, but outside the matrix: for the dedicated tests below.
EXTRA_FILING_SITUATIONS = (
    Situation(
        "withdrawn_as_draft",
        "withdrawn before it was sent",
        (("withdraw", "applicant", RECEIVED),),
        State.WITHDRAWN,
        APPLICANT_ONLY,
        actions(),
    ),
)

SITUATIONS = {LICENCE: LICENSING_SITUATIONS, NUMBERS: LICENSING_SITUATIONS, FILING: FILING_SITUATIONS}
ALL_ACTIONS = tuple(PERFORMED_BY)


def actions_of(procedure: str) -> tuple[str, ...]:
    """Every action tried on a procedure: all of them, the submit being the procedure's own."""
    other_submit = "submit" if procedure == FILING else "submit_to_provider"
    return tuple(a for a in ALL_ACTIONS if a != other_submit)


def expected(procedure: str, situation: Situation, action: str, name: str) -> str:
    if name not in situation.seen_by:
        return "NotFound"
    may = name in performers(procedure, action)
    if action == "reassign":
        # workflow.reassign asks who before when: someone who may never reassign is denied,
        # whatever the state (see the questions in the report).
        if not may:
            return "ActionDenied"
        return OK if action in situation.allows else "ActionInvalid"
    if action not in situation.allows | situation.too_late:
        return "ActionInvalid"
    if not may:
        return "ActionDenied"
    return "ActionInvalid" if action in situation.too_late else OK


# -- doing things -------------------------------------------------------------------------------

_numbers = itertools.count(2026000001)


def _file(world: World, pk: int, actor: User, on: date) -> Application:
    return workflow.file(pk, actor, f"皖ICP备{next(_numbers)}号", on=on)


PERFORM: dict[str, Callable[[World, int, User, date], object]] = {
    "submit": lambda w, pk, u, on: workflow.submit(pk, u, on=on),
    "submit_to_provider": lambda w, pk, u, on: workflow.submit(pk, u, on=on),
    "resubmit": lambda w, pk, u, on: workflow.resubmit(pk, u, note="已补正", on=on),
    "withdraw": lambda w, pk, u, on: workflow.withdraw(pk, u, "业务调整，不再申请", on=on),
    "return_to_applicant": lambda w, pk, u, on: workflow.return_to_applicant(pk, u, "域名未实名认证", on=on),
    "forward_to_administration": lambda w, pk, u, on: workflow.forward_to_administration(
        pk, u, method="face", verified_at=noon(on) - timedelta(hours=2), reference="FACE-20260302", on=on
    ),
    "accept": lambda w, pk, u, on: workflow.accept(pk, u, on=on),
    "refuse_to_accept": lambda w, pk, u, on: workflow.refuse_to_accept(pk, u, "不属于本机关职权范围", on=on),
    "request_correction": lambda w, pk, u, on: workflow.request_correction(pk, u, "补充营业执照副本", on=on),
    "start_special_procedure": lambda w, pk, u, on: workflow.start_special_procedure(
        pk,
        u,
        kind="expert_review",
        basis="行政许可法 第四十五条",
        notice_date=on,
        expected_end=on + timedelta(days=14),
        on=on,
    ),
    "end_special_procedure": lambda w, pk, u, on: workflow.end_special_procedure(pk, u, note="评审结束", on=on),
    "request_extension": lambda w, pk, u, on: workflow.request_extension(pk, u, 5, "需实地核查", on=on),
    "approve_extension": lambda w, pk, u, on: workflow.approve_extension(pk, u, on=on),
    "reject_extension": lambda w, pk, u, on: workflow.reject_extension(pk, u, "理由不充分", on=on),
    "grant": lambda w, pk, u, on: workflow.grant(pk, u, reasons="符合条件", on=on),
    "deny": lambda w, pk, u, on: workflow.deny(pk, u, "不符合条件", "可申请行政复议或提起行政诉讼", on=on),
    "serve_certificate": lambda w, pk, u, on: workflow.serve_certificate(pk, u, "B2-20260001", on=on),
    "file": _file,
    "refuse_filing": lambda w, pk, u, on: workflow.refuse_filing(pk, u, "主体信息不一致", on=on),
    "reassign": lambda w, pk, u, on: workflow.reassign(pk, u, w.colleague(pk).pk, note="休假"),
}
assert set(PERFORM) == set(PERFORMED_BY)


@dataclass
class World:
    cast: Cast
    felix: User  # a second internet officer, so that a filing can be reassigned
    apps: dict[tuple[str, str], int] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return getattr(self.cast, name)

    def app(self, procedure: str, key: str) -> Application:
        return Application.objects.select_related("policy").get(pk=self.apps[procedure, key])

    def colleague(self, pk: int) -> User:
        """The officer a manager hands the case to: the handler's colleague."""
        app = Application.objects.get(pk=pk)
        return self.felix if app.procedure == FILING else self.cast.oscar


@contextmanager
def uploads_in(folder) -> Iterator[None]:
    with override_settings(PRIVATE_MEDIA_ROOT=folder):
        yield


def build(world: World, procedure: str, situation: Situation) -> int:
    app = world.cast.draft(procedure, on=RECEIVED)
    team = TEAM[procedure]
    for action, role, on in situation.steps:
        PERFORM[action](world, app.pk, world.user(team[role]), on)
    app.refresh_from_db()
    assert (app.state, app.extension_state) == (situation.state, situation.extension), situation.key
    return app.pk


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, uploads_in(tmp_path_factory.mktemp("uploads")), transaction.atomic():
        cast = make_cast()
        # Oscar is away while the cases arrive, so that every licensing case is olga's; a case
        # goes to the officer with the fewest open cases.
        User.objects.filter(pk=cast.oscar.pk).update(is_active=False)
        world = World(cast, felix=cast.fiona)
        for procedure in PROCEDURES:
            extra = EXTRA_FILING_SITUATIONS if procedure == FILING else ()
            for situation in (*SITUATIONS[procedure], *extra):
                world.apps[procedure, situation.key] = build(world, procedure, situation)
        User.objects.filter(pk=cast.oscar.pk).update(is_active=True)
        world.felix = User.objects.create_user("felix", role=Role.OFFICER, department=cast.internet, name="Felix")
        yield world
        transaction.set_rollback(True)


# -- trying -------------------------------------------------------------------------------------


FOOTPRINT = f"""
    SELECT a.*,
        (SELECT COUNT(*) FROM {SpecialProcedure._meta.db_table} p WHERE p.application_id = a.id),
        (SELECT COUNT(*) FROM {AuditEvent._meta.db_table}),
        (SELECT MAX(id) FROM {AuditEvent._meta.db_table})
    FROM {Application._meta.db_table} a WHERE a.id = %s
"""


def footprint(pk: int) -> tuple:
    """Everything an attempt could leave behind: the application's row, its special procedures,
    the audit trail. (Raw SQL: the attempts are many, and the ORM's compiler is the slow part.)"""
    with connection.cursor() as cursor:
        cursor.execute(FOOTPRINT, [pk])
        return cursor.fetchone()


@dataclass
class Attempt:
    outcome: str
    button: bool  # the action was among available_actions before the attempt
    side_effects: str  # "" when the attempt left the database as it should


class Trial:
    """One action on one application, tried by each cast member in turn from the same start: a
    success is rolled back before the next attempt."""

    def __init__(self, world: World, pk: int, action: str, on: date) -> None:
        self.world, self.pk, self.action, self.on = world, pk, action, on
        self.app = Application.objects.select_related("policy").get(pk=pk)
        self.before = footprint(pk)
        self.last_event = self.before[-1] or 0
        self.event = "submit_to_provider" if action == "submit" and self.app.procedure == FILING else action

    def by(self, user: User) -> Attempt:
        button = self.action in workflow.available_actions(self.app, user)
        with transaction.atomic():
            try:
                PERFORM[self.action](self.world, self.pk, user, self.on)
            except (NotFound, ActionDenied, ActionInvalid) as error:
                outcome = OUTCOME[type(error)]
                side_effects = "" if footprint(self.pk) == self.before else "changed something"
            else:
                outcome = OK
                new = list(
                    AuditEvent.objects.filter(pk__gt=self.last_event).values_list("application", "action", "actor")
                )
                side_effects = "" if new == [(self.pk, self.event, user.pk)] else f"wrote {new}"
            transaction.set_rollback(True)
        return Attempt(outcome, button, side_effects)


def who(names: list[str]) -> str:
    if not names:
        return "nobody"
    if len(names) == 1:
        return f"only {names[0]}"
    return ", ".join(names[:-1]) + " and " + names[-1]


# -- the matrix ---------------------------------------------------------------------------------


def matrix() -> Iterator:
    for procedure in PROCEDURES:
        for situation in SITUATIONS[procedure]:
            for action in actions_of(procedure):
                can = [name for name in CAST if expected(procedure, situation, action, name) == OK]
                sentence = f"{procedure} {situation.label}: {who(can)} may {action}"
                yield pytest.param(procedure, situation, action, id=sentence)


@pytest.mark.parametrize(("procedure", "situation", "action"), list(matrix()))
def test_who_may(db, world: World, now, procedure: str, situation: Situation, action: str) -> None:
    now(situation.day)
    trial = Trial(world, world.apps[procedure, situation.key], action, situation.day)
    tried = {name: trial.by(world.user(name)) for name in CAST}

    assert {name: a.outcome for name, a in tried.items()} == {
        name: expected(procedure, situation, action, name) for name in CAST
    }
    # The buttons and the rules never disagree.
    assert {name: a.button for name, a in tried.items()} == {name: a.outcome == OK for name, a in tried.items()}
    # A refusal changes nothing; a success is one audit event, by its actor.
    assert {name: a.side_effects for name, a in tried.items() if a.side_effects} == {}


def buttons() -> Iterator:
    for procedure in PROCEDURES:
        for situation in SITUATIONS[procedure]:
            for name in CAST:
                sentence = f"{procedure} {situation.label}: {name} sees exactly the buttons {name} may use"
                yield pytest.param(procedure, situation, name, id=sentence)


@pytest.mark.parametrize(("procedure", "situation", "name"), list(buttons()))
def test_available_actions(db, world: World, now, procedure: str, situation: Situation, name: str) -> None:
    now(situation.day)
    app = world.app(procedure, situation.key)
    user = world.user(name)
    shown = workflow.available_actions(app, user)
    assert len(shown) == len(set(shown))
    assert set(shown) == {a for a in actions_of(procedure) if expected(procedure, situation, a, name) == OK}
    # The lists' query agrees with the detail page's rule, and with the matrix.
    listed = Application.objects.visible_to(user).filter(pk=app.pk).exists()
    assert listed == permissions.can_view(app, user) == (name in situation.seen_by)


# -- the rules around the matrix ------------------------------------------------------------------


def situation_of(procedure: str, key: str) -> Situation:
    return next(s for s in (*SITUATIONS[procedure], *EXTRA_FILING_SITUATIONS) if s.key == key)


def events(app: Application, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(application=app, action=action).order_by("pk"))


@pytest.mark.parametrize("procedure", LICENSING)
def test_a_second_correction_notice_is_allowed_and_flagged(db, world: World, now, procedure: str) -> None:
    app = world.app(procedure, "corrected")
    assert (app.correction_notices, app.repeated_correction) == (1, False)
    assert [e.data["notice"] for e in events(app, "request_correction")] == [1]
    assert all("repeated" not in e.data for e in events(app, "request_correction"))
    now(march(5))

    workflow.request_correction(app.pk, world.cast.olga, "营业执照副本仍不清晰", on=march(5))

    app.refresh_from_db()
    assert (app.state, app.correction_notices, app.repeated_correction) == (State.CORRECTION, 2, True)
    assert [(e.data["notice"], e.data.get("repeated")) for e in events(app, "request_correction")] == [
        (1, None),
        (2, True),
    ]


def test_nobody_may_deem_an_application_accepted(db, world: World) -> None:
    """Deemed acceptance is the system's: no user has the permission, no screen shows it."""
    for procedure, key in world.apps:
        app = world.app(procedure, key)
        for name in CAST:
            user = world.user(name)
            assert not has_transition_perm(app.deem_accepted, user), (procedure, key, name)
            assert "deem_accepted" not in workflow.available_actions(app, user), (procedure, key, name)


@pytest.mark.parametrize("procedure", LICENSING)
@pytest.mark.parametrize(
    ("key", "start", "due"),
    [("received", RECEIVED, ACCEPTANCE_DUE), ("corrected", march(4), march(11))],
    ids=["from the receipt", "from the corrections"],
)
def test_the_system_deems_an_application_accepted_only_after_5_working_days(
    db, world: World, procedure: str, key: str, start: date, due: date
) -> None:
    app = world.app(procedure, key)
    assert app.acceptance_due == due
    before = footprint(app.pk)

    with pytest.raises(ActionInvalid):
        workflow.deem_accepted(app.pk, on=due)
    assert footprint(app.pk) == before

    workflow.deem_accepted(app.pk, on=due + timedelta(days=1))
    app.refresh_from_db()
    assert (app.state, app.deemed_accepted, app.accepted_on) == (State.UNDER_REVIEW, True, start)
    [event] = events(app, "deem_accepted")
    assert (event.actor_id, event.on) == (None, due + timedelta(days=1))


@pytest.mark.parametrize(
    ("procedure", "key"),
    [
        pytest.param(LICENCE, "correction", id="not a licence awaiting corrections"),
        pytest.param(LICENCE, "under_review", id="not a licence under review"),
        pytest.param(NUMBERS, "paused", id="not a paused number application"),
        pytest.param(LICENCE, "withdrawn", id="not a withdrawn licence"),
        pytest.param(FILING, "arrived", id="not a website filing"),
    ],
)
def test_only_a_received_application_can_be_deemed_accepted(db, world: World, procedure: str, key: str) -> None:
    pk = world.apps[procedure, key]
    before = footprint(pk)
    with pytest.raises(ActionInvalid):
        workflow.deem_accepted(pk, on=march(20))
    assert footprint(pk) == before


@pytest.mark.parametrize("procedure", LICENSING)
@pytest.mark.parametrize("action", ["request_correction", "refuse_to_accept"])
@pytest.mark.parametrize(
    ("day", "outcome"),
    [
        pytest.param(ACCEPTANCE_DUE, OK, id="on the 5th working day olga still may"),
        pytest.param(ACCEPTANCE_DUE + timedelta(days=1), "ActionInvalid", id="the day after olga may not"),
    ],
)
def test_the_officer_has_5_working_days_to_ask_for_corrections_or_refuse(
    db, world: World, now, procedure: str, action: str, day: date, outcome: str
) -> None:
    now(day)
    trial = Trial(world, world.apps[procedure, "received"], action, day)
    attempt = trial.by(world.cast.olga)
    assert (attempt.outcome, attempt.side_effects) == (outcome, "")


@pytest.mark.parametrize("procedure", LICENSING)
@pytest.mark.parametrize(
    ("days", "allowed"),
    [
        pytest.param(0, False, id="0 days is refused"),
        pytest.param(1, True, id="1 day is possible"),
        pytest.param(10, True, id="10 days is possible"),
        pytest.param(11, False, id="11 days is refused"),
    ],
)
def test_an_extension_is_1_to_10_working_days(db, world: World, now, procedure: str, days: int, allowed: bool) -> None:
    now(march(4))
    app = world.app(procedure, "under_review")
    assert app.policy.max_extension == 10
    olga = world.cast.olga
    before = footprint(app.pk)

    if not allowed:
        with pytest.raises(ActionInvalid) as refused:
            workflow.request_extension(app.pk, olga, days, "需实地核查", on=march(4))
        assert refused.value.field == "days"
        assert footprint(app.pk) == before
        return
    world.cast.extended(app, days, asked=march(4), reason="需实地核查")
    app.refresh_from_db()
    assert (app.extension_state, app.extension_days) == (ExtensionState.APPROVED, days)


@pytest.mark.parametrize("procedure", LICENSING)
def test_there_is_no_second_extension_after_one_was_approved(db, world: World, now, procedure: str) -> None:
    now(march(6))
    app = world.app(procedure, "extension_approved")
    olga = world.cast.olga
    assert "request_extension" not in workflow.available_actions(app, olga)
    before = footprint(app.pk)
    with pytest.raises(ActionInvalid):
        workflow.request_extension(app.pk, olga, 3, "再次延期", on=march(6))
    assert footprint(app.pk) == before
    # Not even after a special procedure.
    world.cast.paused(app, kind="site_check", basis="行政许可法 第四十五条", on=march(6), until=march(13))
    with pytest.raises(ActionInvalid):
        workflow.request_extension(app.pk, olga, 3, "再次延期", on=march(6))


NOT_FOR_FILINGS = ("accept", "request_correction", "resubmit", "start_special_procedure", "request_extension")


def test_website_filings_have_no_pause_extension_or_correction(db, world: World, now) -> None:
    app = world.app(FILING, "arrived")
    assert (app.policy.pauses_allowed, app.policy.max_extension) == (False, 0)
    for situation in FILING_SITUATIONS:
        app = world.app(FILING, situation.key)
        for name in CAST:
            shown = set(workflow.available_actions(app, world.user(name)))
            assert not shown & set(NOT_FOR_FILINGS), (situation.key, name)
    now(march(4))
    for action in NOT_FOR_FILINGS:
        attempt = Trial(world, world.apps[FILING, "arrived"], action, march(4)).by(world.cast.fiona)
        assert (action, attempt.outcome, attempt.side_effects) == (action, "ActionInvalid", "")


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        pytest.param("draft", True, id="alice may withdraw a draft"),
        pytest.param("provider_review", True, id="alice may withdraw it at the provider"),
        pytest.param("returned", True, id="alice may withdraw it when the provider returned it"),
        pytest.param("arrived", False, id="alice may not withdraw it once it arrived"),
        pytest.param("filed", False, id="alice may not withdraw it once filed"),
        pytest.param("filing_refused", False, id="alice may not withdraw it once refused"),
    ],
)
def test_a_filing_may_be_withdrawn_only_before_it_reaches_the_administration(
    db, world: World, now, key: str, allowed: bool
) -> None:
    situation = situation_of(FILING, key)
    now(situation.day)
    attempt = Trial(world, world.apps[FILING, key], "withdraw", situation.day).by(world.cast.alice)
    assert (attempt.outcome, attempt.button, attempt.side_effects) == (
        (OK, True, "") if allowed else ("ActionInvalid", False, "")
    )


def test_a_reassigned_case_is_the_new_officers_to_act_on(db, world: World, now) -> None:
    now(march(3))
    cast = world.cast
    app = world.app(LICENCE, "received")
    assert app.officer == cast.olga

    workflow.reassign(app.pk, cast.mia, cast.oscar.pk, note="olga 休假")

    app = world.app(LICENCE, "received")
    assert "accept" in workflow.available_actions(app, cast.oscar)
    assert "accept" not in workflow.available_actions(app, cast.olga)
    with pytest.raises(ActionDenied):
        workflow.accept(app.pk, cast.olga, on=march(3))
    workflow.accept(app.pk, cast.oscar, on=march(3))


def test_the_provider_never_sees_a_filing_withdrawn_before_it_was_sent(db, world: World, now) -> None:
    now(march(3))
    app = world.app(FILING, "withdrawn_as_draft")
    pat = world.cast.pat
    assert not Application.objects.visible_to(pat).filter(pk=app.pk).exists()
    assert not permissions.can_view(app, pat)
    with pytest.raises(NotFound):
        workflow.withdraw(app.pk, pat, "再次撤回", on=march(3))


@pytest.mark.parametrize("procedure", LICENSING)
def test_a_late_acceptance_counts_from_the_receipt_day(db, world: World, now, procedure: str) -> None:
    late = ACCEPTANCE_DUE + timedelta(days=3)
    now(late)
    app = workflow.accept(world.apps[procedure, "received"], world.cast.olga, on=late)
    assert (app.state, app.accepted_on, app.deemed_accepted) == (State.UNDER_REVIEW, RECEIVED, True)
