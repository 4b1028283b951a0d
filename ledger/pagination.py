"""Keyset (seek) pagination for the ledger's pages.

An OFFSET page costs as much as every row before it, and a page count needs a COUNT of the
whole filtered ledger; at a million problems both are too slow. A keyset page instead starts
*after* the last row of the page before: ``WHERE (found_at, id) < (:found_at, :id) ORDER BY
found_at DESC, id DESC LIMIT 51``, which an index answers directly whatever the page.

The cursor (the sort values of the row to start after, and the direction) travels in the
``cursor`` query parameter, signed so it is opaque and cannot be forged into something we
never issued; a cursor that does not verify is ignored (the first page is shown).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core import signing
from django.db.models import Expression, F, IntegerField, Q
from django.utils.dateparse import parse_date, parse_datetime

CURSOR_SALT = "ledger.keyset-cursor"


@dataclass(frozen=True)
class SortKey:
    """One column of a sort order; ``nullable`` columns keep their empty values last."""

    field: str  # a model field or an annotation on the queryset
    descending: bool = False
    nullable: bool = False


@dataclass(frozen=True)
class Ordering:
    """A total order: the keys, then the primary key to break ties."""

    keys: tuple[SortKey, ...]

    @property
    def descending_id(self) -> bool:
        return self.keys[0].descending if self.keys else True

    def all_keys(self) -> tuple[SortKey, ...]:
        return (*self.keys, SortKey("pk", descending=self.descending_id))


def _order_by(keys, *, reverse: bool) -> list:
    terms = []
    for key in keys:
        descending = key.descending != reverse
        # Forward, empty values come last in both directions; walking backwards, first.
        nulls_last = not reverse
        expression = F(key.field)
        method = expression.desc if descending else expression.asc
        if key.nullable:
            terms.append(method(nulls_last=True) if nulls_last else method(nulls_first=True))
        else:
            terms.append(method())
    return terms


def _after(keys, values, *, reverse: bool) -> Q:
    """Rows strictly after ``values`` in the order of ``keys`` (walked backwards if ``reverse``)."""
    key, value = keys[0], values[0]
    descending = key.descending != reverse
    nulls_last = not reverse
    if value is None:
        beyond = Q(pk__in=[]) if nulls_last else Q(**{f"{key.field}__isnull": False})
        same = Q(**{f"{key.field}__isnull": True})
    else:
        beyond = Q(**{f"{key.field}__{'lt' if descending else 'gt'}": value})
        if key.nullable and nulls_last:
            beyond |= Q(**{f"{key.field}__isnull": True})
        same = Q(**{key.field: value})
    if len(keys) == 1:
        return beyond
    return beyond | (same & _after(keys[1:], values[1:], reverse=reverse))


def _bound(key: SortKey, value, *, reverse: bool) -> Q:
    """A redundant range on the first key (``found_at <= v``) that an index can start from:
    the OR-form of ``_after`` alone would make PostgreSQL scan the index from its beginning."""
    if value is None:
        return Q()
    descending = key.descending != reverse
    bound = Q(**{f"{key.field}__{'lte' if descending else 'gte'}": value})
    if key.nullable and not reverse:
        bound |= Q(**{f"{key.field}__isnull": True})
    return bound


def _dump(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _load(value):
    if isinstance(value, dict):
        if "dt" in value:
            return parse_datetime(value["dt"])
        if "d" in value:
            return parse_date(value["d"])
        raise ValueError("unknown cursor value")
    return value


def encode_cursor(values, *, backwards: bool) -> str:
    return signing.dumps({"v": [_dump(v) for v in values], "b": backwards}, salt=CURSOR_SALT, compress=True)


def decode_cursor(token: str, size: int):
    """(values, backwards) of a cursor we issued, or None for a missing or forged one."""
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=CURSOR_SALT)
        values = [_load(v) for v in payload["v"]]
        backwards = bool(payload["b"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if len(values) != size:
        return None
    return values, backwards


def cursor_at(ordering: Ordering, value) -> str:
    """A cursor that starts a one-key ordering at ``value`` (a jump, e.g. to a date): ascending,
    at the first row whose key is ``value`` or later; descending, at the first row whose key is
    before ``value``. The tie-breaking id 0 makes the boundary exact; no OFFSET is involved."""
    if len(ordering.keys) != 1:
        raise ValueError("a jump needs an ordering of one key")
    return encode_cursor([value, 0], backwards=False)


@dataclass
class KeysetPage:
    object_list: list
    next_cursor: str | None
    previous_cursor: str | None
    from_start: bool = False  # read from the list's first row: no cursor was given (or it did not verify)
    counted: tuple[int, bool] | None = None  # bounded_count read with the rows (keyset_page's ``count``)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def keyset_page(queryset, ordering: Ordering, cursor: str | None, *, per_page: int, count=None) -> KeysetPage:
    """One page of ``queryset`` in ``ordering``, starting after (or, backwards, before) ``cursor``.

    Runs exactly one query (plus whatever the queryset's prefetches add). ``count``, a
    (queryset, limit), is ``bounded_count(queryset, limit)`` read by the same query (``BoundedCount``),
    as the page's ``counted``; None when the page is empty (the database runs the count with the
    first row it returns)."""
    keys = ordering.all_keys()
    decoded = decode_cursor(cursor or "", len(keys))
    backwards = bool(decoded and decoded[1])
    rows = queryset.order_by(*_order_by(keys, reverse=backwards))
    if decoded:
        rows = rows.filter(_bound(keys[0], decoded[0][0], reverse=backwards),
                           _after(keys, decoded[0], reverse=backwards))
    if count is not None:
        rows = rows.annotate(**{COUNTED: BoundedCount(*count)})
    rows = list(rows[: per_page + 1])
    counted = None
    if count is not None and rows:
        found = _take_counted(rows)
        counted = (min(found, count[1]), found > count[1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()

    def values(row):  # a model instance, or a row read with values() that names the keys
        if isinstance(row, dict):
            return [row[key.field] for key in keys]
        return [getattr(row, key.field) for key in keys]

    next_cursor = previous_cursor = None
    if rows:
        # Forwards, there is a next page when we fetched one row too many; we came from the
        # previous one if we had a cursor. Backwards, the other way round.
        if (more and not backwards) or (backwards and decoded):
            next_cursor = encode_cursor(values(rows[-1]), backwards=False)
        if (more and backwards) or (decoded and not backwards):
            previous_cursor = encode_cursor(values(rows[0]), backwards=True)
    return KeysetPage(object_list=rows, next_cursor=next_cursor, previous_cursor=previous_cursor,
                      from_start=decoded is None, counted=counted)


COUNTED = "bounded_count_of_matches"


def _take_counted(rows) -> int:
    """The count each row carries, taken off them (a values() row or a model instance)."""
    first = rows[0]
    found = first[COUNTED] if isinstance(first, dict) else getattr(first, COUNTED)
    for row in rows:
        if isinstance(row, dict):
            del row[COUNTED]
        else:
            delattr(row, COUNTED)
    return found


class BoundedCount(Expression):
    """``bounded_count``'s number as a column of another query: ``(SELECT COUNT(*) FROM (… LIMIT
    limit+1))``. It refers to nothing of the outer row, so the database runs it once, when the
    first row is returned (PostgreSQL's InitPlan, SQLite's once-only subquery), and not at all
    for no row. A page that needs its matches counted then costs one query and one round trip."""

    output_field = IntegerField()

    def __init__(self, queryset, limit: int):
        super().__init__()
        self.query = queryset.order_by().values("pk")[: limit + 1].query
        self.identity = (type(self), ("query", id(self.query)), ("limit", limit))

    def as_sql(self, compiler, connection):
        sql, params = self.query.get_compiler(connection=connection).as_sql()
        return f"(SELECT COUNT(*) FROM ({sql}) bounded_count)", params  # noqa: S608 - the ORM's own SQL


def bounded_count(queryset, limit: int) -> tuple[int, bool]:
    """How many rows match, counting no further than ``limit``: (count, there are more).

    ``SELECT COUNT(*) FROM (… LIMIT limit+1)`` stops scanning at limit+1 matches, so it stays
    cheap on a large ledger where an exact count would read every matching row."""
    n = queryset.order_by().values("pk")[: limit + 1].count()
    return min(n, limit), n > limit


def page_count(page: KeysetPage, queryset, limit: int) -> tuple[int, bool]:
    """``bounded_count(queryset, limit)`` for the list ``page`` is a page of, without a second
    query when the page holds every match: a page read from the first row (no cursor) with no
    page after it. A search that matches a few problems, or none, then costs one query, not the
    search twice. A page reached by a cursor (a jump to a date, an old link) is always counted:
    it may be empty while the list is not."""
    if page.from_start and not page.has_next and len(page) <= limit:
        return len(page), False
    if page.counted is not None:
        return page.counted
    return bounded_count(queryset, limit)
