"""Large data sets for benchmarks and load tests, generated fast and in bulk.

Not demo data (that is ``seed_demo``, built through the workflow): rows are written directly so
that a million applications take a minute, not a day. Open applications get their clock columns
from the same ``workflow.refresh_clocks`` the workflow uses, so the sweep and the screens see
exactly what they would see in production.
"""

from __future__ import annotations

import json
import random
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from approvals import credit_code, workflow
from approvals.holidays import work_calendar
from approvals.models import (
    Application,
    Department,
    Organisation,
    OrganisationKind,
    Policy,
    Procedure,
    ProcedureRoute,
    Role,
    State,
    User,
)

BATCH = 5_000
PREFIX = {Procedure.TELECOM_LICENCE: "XK", Procedure.NUMBER_RESOURCE: "MH", Procedure.WEBSITE_FILING: "BA"}
CLOSED = {Procedure.TELECOM_LICENCE: State.SERVED, Procedure.NUMBER_RESOURCE: State.SERVED}


def empty_database() -> None:
    """Print which database the benchmark uses and bring it to the current schema, empty: a
    PostgreSQL database is flushed and migrated from zero (a scratch database only), a new SQLite
    file is migrated."""
    from django.core.management import call_command

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if connection.vendor == "postgresql":
        call_command("flush", "--no-input", verbosity=0)
        call_command("migrate", "approvals", "zero", verbosity=0)
    call_command("migrate", verbosity=0)


def people(organisations: int = 200, officers: int = 40, seed: int = 7) -> dict:
    """Departments, routes, officers, managers, enterprises with one user each, a provider."""
    rng = random.Random(seed)
    licensing = Department.objects.create(name="信息通信管理处")
    internet = Department.objects.create(name="互联网管理处")
    for procedure, department in (
        (Procedure.TELECOM_LICENCE, licensing),
        (Procedure.NUMBER_RESOURCE, licensing),
        (Procedure.WEBSITE_FILING, internet),
    ):
        ProcedureRoute.objects.create(procedure=procedure, department=department)
    password = "!"  # unusable: nobody signs in as these unless a load test sets one
    staff = []
    for i in range(officers):
        department = licensing if i % 3 else internet
        staff.append(
            User(
                username=f"officer{i:03d}",
                password=password,
                role=Role.OFFICER,
                department=department,
                name=f"承办人{i}",
            )
        )
    staff += [
        User(username="manager-licensing", password=password, role=Role.MANAGER, department=licensing),
        User(username="manager-internet", password=password, role=Role.MANAGER, department=internet),
    ]
    User.objects.bulk_create(staff)
    provider = Organisation.objects.create(
        name="中国电信股份有限公司安徽分公司",
        credit_code=credit_code.make(rng),
        kind=OrganisationKind.ACCESS_PROVIDER,
    )
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"安徽测试科技有限公司{i:04d}", credit_code=credit_code.make(rng))
            for i in range(organisations)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"enterprise{i:04d}", password=password, role=Role.ENTERPRISE, organisation=org)
            for i, org in enumerate(orgs)
        ]
    )
    return {
        "licensing": licensing,
        "internet": internet,
        "provider": provider,
        "orgs": orgs,
        "users": users,
        "officers": {
            licensing.pk: list(User.objects.filter(role=Role.OFFICER, department=licensing)),
            internet.pk: list(User.objects.filter(role=Role.OFFICER, department=internet)),
        },
    }


def _writer() -> tuple[str, list[tuple[str, object]]]:
    """An INSERT for every concrete column but the id, and how to turn each attribute into a
    parameter: the ORM's bulk_create spends most of its time compiling 44 columns per row."""
    fields = [f for f in Application._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(Application._meta.db_table)
    plan = []
    for field in fields:
        if field.get_internal_type() == "JSONField":
            plan.append((field.attname, json.dumps))
        elif field.get_internal_type() == "DateTimeField":
            plan.append((field.attname, connection.ops.adapt_datetimefield_value))
        else:
            plan.append((field.attname, None))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})", plan


