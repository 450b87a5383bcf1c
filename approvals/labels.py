"""What each audited action is called, in timelines, notifications and the admin."""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "created": _("Draft created"),
    "updated": _("Draft updated"),
    "material_added": _("Material added"),
    "material_removed": _("Material removed"),
    "submit": _("Submitted"),
    "submit_to_provider": _("Sent to the access provider"),
    "return_to_applicant": _("Returned by the access provider"),
    "forward_to_administration": _("Reached the administration"),
    "accept": _("Accepted"),
    "deem_accepted": _("Deemed accepted (no answer within 5 working days)"),
    "refuse_to_accept": _("Not accepted"),
    "request_correction": _("Correction notice sent"),
    "resubmit": _("Corrections submitted"),
    "start_special_procedure": _("Special procedure started: clock paused"),
    "end_special_procedure": _("Special procedure ended: clock running"),
    "request_extension": _("Extension requested"),
    "approve_extension": _("Extension approved"),
    "reject_extension": _("Extension rejected"),
    "grant": _("Granted"),
    "deny": _("Denied"),
    "serve_certificate": _("Certificate served"),
    "file": _("Filed"),
    "refuse_filing": _("Filing refused"),
    "withdraw": _("Withdrawn"),
    "reassign": _("Reassigned"),
    "due_date_moved": _("Due date moved by a calendar change"),
    "alert": _("Deadline alert"),
    "rated": _("Service rated"),
    "rated_bad": _("Bad rating: follow up within 15 working days"),
    "rating_followed_up": _("Bad rating followed up"),
    "appointment_requested": _("Appointment requested"),
    "appointment_confirmed": _("Appointment confirmed"),
    "appointment_declined": _("Appointment declined"),
    "appointment_cancelled": _("Appointment cancelled"),
}


def translated(labels: Mapping | Iterable[tuple]) -> dict:
    """``{value: label}`` with each lazy label translated once, in the active language: for the
    rows of a list, which would otherwise translate a label per row (and ``get_FOO_display``
    hashes, so translates, every choice's name on each call)."""
    return {value: str(label) for value, label in dict(labels).items()}
