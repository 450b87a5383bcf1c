"""One predicate per decision about who may do what to an application.

The state machine's ``permission=`` arguments, the workflow, the views, the API and the
templates all ask these, so a rule is written once. They read only attributes already loaded
(``role``, ``organisation_id``, ``department_id``, the application's foreign keys): no queries.
"""

from __future__ import annotations

from typing import Any

from approvals.roles import Role


def role_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return getattr(user, "role", None)


def is_administrator(user: Any) -> bool:
    return role_of(user) == Role.ADMIN


def is_staff_member(user: Any) -> bool:
    """An officer, manager or administrator of the administration."""
    return role_of(user) in {Role.OFFICER, Role.MANAGER, Role.ADMIN}


def is_applicant(app: Any, user: Any) -> bool:
    """A member of the organisation that applied."""
    return role_of(user) == Role.ENTERPRISE and user.organisation_id == app.organisation_id


def is_access_provider(app: Any, user: Any) -> bool:
    """A member of the access provider a website filing was sent to."""
    return role_of(user) == Role.PROVIDER and app.provider_id is not None and user.organisation_id == app.provider_id


def is_handling_officer(app: Any, user: Any) -> bool:
    """The officer the case is assigned to."""
    return role_of(user) == Role.OFFICER and app.officer_id is not None and app.officer_id == user.pk


def is_department_manager(app: Any, user: Any) -> bool:
    """A manager of the department that handles the case."""
    return role_of(user) == Role.MANAGER and app.department_id is not None and user.department_id == app.department_id


def can_view(app: Any, user: Any) -> bool:
    """Who may see a case at all. Officers see their department's cases so that a colleague can
    answer for an absent one; only the assigned officer acts on them."""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    if role in {Role.OFFICER, Role.MANAGER}:
        return app.department_id is not None and user.department_id == app.department_id
    # A provider sees a filing once it was sent to them (it then has a tracking number), and no
    # longer while the applicant has it back as a draft.
    return is_applicant(app, user) or (
        is_access_provider(app, user) and app.tracking_number is not None and app.state != "draft"
    )


def can_view_reports(user: Any) -> bool:
    """Managers (their department's figures) and administrators (every department's) see the
    dashboard's figures and the monthly on-time reports; the public publication is open to all."""
    return role_of(user) in {Role.MANAGER, Role.ADMIN}


def can_reassign(app: Any, user: Any) -> bool:
    return is_department_manager(app, user) or is_administrator(user)


def can_decide_extension(app: Any, user: Any) -> bool:
    return is_department_manager(app, user)


def nobody(app: Any, user: Any) -> bool:
    """System transitions (deemed acceptance): no user may fire them."""
    return False


def can_rate(app: Any, user: Any) -> bool:
    """The applicant's members rate a case that has ended."""
    return is_applicant(app, user)


def is_member_of(organisation_id: int | None, user: Any) -> bool:
    return role_of(user) in {Role.ENTERPRISE, Role.PROVIDER} and user.organisation_id == organisation_id


def can_have_feed(user: Any) -> bool:
    """Officers and managers may have a calendar feed of their cases' due dates; it is asked
    again on every fetch, so a feed stops working when its owner changes role or leaves."""
    return role_of(user) in {Role.OFFICER, Role.MANAGER}


def can_handle_appointment(appointment: Any, user: Any) -> bool:
    """Officers and managers of the department the appointment is with."""
    return role_of(user) in {Role.OFFICER, Role.MANAGER} and user.department_id == appointment.department_id
