"""What each audited action is called, in timelines, notifications and the admin."""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from approvals import catalogue

#: Each audited action's past tense (approvals.catalogue), translated when shown.
ACTIONS = {e.name: _(e.past) for e in catalogue.ENTRIES if e.past}


def translated(labels: Mapping | Iterable[tuple]) -> dict:
    """``{value: label}`` with each lazy label translated once, in the active language: for the
    rows of a list, which would otherwise translate a label per row (and ``get_FOO_display``
    hashes, so translates, every choice's name on each call)."""
    return {value: str(label) for value, label in dict(labels).items()}


#: Django's own messages whose Chinese translation is wrong: the project's catalogue, which comes
#: first, corrects them (Django's zh_Hans says "empty strings are not allowed" for a NUL).
CORRECTED_DJANGO_MESSAGES = (gettext_noop("Null characters are not allowed."),)
