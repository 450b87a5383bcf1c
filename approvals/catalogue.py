"""The action catalogue: every audited action once, with what each reader needs to know of it.

One entry per action (and per audited event that is not a transition: an alert, a moved due date,
a rating, an appointment): its name; the state machine it belongs to (``state`` or ``extension``,
None for an event that is not a transition); its verb (a button, an error: "accept") and its past
tense (a timeline, a notification: "Accepted"); who hears of it; whether it is emailed; whether
the public lookup shows it; whether it is a decision that ends a case; and the form that takes its
input on the screens and in the API (a class of ``approvals.actions``, the action's one validator);
and the written act it issues (``document``: a kind of ``approvals.documents``).
Labels (``labels.ACTIONS``, ``workflow.ACTION_LABELS``), notifications (``AUDIENCE``, ``EMAILED``),
the public timeline (``PUBLIC_ACTIONS``), the screens' buttons and forms (``actions.ACTIONS``) and
the API's action endpoints (``approvals.api.urls.ACTION_ROUTES``: an entry with a form is
``POST /api/applications/{id}/<name>/``, its name dashed: ``/refuse-to-accept/``) all read it;
tests/test_catalogue.py fails when a ``@transition`` has no entry or an entry names no transition.

No Django import: the labels are English msgids marked for translation (``_`` only marks them,
as ``gettext_noop`` does); readers translate them with ``gettext`` when they show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ADMINS", "APPLICANT", "ENTRIES", "MANAGERS", "OFFICER", "PROVIDER", "Entry", "entry"]

# Who is told: the applicant's organisation, the case officer, the department's managers, the
# access provider, the administrators.
APPLICANT, OFFICER, MANAGERS, PROVIDER, ADMINS = "applicant", "officer", "managers", "provider", "admins"

Machine = Literal["state", "extension"]


def _(message: str) -> str:
    """Marks a msgid for translation (makemessages finds it); readers call gettext on it."""
    return message


@dataclass(frozen=True)
class Entry:
    name: str
    past: str  # the msgid of what happened: "Accepted"
    verb: str = ""  # the msgid of what one does: "accept" ("" for an event nobody takes)
    machine: Machine | None = None  # the state machine whose transition it is
    audience: frozenset[str] = frozenset()
    emailed: bool = False
    public: bool = False  # the public lookup (/track/) shows it, without who or why
    decision: bool = False  # a decision that ends the case
    form: str = ""  # its approvals.actions class ("": no screen action, no API endpoint)
    style: str = ""  # "danger" for the irreversible ones
    document: str = ""  # the written act it issues (a models.DocumentKind; approvals.documents)


def _e(name: str, past: str, verb: str = "", machine: Machine | None = None, *, told=(), **kw) -> Entry:
    return Entry(name, past, verb, machine, frozenset(told), **kw)


ENTRIES: tuple[Entry, ...] = (
    # -- drafts -------------------------------------------------------------------------------
    _e("created", _("Draft created")),
    _e("updated", _("Draft updated"), _("edit the draft")),
    _e("material_added", _("Material added"), _("add a material")),
    _e("material_removed", _("Material removed")),
    # -- the application's state machine --------------------------------------------------------
    _e("submit", _("Submitted"), _("submit"), "state", told={OFFICER}, public=True, form="Empty"),
    _e(
        "submit_to_provider",
        _("Sent to the access provider"),
        _("submit"),
        "state",
        told={PROVIDER},
        public=True,
        form="Empty",
    ),
    _e(
        "return_to_applicant",
        _("Returned by the access provider"),
        _("return to the applicant"),
        "state",
        told={APPLICANT},
        form="Reasons",
    ),
    _e(
        "forward_to_administration",
        _("Reached the administration"),
        _("forward to the administration"),
        "state",
        told={APPLICANT, OFFICER},
        public=True,
        form="Forward",
    ),
    _e(
        "accept",
        _("Accepted"),
        _("accept"),
        "state",
        told={APPLICANT},
        public=True,
        form="Empty",
        document="acceptance",
    ),
    _e(
        "deem_accepted",
        _("Deemed accepted (no answer within 5 working days)"),
        _("deem accepted"),
        "state",
        told={APPLICANT, OFFICER, MANAGERS},
        emailed=True,
        public=True,
        document="acceptance",
    ),
    _e(
        "refuse_to_accept",
        _("Not accepted"),
        _("refuse to accept"),
        "state",
        told={APPLICANT},
        emailed=True,
        public=True,
        decision=True,
        form="Reasons",
        style="danger",
        document="non_acceptance",
    ),
    _e(
        "request_correction",
        _("Correction notice sent"),
        _("send a correction notice"),
        "state",
        told={APPLICANT},
        emailed=True,
        public=True,
        form="Correction",
        document="correction",
    ),
    _e(
        "resubmit",
        _("Corrections submitted"),
        _("submit corrections"),
        "state",
        told={OFFICER},
        public=True,
        form="Resubmit",
    ),
    _e(
        "start_special_procedure",
        _("Special procedure started: clock paused"),
        _("start a special procedure"),
        "state",
        told={APPLICANT},
        public=True,
        form="SpecialProcedure",
        document="special_procedure",
    ),
    _e(
        "end_special_procedure",
        _("Special procedure ended: clock running"),
        _("end the special procedure"),
        "state",
        told={APPLICANT},
        public=True,
        form="Note",
    ),
    _e(
        "grant",
        _("Granted"),
        _("grant"),
        "state",
        told={APPLICANT},
        emailed=True,
        public=True,
        decision=True,
        form="Grant",
        document="grant",
    ),
    _e(
        "deny",
        _("Denied"),
        _("deny"),
        "state",
        told={APPLICANT},
        emailed=True,
        public=True,
        decision=True,
        form="Deny",
        style="danger",
        document="denial",
    ),
    _e(
        "serve_certificate",
        _("Certificate served"),
        _("record the certificate as served"),
        "state",
        told={APPLICANT},
        public=True,
        form="Serve",
    ),
    _e(
        "file",
        _("Filed"),
        _("record the filing"),
        "state",
        told={APPLICANT, PROVIDER},
        emailed=True,
        public=True,
        decision=True,
        form="File",
        document="filing",
    ),
    _e(
        "refuse_filing",
        _("Filing refused"),
        _("refuse the filing"),
        "state",
        told={APPLICANT, PROVIDER},
        emailed=True,
        public=True,
        decision=True,
        form="Reasons",
        style="danger",
        document="filing_refusal",
    ),
    _e(
        "withdraw", _("Withdrawn"), _("withdraw"), "state", told={OFFICER}, public=True, form="Withdraw", style="danger"
    ),
    # -- the extension's state machine ------------------------------------------------------------
    _e(
        "request_extension",
        _("Extension requested"),
        _("request an extension"),
        "extension",
        told={MANAGERS},
        emailed=True,
        form="Extension",
    ),
    _e(
        "approve_extension",
        _("Extension approved"),
        _("approve the extension"),
        "extension",
        told={APPLICANT, OFFICER},
        public=True,
        form="Note",
        document="extension",
    ),
    _e(
        "reject_extension",
        _("Extension rejected"),
        _("reject the extension"),
        "extension",
        told={OFFICER},
        form="RequiredNote",
    ),
    # -- other audited events -------------------------------------------------------------------
    _e("reassign", _("Reassigned"), _("reassign"), told={OFFICER}, form="Reassign"),
    _e(
        "due_date_moved", _("Due date moved by a calendar change"), told={APPLICANT, OFFICER}, emailed=True, public=True
    ),
    _e("alert", _("Deadline alert"), emailed=True),  # its audience is the level's (notifications.ALERT_AUDIENCE)
    _e("digest", "", emailed=True),  # the morning digest: a notification, not an audited event
    # a document owed by an act recorded before documents were, issued later (issue_documents)
    _e("document_issued", _("Document issued")),
    _e("rated", _("Service rated"), _("rate the service")),
    _e("rated_bad", _("Bad rating: follow up within 15 working days"), told={MANAGERS}, emailed=True),
    _e("rating_followed_up", _("Bad rating followed up"), _("follow up the rating")),
    _e("appointment_requested", _("Appointment requested"), emailed=True),
    _e("appointment_confirmed", _("Appointment confirmed"), emailed=True),
    _e("appointment_declined", _("Appointment declined"), emailed=True),
    _e("appointment_cancelled", _("Appointment cancelled")),
    # -- a calendar upload's background load (no application) ----------------------------------
    _e("calendar_job_previewed", _("Calendar upload back to preview")),
    _e("calendar_job_queued", _("Calendar upload queued")),
    _e("calendar_job_running", _("Calendar upload running")),
    _e("calendar_job_done", _("Calendar upload applied")),
    _e("calendar_job_failed", _("Calendar upload failed")),
)

_BY_NAME = {e.name: e for e in ENTRIES}


def entry(name: str) -> Entry:
    """The entry of ``name``; KeyError for an action the catalogue does not know."""
    return _BY_NAME[name]
