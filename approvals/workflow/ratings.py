"""Ratings (好差评): the applicant rates a case once it has ended; a bad rating reaches the
department's managers, who follow it up within 15 working days."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from approvals import permissions
from approvals.holidays import work_calendar
from approvals.models import RATING_FOLLOW_UP_DAYS, Rating, User
from approvals.workflow.core import ActionInvalid, _finish, _held, _Step, today


def rate(app_id: int, actor: User, level: int, comment: str = "") -> Rating:
    """The applicant rates the service once the case has ended. A bad rating (the bottom two)
    reaches the department's managers, who must follow it up within 15 working days. ``level``
    and ``comment`` come validated (actions.Rate, for the page and the API)."""
    with transaction.atomic():
        app = _held(
            app_id,
            actor,
            "rated",
            may=permissions.can_rate,
            when=lambda app: app.rateable,
            refusal=_("Only a case the administration received and ended can be rated."),
        )
        if Rating.objects.filter(application=app).exists():
            raise ActionInvalid(_("This case has already been rated."))
        on = today()
        rating = Rating(application=app, level=level, comment=comment, rated_by=actor, rated_on=on)
        if rating.is_bad:
            rating.follow_up_due = work_calendar().add_working_days(on, RATING_FOLLOW_UP_DAYS).date
        rating.save()
        step = _Step(app, actor, on, [])
        step.record("rated_bad" if rating.is_bad else "rated", note=comment, level=level)
        _finish(step)
        return rating


def follow_up_rating(app_id: int, actor: User, note: str) -> Rating:
    """A manager records how a bad rating was followed up (``note`` validated by actions.FollowUp)."""
    with transaction.atomic():
        app = _held(app_id, actor, "rating_followed_up", may=permissions.is_department_manager)
        rating = Rating.objects.filter(application=app).first()
        if rating is None or not rating.is_bad:
            raise ActionInvalid(_("Only a bad rating needs a follow-up."))
        if rating.followed_up_on:
            raise ActionInvalid(_("This rating has already been followed up."))
        rating.followed_up_on = today()
        rating.followed_up_by = actor
        rating.follow_up_note = note
        rating.save(update_fields=["followed_up_on", "followed_up_by", "follow_up_note"])
        step = _Step(app, actor, rating.followed_up_on, [])
        step.record("rating_followed_up", note=note)
        _finish(step)
        return rating
