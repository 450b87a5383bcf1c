"""The services around a case: ratings (好差评) with their follow-up, and appointments at the service hall."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from approvals.models.applications import Application
from approvals.models.people import Department, Organisation, User
from approvals.models.policies import Procedure

# -- ratings (好差评) --------------------------------------------------------------------------

RATING_BAD_AT_MOST = 2  # the bottom two of five are bad ratings that need follow-up
RATING_FOLLOW_UP_DAYS = 15  # working days to follow a bad rating up


class RatingLevel(models.IntegerChoices):
    VERY_BAD = 1, _("Very dissatisfied")
    BAD = 2, _("Dissatisfied")
    FAIR = 3, _("Fair")
    GOOD = 4, _("Satisfied")
    VERY_GOOD = 5, _("Very satisfied")


class Rating(models.Model):
    """The applicant's rating of the service once a case has ended (好差评). A bad rating (the
    bottom two levels) must be followed up by the department within 15 working days."""

    application = models.OneToOneField(
        Application, models.CASCADE, related_name="rating", verbose_name=_("application")
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=RatingLevel.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    rated_on = models.DateField(_("rated on"))
    follow_up_due = models.DateField(_("follow up by"), null=True, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    follow_up_note = models.TextField(_("follow-up"), blank=True)

    class Meta:
        ordering = ["-rated_on", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level <= RATING_BAD_AT_MOST


# -- service appointments (预约办 / 上门办) ---------------------------------------------------------


class AppointmentKind(models.TextChoices):
    WINDOW = "window", _("At the service window")
    ONSITE = "onsite", _("On-site visit")


class AppointmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(FSMModelMixin, models.Model):
    """An enterprise's booking of a slot at the service window, or its request for an on-site
    visit; officers of the department confirm (or decline) it.

    The status is protected: only the transition methods below change it, and only the
    workflow's appointment functions call them, each writing the change to the audit trail."""

    kind = models.CharField(_("kind"), max_length=10, choices=AppointmentKind.choices)
    status = FSMField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.REQUESTED,
        protected=True,
    )
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="appointments", verbose_name=_("organisation")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="appointments", verbose_name=_("department")
    )
    procedure = models.CharField(_("procedure"), max_length=32, choices=Procedure.choices)
    application = models.ForeignKey(
        Application, models.SET_NULL, null=True, blank=True, related_name="appointments", verbose_name=_("application")
    )
    day = models.DateField(_("day"))
    slot = models.CharField(_("time"), max_length=11)  # "08:30-09:30"
    purpose = models.CharField(_("purpose"), max_length=300)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("officer")
    )
    reply = models.CharField(_("reply"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["day", "slot", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["department", "day"], name="appointment_department_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day} {self.slot}"

    # -- transitions (called only by approvals.workflow) --------------------------------------

    @transition(field=status, source=AppointmentStatus.REQUESTED, target=AppointmentStatus.CONFIRMED)
    def confirm(self, officer: User, reply: str = "") -> None:
        self.handled_by = officer
        self.reply = reply

    @transition(field=status, source=AppointmentStatus.REQUESTED, target=AppointmentStatus.DECLINED)
    def decline(self, officer: User, reply: str) -> None:
        self.handled_by = officer
        self.reply = reply

    @transition(
        field=status,
        source=[AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED],
        target=AppointmentStatus.CANCELLED,
    )
    def cancel(self) -> None:
        pass
