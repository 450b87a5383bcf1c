from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who a user is to the administration; one per user."""

    ENTERPRISE = "enterprise", _("Enterprise applicant")
    PROVIDER = "provider", _("Access provider")
    OFFICER = "officer", _("Case officer")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


#: Roles whose users belong to an organisation (and see only its data).
ORGANISATION_ROLES = frozenset({Role.ENTERPRISE, Role.PROVIDER})
#: Roles whose users belong to a department of the administration.
STAFF_ROLES = frozenset({Role.OFFICER, Role.MANAGER})