def applications(
    total: int, open_: int, today: date, *, cast: dict, start: int = 0, seed: int = 11, due: int = 0, log=print
) -> None:
    """``total`` applications of which ``open_`` are open (under review, clocks running) and the
    rest closed; ``due`` of the open ones have a yellow alert due ``today``. Numbered from
    ``start``, so that several calls add to one data set."""
    rng = random.Random(seed + start)
    policies = {
        procedure: Policy.objects.in_force(procedure, today - timedelta(days=60)) for procedure in Procedure.values
    }
    calendar = work_calendar()
    started = time.monotonic()
    routes = {
        Procedure.TELECOM_LICENCE: cast["licensing"],
        Procedure.NUMBER_RESOURCE: cast["licensing"],
        Procedure.WEBSITE_FILING: cast["internet"],
    }
    officers = {pk: [o.pk for o in people] for pk, people in cast["officers"].items()}
    orgs = [org.pk for org in cast["orgs"]]
    applicants = [user.pk for user in cast["users"]]
    defaults = {
        field.attname: field.get_default() for field in Application._meta.concrete_fields if not field.primary_key
    }
    insert, plan = _writer()
    now = timezone.now()
    made = 0
    while made < total:
        rows = []
        for i in range(made, min(total, made + BATCH)):
            procedure = rng.choice(Procedure.values)
            org = rng.randrange(len(orgs))
            department = routes[procedure].pk
            filing = procedure == Procedure.WEBSITE_FILING
            is_open = i < open_
            if is_open:
                # Accepted in the last few days: nothing due yet. The first ``due`` were accepted
                # two working days before their due date (one for the licence's 26): yellow today.
                age = {Procedure.TELECOM_LICENCE: 25, Procedure.NUMBER_RESOURCE: 8}.get(procedure, 6)
                if i < due:
                    accepted = calendar.add_working_days(today, -age).date
                else:
                    accepted = today - timedelta(days=rng.randrange(0, 3))
            else:
                accepted = today - timedelta(days=rng.randrange(60, 1500))
            values = {
                **defaults,
                "procedure": procedure,
                "tracking_number": f"{PREFIX[procedure]}{accepted.year}{start + i:07d}",
                "query_code": "BENCH000",
                "organisation_id": orgs[org],
                "applicant_id": applicants[org],
                "provider_id": cast["provider"].pk if filing else None,
                "department_id": department,
                "officer_id": rng.choice(officers[department]),
                "policy_id": policies[procedure].pk,
                "subject": "基准测试申请",
                "state": (State.ARRIVED if filing else State.UNDER_REVIEW)
                if is_open
                else CLOSED.get(procedure, State.FILED),
                "created_at": now,
                "received_on": accepted,
                "accepted_on": None if filing else accepted,
                "arrived_on": accepted if filing else None,
                "decided_on": None if is_open else accepted + timedelta(days=20),
                "closed_on": None if is_open else accepted + timedelta(days=22),
                "last_action_on": accepted,
            }
            if is_open:
                # The clock columns exactly as the workflow computes them.
                app = Application(**{k: v for k, v in values.items() if k not in ("details",)})
                app.policy = policies[procedure]
                workflow.refresh_clocks(app, calendar)
                values.update({attname: getattr(app, attname) for attname, _conv in plan})
            else:
                # Closed: no clock runs; the promised due date stays for the reports.
                values["due_date"] = calendar.add_working_days(accepted, policies[procedure].promised_limit).date
            rows.append(tuple(conv(values[name]) if conv else values[name] for name, conv in plan))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
        made += len(rows)
        if made % 100_000 == 0 or made == total:
            log(f"  {made:>9,} applications ({time.monotonic() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE approvals_application" if connection.vendor == "postgresql" else "ANALYZE")
