"""The written acts the law requires (行政许可法 arts. 32, 38, 42, 44, 45): numbered, signed PDF
documents, issued by the workflow in the act's own transaction (approvals.documents), kept in
private storage and listed per case; anyone holding one can verify it (/verify/)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models.applications import Application
from approvals.models.events import AuditEvent


class DocumentKind(models.TextChoices):
    """One per written act; each catalogue entry that owes one names it (catalogue.Entry.document)."""

    ACCEPTANCE = "acceptance", _("Notice of acceptance")
    NON_ACCEPTANCE = "non_acceptance", _("Decision not to accept")
    CORRECTION = "correction", _("Notice to correct the materials")
    SPECIAL_PROCEDURE = "special_procedure", _("Notice of a special procedure")
    EXTENSION = "extension", _("Notice of an extended time limit")
    GRANT = "grant", _("Decision to grant the licence")
    DENIAL = "denial", _("Decision not to grant the licence")
    FILING = "filing", _("Notice of filing")
    FILING_REFUSAL = "filing_refusal", _("Notice of refused filing")


class DocumentCounter(models.Model):
    """The last serial issued per document kind and year (incremented under a row lock, in the
    act's transaction: a rolled-back act gives its number back, so there are no gaps)."""

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="document_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class Document(models.Model):
    """One issued document: its number, the act it records, the stored PDF and its SHA-256 (also
    in the audit chain, on the act's event or, for a document issued later, on its own)."""

    application = models.ForeignKey(
        Application, models.PROTECT, related_name="documents", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("document number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    code = models.CharField(_("verification code"), max_length=12)
    issued_on = models.DateField(_("dated"))
    issued_at = models.DateTimeField(_("issued at"))
    late = models.BooleanField(
        _("issued later"),
        default=False,
        help_text=_("Issued after the act, for an act recorded before documents were."),
    )
    event = models.OneToOneField(
        AuditEvent,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
        verbose_name=_("act"),
    )
    recorded_in = models.ForeignKey(
        AuditEvent,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hash recorded in"),
        help_text=_("The audit event that carries the document's SHA-256: its act's, or its own when issued later."),
    )
    file = models.CharField(_("file"), max_length=200)  # its name in private storage
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)  # the verification looks a PDF up by it
    size = models.PositiveIntegerField(_("size (bytes)"))
    signer = models.CharField(_("signed by"), max_length=300)
    test_signature = models.BooleanField(_("test signature"), default=False)

    class Meta:
        ordering = ["issued_on", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "serial"], name="document_serial_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def shown_code(self) -> str:
        """The verification code as printed: two groups of four."""
        return f"{self.code[:4]}-{self.code[4:]}"
