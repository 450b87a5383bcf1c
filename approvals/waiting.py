"""What a case waits for, in each reader's words: the applicant's (the portal), the
administration's staff's (the worklist), an access provider's (its queue). The lists and the
notifications page say it alike."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from approvals import permissions
from approvals.models import CLOSED_STATES, Application, State, User

#: To the applicant, in a few words.
WAITING_FOR = {
    State.DRAFT: _("You: submit it"),
    State.PROVIDER_REVIEW: _("The access provider's check"),
    State.RECEIVED: _("Acceptance by the administration"),
    State.CORRECTION: _("Your corrections"),
    State.UNDER_REVIEW: _("The administration's decision"),
    State.PAUSED: _("A special procedure (clock paused)"),
    State.GRANTED: _("The certificate to be served"),
    State.ARRIVED: _("The administration's decision"),
}
RETURNED = _("You: the access provider returned it")
NO_MATERIALS = _("You: add the materials")
TO_RATE = _("You: rate the service")

#: To the administration's staff: what an open case waits for, short, for a table cell.
WAITS_FOR = {
    State.RECEIVED: _("acceptance"),
    State.CORRECTION: _("the applicant's corrections"),
    State.UNDER_REVIEW: _("decision"),
    State.ARRIVED: _("filing decision"),
    State.PAUSED: _("special procedure"),
    State.GRANTED: _("certificate service"),
}

#: To an access provider, a filing it has to check.
PROVIDER_CHECK = _("Awaiting your check")


def waiting_for(app: Application) -> str:
    """The applicant's words: ``app`` comes annotated with ``yours`` and ``has_materials``
    (selectors.portal.ROW_FLAGS)."""
    if app.state == State.DRAFT:
        if app.tracking_number:
            return str(RETURNED)
        if not getattr(app, "has_materials", True):
            return str(NO_MATERIALS)
    if app.state in CLOSED_STATES and getattr(app, "yours", False):
        return str(TO_RATE)
    return str(WAITING_FOR.get(app.state, "—"))


def next_step(app: Application, user: User) -> str:
    """What ``app`` waits for, in the words of ``user``'s own list ("" when nothing: a closed
    case); ``app`` annotated as for waiting_for."""
    if permissions.is_applicant(app, user):
        step = waiting_for(app)
        return "" if step == "—" else step
    if permissions.is_access_provider(app, user) and app.state == State.PROVIDER_REVIEW:
        return str(PROVIDER_CHECK)
    return str(WAITS_FOR.get(app.state, ""))
