"""Calendar data: each year's loaded schedule and its days, an administrator's upload (CalendarJob),
the personal calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose holiday schedule an administrator loaded from the State Council's notice.

    An official year's days are the law; a year that is not official (and not in the
    chinesecalendar package) follows the provisional rule and every deadline touching it says so.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    official = models.BooleanField(
        _("official"), default=True, help_text=_("The State Council's notice for this year is published and loaded.")
    )
    source = models.CharField(_("source notice"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("holiday")
    WORKDAY = "workday", _("working day")


class CalendarDay(models.Model):
    """One day of an official schedule: a holiday, or a weekend day declared a working day.

    Entries override the chinesecalendar package, date by date. ``notice_year`` is the year of
    the notice the entry came from: a notice for 2027 may also move days of December 2026, and
    loading the 2027 notice again replaces exactly the entries it brought.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    notice_year = models.PositiveSmallIntegerField(_("notice year"))
    source = models.CharField(_("source notice"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("schedule day")
        verbose_name_plural = _("schedule days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()

    @property
    def working(self) -> bool:
        return self.kind == DayKind.WORKDAY


class CalendarJob(models.Model):
    """An administrator's upload of a year's schedule, previewed then applied in the background
    (a large recompute reports its progress here)."""

    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("Previewing")
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"))
    file_name = models.CharField(_("file"), max_length=200)
    source = models.CharField(_("source notice"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    content = models.TextField()  # the file as uploaded, re-read when applied
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    preview = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    result = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar upload")
        verbose_name_plural = _("calendar uploads")

    def __str__(self) -> str:
        return f"{self.year} {self.file_name} ({self.status})"


# -- calendar feeds ---------------------------------------------------------------------------


class CalendarFeed(models.Model):
    """An officer's or manager's secret calendar address (approvals.feeds): the due dates of
    their open cases, which a calendar app fetches without signing in.

    Only the token's SHA-256 is stored: the address is shown once, when it is made, and a lost
    address is replaced (regenerated), never recovered. A user has at most one active feed; a
    revoked one is kept, with ``revoked_at``, as the record of when the address stopped working.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="calendar_feeds", verbose_name=_("user")
    )
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Touched at most every few minutes (approvals.feeds.TOUCH_EVERY): calendar apps poll.
    last_used_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="calendar_feed_one_active_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})" if self.created_at else str(self.user)

    @property
    def active(self) -> bool:
        return self.revoked_at is None
