"""Many rows updated, each with its own values, in one statement per batch.

Django's ``bulk_update`` writes ``SET column = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END``
for every column, built as expressions: about a millisecond of Python per row for a dozen
columns, most of a batched sweep's time. ``update_rows`` sends the values as a table instead,
``UPDATE … SET … FROM (VALUES (…), (…)) AS v WHERE id = v.id``, which PostgreSQL and SQLite
(3.33 and later) both read. The values pass through each field's
``get_db_prep_save`` as ``save()`` would; there is no signal and no ``auto_now``, as with
``bulk_update``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 60_000  # PostgreSQL's limit is 65,535 parameters per statement


def update_rows(objects: Sequence[Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of ``objects`` (instances of one model) to their rows; the rows written."""
    if not objects or not fields:
        return 0
    meta = type(objects[0])._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    if connection.vendor == "postgresql":  # the VALUES table's columns are untyped text or NULL
        values = "v (id, {})".format(", ".join(f"c{i}" for i in range(len(columns))))
        key = "v.id"
        sets = [f"{quote(f.column)} = CAST(v.c{i} AS {f.db_type(connection)})" for i, f in enumerate(columns)]
    else:  # SQLite names a VALUES table's columns column1, column2, …; CAST AS DATE would make a number
        values, key = "v", "v.column1"
        sets = [f"{quote(f.column)} = v.column{i + 2}" for i, f in enumerate(columns)]
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    per_statement = max(1, _max_params() // (len(columns) + 1))
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per_statement):
            batch = objects[start : start + per_statement]
            params: list[object] = []
            for obj in batch:
                params.append(obj.pk)
                params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {', '.join([row] * len(batch))}) AS {values} "
                f"WHERE {table}.{pk} = {key}",
                params,
            )
            written += cursor.rowcount
    return written
