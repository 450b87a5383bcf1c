"""Many rows updated, each with its own values, in one statement per batch.

Django's ``bulk_update`` writes ``SET column = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END``
for every column, built as expressions: about a millisecond of Python per row for a dozen
columns, most of a batched sweep's time. ``update_rows`` sends the values as a table instead,
``UPDATE … SET … FROM (VALUES (…), (…)) AS v WHERE id = v.id``, which PostgreSQL and SQLite
(3.33 and later) both read. The values pass through each field's
``get_db_prep_save`` as ``save()`` would (dates adapted directly, and numbers, text and booleans
as they are: what it gives for them); there is no signal and no ``auto_now``, as with
``bulk_update``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from django.db import connection
from django.db.models import Model


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 60_000  # PostgreSQL's limit is 65,535 parameters per statement


#: Fields whose Python values the database adapters take as they are (what ``get_db_prep_save``
#: returns for them, without its checks: a tenth of the time per value).
AS_IS = {
    "BooleanField",
    "CharField",
    "TextField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "ForeignKey",  # its attname's value: the id
}


def _prepare(field) -> Callable[[object], object]:
    """What turns ``field``'s value into the statement's parameter, as ``get_db_prep_save`` does."""
    internal = field.get_internal_type()
    if internal in AS_IS:
        return lambda value: value
    if internal == "DateField":
        adapt = connection.ops.adapt_datefield_value
        return lambda value: None if value is None else adapt(value)
    return lambda value: field.get_db_prep_save(value, connection)


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
    prepared = [(f.attname, _prepare(f)) for f in columns]
    per_statement = max(1, _max_params() // (len(columns) + 1))
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per_statement):
            batch = objects[start : start + per_statement]
            params: list[object] = []
            for obj in batch:
                params.append(obj.pk)
                params += [prepare(getattr(obj, name)) for name, prepare in prepared]
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {', '.join([row] * len(batch))}) AS {values} "
                f"WHERE {table}.{pk} = {key}",
                params,
            )
            written += cursor.rowcount
    return written


def insert_rows(objects: Sequence[Model], *, ignore_conflicts: bool = False) -> None:
    """Insert ``objects`` (new instances of one model, their ids left to the database) in as few
    statements as the parameter limit allows, as ``bulk_create`` does at a fraction of its cost
    per value (which doubled the notifications' and audit events' share of a calendar load).
    With ``ignore_conflicts``, a row that breaks a unique constraint is skipped and ids are not
    read back; else each object gets its id (``RETURNING``, in the order of the rows, as
    ``bulk_create`` reads them too). ``auto_now_add`` and ``auto_now`` fields are set as
    ``save()`` sets them."""
    if not objects:
        return
    meta = type(objects[0])._meta
    columns = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    stamped = {f.attname for f in columns if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    prepared = [(f, f.attname in stamped, _prepare(f)) for f in columns]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) VALUES "
    pk = meta.pk
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else f" RETURNING {quote(pk.column)}"

    def values(obj: Model) -> list[object]:
        return [
            prepare(field.pre_save(obj, True) if stamp else getattr(obj, field.attname))
            for field, stamp, prepare in prepared
        ]

    if connection.vendor == "postgresql":
        # One array per column, unnested into rows: a statement of a few parameters, which
        # PostgreSQL plans at once (a VALUES list of 60,000 is slower than bulk_create).
        casts = ", ".join(f"CAST(%s AS {f.db_type(connection)}[])" for f in columns)
        batches = [(objects, f"{head.removesuffix(' VALUES ')} SELECT * FROM UNNEST({casts}){tail}")]
    else:
        per_statement = max(1, _max_params() // len(columns))
        batches = [(objects[start : start + per_statement], None) for start in range(0, len(objects), per_statement)]
    with connection.cursor() as cursor:
        for batch, sql in batches:
            rows = [values(obj) for obj in batch]
            if sql is not None:
                params: list[object] = [list(column) for column in zip(*rows, strict=True)]
            else:
                sql = head + ", ".join([row] * len(batch)) + tail
                params = [value for values_ in rows for value in values_]
            cursor.execute(sql, params)
            if not ignore_conflicts:
                for obj, (key,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, key)
                    obj._state.adding, obj._state.db = False, connection.alias
