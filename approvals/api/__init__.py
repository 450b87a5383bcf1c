"""The REST API (Django REST framework): the same rules and permissions as the screens, through
the same approvals.workflow functions. Its OpenAPI schema is at /api/schema/."""
