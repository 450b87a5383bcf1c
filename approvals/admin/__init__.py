"""The Django admin: reference data and people to edit, applications and their trail to read.

Nothing here writes an application's status, dates or clocks. The application pages are
view-only (no add, change or delete, even for superusers); the only ways to act on an
application are the changelist actions, and each one calls approvals.workflow: ``recompute``,
``deem_accepted`` and ``reassign``. Calendar edits are carried to the open clocks with
``workflow.calendar_days_changed`` inside the admin's own transaction, so a failed recompute
undoes the edit. Audit events and notifications are read-only for everyone.
"""

from approvals.admin import applications, reference, trail  # noqa: F401 (each registers its pages)
