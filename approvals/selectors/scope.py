"""Who counts what: the applications the dashboard and the on-time report of a manager or an
administrator cover (``Scope``), and who has one at all (``scope_for``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.http import urlencode

from approvals import permissions
from approvals.models import Application, Department, Rating, Role


@dataclass(frozen=True)
class Scope:
    """The applications a page may count: one department's, or (administrators, the public
    publication) every department's."""

    department: Department | None  # None: every department
    departments: list[Department] = field(default_factory=list)  # an administrator's filter choices
    is_admin: bool = False

    @classmethod
    def everything(cls) -> Scope:
        """Every department: the public publication's scope."""
        return cls(department=None)

    def applications(self) -> QuerySet:
        queryset = Application.objects.all()
        return queryset if self.department is None else queryset.filter(department_id=self.department.pk)

    def ratings(self) -> QuerySet:
        queryset = Rating.objects.all()
        return queryset if self.department is None else queryset.filter(application__department_id=self.department.pk)

    @property
    def query(self) -> str:
        """The filter to carry over to the pages a link leads to."""
        return urlencode({"department": self.department.pk}) if self.is_admin and self.department else ""


def scope_for(user: Any, chosen: str = "") -> Scope | None:
    """Managers get their department; administrators every department, or the one whose id is
    ``chosen``. Everyone else has none (None: the figures are not theirs; a screen answers 403)."""
    if not permissions.can_view_reports(user):
        return None
    if permissions.role_of(user) == Role.MANAGER:
        return Scope(department=user.department, departments=[], is_admin=False)
    departments = list(Department.objects.order_by("name"))
    department = next((d for d in departments if str(d.pk) == chosen), None)
    return Scope(department=department, departments=departments, is_admin=True)
