"""The approvals domain's data, one module a part (each module's docstring says what it holds):

- ``policies``: the three procedures and their limits;
- ``people``: organisations, departments, routes, users;
- ``states``: the states, the clocks' kinds and stored columns, the level rule's constants;
- ``applications``: applications and their state machines, the level rule in SQL;
- ``case_files``: special procedures, materials, the tracking-number sequence;
- ``events``: the audit trail, notifications, alerts, digests;
- ``documents``: the written acts issued as numbered, signed PDFs, and their counters;
- ``services``: ratings and appointments;
- ``calendar``: loaded schedules, calendar uploads, calendar feeds.

Every name is importable from ``approvals.models`` as before; Django finds the models here.
"""

from __future__ import annotations

from approvals.models.applications import (
    PROVISIONAL,
    RATEABLE,
    Application,
    ApplicationQuerySet,
)
from approvals.models.calendar import (
    CalendarDay,
    CalendarFeed,
    CalendarJob,
    CalendarYear,
    DayKind,
)
from approvals.models.case_files import (
    Material,
    PrivateStorage,
    SpecialProcedure,
    SpecialProcedureKind,
    TrackingSequence,
    material_path,
    private_storage,
)
from approvals.models.documents import Document, DocumentCounter, DocumentKind
from approvals.models.events import (
    Alert,
    AlertClock,
    AlertLevel,
    AuditEvent,
    AuditHead,
    Digest,
    KeptVersion,
    Notification,
)
from approvals.models.figures import MonthTally
from approvals.models.people import (
    Department,
    Organisation,
    OrganisationKind,
    ProcedureRoute,
    User,
    UserManager,
    validate_credit_code,
)
from approvals.models.policies import (
    MAX_EXTENSION_DAYS,
    LimitUnit,
    Policy,
    PolicyQuerySet,
    Procedure,
)
from approvals.models.services import (
    RATING_BAD_AT_MOST,
    RATING_FOLLOW_UP_DAYS,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Rating,
    RatingLevel,
)
from approvals.models.states import (
    CLOCK_COLUMNS,
    CLOCK_DUE_COLUMNS,
    CLOSED_STATES,
    LEVEL_COLUMNS,
    LEVEL_RULE,
    OPEN_STATES,
    RUNNING_DUE,
    URGENCY_ORDER,
    VERIFICATION_FIELDS,
    WAITING_CLOCK,
    ClockKind,
    ExtensionState,
    State,
    VerificationMethod,
)
from approvals.roles import Role  # re-exported: callers import it with the models

__all__ = [
    "CLOCK_COLUMNS",
    "CLOCK_DUE_COLUMNS",
    "CLOSED_STATES",
    "LEVEL_COLUMNS",
    "LEVEL_RULE",
    "MAX_EXTENSION_DAYS",
    "OPEN_STATES",
    "PROVISIONAL",
    "RATEABLE",
    "RATING_BAD_AT_MOST",
    "RATING_FOLLOW_UP_DAYS",
    "RUNNING_DUE",
    "URGENCY_ORDER",
    "VERIFICATION_FIELDS",
    "WAITING_CLOCK",
    "Alert",
    "AlertClock",
    "AlertLevel",
    "Application",
    "ApplicationQuerySet",
    "Appointment",
    "AppointmentKind",
    "AppointmentStatus",
    "AuditEvent",
    "AuditHead",
    "CalendarDay",
    "CalendarFeed",
    "CalendarJob",
    "CalendarYear",
    "ClockKind",
    "DayKind",
    "Department",
    "Digest",
    "Document",
    "DocumentCounter",
    "DocumentKind",
    "ExtensionState",
    "KeptVersion",
    "LimitUnit",
    "Material",
    "MonthTally",
    "Notification",
    "Organisation",
    "OrganisationKind",
    "Policy",
    "PolicyQuerySet",
    "PrivateStorage",
    "Procedure",
    "ProcedureRoute",
    "Rating",
    "RatingLevel",
    "Role",
    "SpecialProcedure",
    "SpecialProcedureKind",
    "State",
    "TrackingSequence",
    "User",
    "UserManager",
    "VerificationMethod",
    "material_path",
    "private_storage",
    "validate_credit_code",
]
