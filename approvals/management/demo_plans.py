"""How seed_demo plans its applications: each one a list of (working days before the last working
day, catalogue action) steps, drawn from weighted scenarios (``SCENARIOS``, ``allocate``)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from approvals.management.demo_words import (
    CORRECTIONS,
    DENIALS,
    FILING,
    FILING_REFUSALS,
    MATERIALS,
    NUMBERS,
    REFUSALS_TO_ACCEPT,
    RESUME_NOTES,
    RETURNS,
    SPECIAL,
    TELECOM,
    WITHDRAWALS,
)
from approvals.models import (
    Organisation,
    User,
    VerificationMethod,
)

SPAN = 100  # working days back from the last working day: about five months
PROMISED = {TELECOM: 26, NUMBERS: 10, FILING: 8}  # the working days of the seeded policies
# A plan's steps are named by their actions' catalogue entries (approvals.catalogue); these two
# are both workflow.submit's: a filing goes to its access provider first.
SUBMISSIONS = ("submit", "submit_to_provider")


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
