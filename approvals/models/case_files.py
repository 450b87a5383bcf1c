"""What a case keeps beside it: its special procedures, its materials (private storage, no URL)
and the tracking-number sequence."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models.applications import Application
from approvals.models.policies import Procedure


class SpecialProcedureKind(models.TextChoices):
    HEARING = "hearing", _("Hearing")
    TENDER = "tender", _("Tender")
    AUCTION = "auction", _("Auction")
    TESTING = "testing", _("Inspection or testing")
    QUARANTINE = "quarantine", _("Quarantine")
    APPRAISAL = "appraisal", _("Appraisal")
    EXPERT_REVIEW = "expert_review", _("Expert review")
    SITE_CHECK = "site_check", _("On-site check")


class SpecialProcedure(models.Model):
    """A special procedure (行政许可法 art. 45) whose time is not counted: the clock stops at the
    end of ``started_on`` and counts again after ``ended_on``."""

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="special_procedures", verbose_name=_("application")
    )
    kind = models.CharField(_("type"), max_length=20, choices=SpecialProcedureKind.choices)
    basis = models.CharField(_("legal basis"), max_length=300)
    notice_date = models.DateField(_("applicant told in writing on"))
    expected_end = models.DateField(_("expected to end on"))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="special_procedure_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}–{self.ended_on or '…'}"


class PrivateStorage(FileSystemStorage):
    """Uploaded materials live outside the web root (settings.PRIVATE_MEDIA_ROOT, read on each
    use) and have no URL: they are served only through a view that checks permissions."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("materials have no public URL; serve them through a permission-checked view")


private_storage = PrivateStorage()


def material_path(material: Material, filename: str) -> str:
    return f"materials/{material.application_id}/{material.sha256[:16]}-{filename}"


class Material(models.Model):
    """A file an applicant submitted, checked for type and size on the way in."""

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="materials", verbose_name=_("application")
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=material_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class TrackingSequence(models.Model):
    """The last tracking number issued per procedure and year (incremented under a row lock)."""

    procedure = models.CharField(max_length=32, choices=Procedure.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["procedure", "year"], name="tracking_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.procedure} {self.year}: {self.last}"
