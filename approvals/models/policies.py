"""The three procedures and the policies that set each one's limits, with their effective dates."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.calendar import Unit

#: The longest extension there is, in working days (DOMAIN.md: one extension of at most 10 working
#: days, approved by a manager); a policy may allow fewer (``Policy.extension_limit``).
MAX_EXTENSION_DAYS = 10


class Procedure(models.TextChoices):
    TELECOM_LICENCE = "telecom_licence", _("Value-added telecom business licence")
    NUMBER_RESOURCE = "number_resource", _("Telecom number resources")
    WEBSITE_FILING = "website_filing", _("Website filing (ICP)")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")
    CALENDAR_DAYS = Unit.CALENDAR_DAYS.value, _("calendar days")


class PolicyQuerySet(models.QuerySet):
    def in_force(self, procedure: str, on: date) -> Policy:
        """The policy for ``procedure`` whose effective date is the latest on or before ``on``."""
        policy = self.filter(procedure=procedure, effective_from__lte=on).order_by("-effective_from").first()
        if policy is None:
            raise Policy.DoesNotExist(f"no {procedure} policy is in force on {on.isoformat()}")
        return policy


class Policy(models.Model):
    """A procedure's limits from an effective date on.

    An application keeps the policy in force on its clock's start day, even after a newer one
    takes effect; a change of limits is therefore a new row, not an edit.
    """

    procedure = models.CharField(_("procedure"), max_length=32, choices=Procedure.choices)
    effective_from = models.DateField(_("effective from"))
    promised_limit = models.PositiveSmallIntegerField(_("promised limit"))
    promised_unit = models.CharField(_("promised limit unit"), max_length=16, choices=LimitUnit.choices)
    statutory_limit = models.PositiveSmallIntegerField(_("statutory limit"))
    statutory_unit = models.CharField(_("statutory limit unit"), max_length=16, choices=LimitUnit.choices)
    statutory_from_receipt = models.BooleanField(
        _("statutory clock counts from receipt"),
        default=False,
        help_text=_("The statutory limit counts from the day the application was received, not from acceptance."),
    )
    pauses_allowed = models.BooleanField(_("special procedures pause the clock"), default=True)
    max_extension = models.PositiveSmallIntegerField(
        _("maximum extension (working days)"), default=0, help_text=_("0: no extension is possible.")
    )
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["procedure", "-effective_from"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "effective_from"], name="policy_one_per_procedure_and_day"),
            models.CheckConstraint(condition=models.Q(promised_limit__gt=0), name="policy_promised_limit_positive"),
            models.CheckConstraint(condition=models.Q(statutory_limit__gt=0), name="policy_statutory_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} ({self.effective_from.isoformat()})"

    @property
    def extension_limit(self) -> int:
        """The most working days an extension under this policy may add: 0 for none."""
        return min(self.max_extension, MAX_EXTENSION_DAYS)

    @property
    def promised(self) -> str:
        return f"{self.promised_limit} {self.get_promised_unit_display()}"

    @property
    def statutory(self) -> str:
        text = f"{self.statutory_limit} {self.get_statutory_unit_display()}"
        return _("%(limit)s from receipt") % {"limit": text} if self.statutory_from_receipt else text
