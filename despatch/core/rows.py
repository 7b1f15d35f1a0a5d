"""Inserting many rows with one statement and little per-value overhead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.timezone import is_aware

# SQLite allows 32,766 variables per statement; stay well under it.
MAX_VARIABLES = 20_000
# Fields whose database value is the Python value itself, on SQLite and PostgreSQL alike,
# once it has the right type (a ``str``, ``int``, ``float``, ``bool`` or ``None``).
PLAIN_TYPES = frozenset(
    {
        "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
        "FloatField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveBigIntegerField",
        "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField",
        "TextField",
    }
)  # fmt: skip
PLAIN_VALUES = (str, int, float, bool, type(None))


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert ``rows`` (field attribute names to values) into ``model``'s table; return keys.

    What ``bulk_create`` does, without building a model instance per row or
    going through the query compiler: a field missing from a row takes its
    default, ``auto_now`` fields take the time unless the row gives one (the
    time its instance was given), and every value is prepared by its own
    field (``get_db_prep_save``), so dates, JSON and addresses are stored
    exactly as the ORM stores them. As with ``bulk_create``, ``save()`` and the
    save signals do not run. On a database that cannot return new keys from one
    statement, this is ``bulk_create``.
    """
    if not rows:
        return []
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    if not connection.features.can_return_rows_from_bulk_insert:
        created = model._default_manager.bulk_create([model(**row) for row in rows])
        return [row.pk for row in created]
    now = timezone.now()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, MAX_VARIABLES // len(fields))
    stamped = {
        field.attname
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    }
    plain = {field.attname for field in fields if field.get_internal_type() in PLAIN_TYPES}
    datetimes = {field.attname for field in fields if isinstance(field, models.DateTimeField)}
    # A missing field with no default, a constant one or a fresh empty list or dict
    # is prepared once, not once per row: tens of thousands of rows share it.
    defaults = {
        field.attname: field.get_db_prep_save(field.get_default(), connection)
        for field in fields
        if not field.has_default() or not callable(field.default) or field.default in (list, dict)
    }
    # Comments share their dates (submitted and decided are usually the same moment).
    prepared_datetimes: dict[datetime, Any] = {}
    keys: list[int] = []
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        values: list[Any] = []
        for row in batch:
            for field in fields:
                name = field.attname
                if name in row:
                    value = row[name]
                elif name in stamped:
                    value = now
                elif name in defaults:
                    values.append(defaults[name])
                    continue
                else:
                    value = field.get_default()
                if name in plain and isinstance(value, PLAIN_VALUES):
                    values.append(value)
                elif name in datetimes and isinstance(value, datetime) and is_aware(value):
                    # Already what ``get_prep_value`` would make of it: only the
                    # database's own adaptation is left.
                    if value not in prepared_datetimes:
                        prepared_datetimes[value] = field.get_db_prep_value(
                            value, connection, prepared=True
                        )
                    values.append(prepared_datetimes[value])
                else:
                    values.append(field.get_db_prep_save(value, connection))
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - names, not data
            f"VALUES {', '.join([row_placeholder] * len(batch))} "
            f"RETURNING {quote(str(meta.pk.column))}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            keys.extend(result[0] for result in cursor.fetchall())
    return keys
