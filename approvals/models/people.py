"""People and organisations: enterprises, access providers, departments and who routes what, users with their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals import credit_code
from approvals.models.policies import Procedure
from approvals.roles import ORGANISATION_ROLES, STAFF_ROLES, Role

# -- people and organisations -----------------------------------------------------------------


def validate_credit_code(value: str) -> None:
    problem = credit_code.problem(value)
    if problem == "length":
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    if problem == "alphabet":
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters other than I, O, S, V and Z."),
            code="alphabet",
        )
    if problem == "division":
        raise ValidationError(_("Characters 3 to 8 must be the administrative division code (digits)."))
    if problem == "check":
        raise ValidationError(
            _("The last character does not match the others (GB 32100-2015 check character): check for a typo."),
            code="check",
        )


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    ACCESS_PROVIDER = "access_provider", _("Access provider")


class Organisation(models.Model):
    """An applicant enterprise, or an access provider that forwards website filings."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.ENTERPRISE
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A division (处室) of the administration."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class ProcedureRoute(models.Model):
    """Which department handles a procedure: new applications go there."""

    procedure = models.CharField(_("procedure"), max_length=32, choices=Procedure.choices, unique=True)
    department = models.ForeignKey(Department, models.PROTECT, related_name="routes", verbose_name=_("department"))

    class Meta:
        verbose_name = _("procedure route")
        verbose_name_plural = _("procedure routes")

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} → {self.department}"


class UserManager(BaseUserManager):
    def create_superuser(self, username: str, email: str | None = None, password: str | None = None, **extra):
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """Everyone who signs in: enterprise applicants and access providers (members of an
    organisation), officers and managers (members of a department), administrators."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ENTERPRISE)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("organisation")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("department")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    elder_mode = models.BooleanField(
        _("easy reading"),
        default=False,
        help_text=_("Larger text, stronger contrast and bigger buttons on every page, for older readers."),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(ORGANISATION_ROLES)) | models.Q(organisation__isnull=False),
                name="user_organisation_roles_have_an_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(STAFF_ROLES)) | models.Q(department__isnull=False),
                name="user_staff_roles_have_a_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role in ORGANISATION_ROLES and not self.organisation_id:
            raise ValidationError(
                {"organisation": _("Enterprise and access-provider users belong to an organisation.")}
            )
        if self.role in STAFF_ROLES and not self.department_id:
            raise ValidationError({"department": _("Officers and managers belong to a department.")})
