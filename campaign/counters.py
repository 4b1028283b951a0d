"""Yearly counters that hand out numbers (problem codes, supervision notices).

A counter is a model with ``year`` as its primary key and ``last``, the last number handed out.
``counter_next`` takes the next number in one statement on PostgreSQL and SQLite (an upsert
with RETURNING), so concurrent callers never share a number; inside a transaction that rolls
back, the number is given back with it. ``count`` takes a block of numbers at once (an
importer's): the last of the block is returned, the block is ``last - count + 1 … last``.
"""

from django.db import connection, models


def counter_next(counter: type[models.Model], year: int, *, count: int = 1) -> int:
    table = connection.ops.quote_name(counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, %s) "  # noqa: S608 (a model's own table name)
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + %s RETURNING last",
            [year, count, count],
        )
        (number,) = cursor.fetchone()
    return number
