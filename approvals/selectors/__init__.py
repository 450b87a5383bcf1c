"""The read side, named: the queries behind each list (the worklist, the dashboard, the portal,
the access provider's queue, the API's lists). A selector takes plain values (a user, a day,
parsed filters) and returns a queryset or rows; it knows no URL and raises no HTTP error, so a
view only parses the request, calls a selector and renders. Level and urgency come from
``models.LEVEL_RULE`` (``with_level``, ``by_urgency``), a clock's figures from ``approvals.clocks``."""
