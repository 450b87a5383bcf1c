"""What happened and who was told: the hash-chained audit trail, in-app notifications, SLA alerts
and the morning digests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models.applications import Application

# -- the audit trail --------------------------------------------------------------------------


class AuditEvent(models.Model):
    """One thing that happened to an application, by whom, hash-chained to the event before.

    Written only by approvals.workflow (through approvals.audit), never updated or deleted: the
    chain makes an edit or a removal detectable (``approvals.audit.verify_chain``). It is also
    the outbox for notifications (``notified_at``, which the hash does not cover).
    """

    application = models.ForeignKey(
        Application, models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("application")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: the system."),
    )
    at = models.DateTimeField(_("recorded at"))
    on = models.DateField(_("date"))
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    notified_at = models.DateTimeField(_("notifications sent at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        from approvals.labels import ACTIONS

        return f"{self.on} {ACTIONS.get(self.action, self.action)}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are never deleted")


class AuditHead(models.Model):
    """The end of the audit chain: its row lock serialises appends, and it remembers the last
    hash so that removing the newest events is detectable too."""

    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, last {self.last_hash[:12]}"


class KeptVersion(models.Model):
    """What moves when something a kept page shows changes (``approvals.kept``): one row per
    scope a page can be of (``d:<department>``, ``u:<officer>``, ``o:<organisation>``), its
    ``version`` set to the audit chain's count by every append that touches an application of
    that scope (``approvals.audit.append``, in the action's transaction). A page of one
    department keys on that department's version alone, so an action in another leaves it kept."""

    scope = models.CharField(max_length=40, unique=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope} @ {self.version}"


class Notification(models.Model):
    """An in-app message to one user; its text is made, in the reader's language, from ``kind``
    and ``data`` (approvals.notifications.text)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    application = models.ForeignKey(
        Application, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("application")
    )
    event = models.ForeignKey(
        AuditEvent, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("audit event")
    )
    kind = models.CharField(_("kind"), max_length=40)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The email copy (outbox): sent by approvals.notifications.send_emails, retried until it goes.
    email = models.BooleanField(_("by email too"), default=False)
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_error = models.CharField(_("last email error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email", "emailed_at"], name="notification_email_outbox"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="notification_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class AlertClock(models.TextChoices):
    ACCEPTANCE = "acceptance", _("acceptance")
    DECISION = "decision", _("decision")
    CERTIFICATE = "certificate", _("certificate service")


class AlertLevel(models.TextChoices):
    YELLOW = "yellow", _("due soon")
    RED = "red", _("overdue")
    SEVERE = "severe", _("past the statutory limit")
    DEEMED = "deemed", _("deemed accepted")


class Alert(models.Model):
    """A level a clock reached, raised once by the SLA sweep (approvals.sla).

    At most one active alert per application, clock and level (a unique constraint): raising is
    idempotent. When a due date moves so that the level no longer holds (an extension, a calendar
    change), the workflow clears the alert (``cleared_on``) and the level is armed again.
    """

    application = models.ForeignKey(Application, models.CASCADE, related_name="alerts", verbose_name=_("application"))
    clock = models.CharField(_("clock"), max_length=16, choices=AlertClock.choices)
    level = models.CharField(_("level"), max_length=16, choices=AlertLevel.choices)
    due = models.DateField(_("due date then"), null=True, blank=True)
    raised_on = models.DateField(_("raised on"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "clock", "level"],
                condition=models.Q(cleared_on__isnull=True),
                name="alert_once_per_application_clock_level",
            )
        ]
        indexes = [models.Index(fields=["level", "cleared_on"], name="alert_active_level")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.clock}:{self.level}"


class Digest(models.Model):
    """The morning digest an officer was sent on a day: one a day, whatever runs twice."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    day = models.DateField()
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["officer", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.day}"
