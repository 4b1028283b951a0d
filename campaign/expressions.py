"""SQL expressions the apps share."""

from django.db.models import Expression
from django.db.models.expressions import Col


class RelatedColumn(Expression):
    """A related row's column read by a scalar subselect on its primary key, not by a join:
    ``(SELECT r.name FROM campaign_district r WHERE r.id = ledger_problem.district_id)``.

    A list that shows five related names per row and joins their tables makes PostgreSQL plan
    a six-way join on every request: the ledger's list spent about 7 ms planning it against
    0.6 ms running it, at any ledger size (the planner's join search, not the rows; see
    bench/README.md). Each subselect is planned alone and answered by the related table's
    primary key, once per row shown. Same values; NULL where the key is NULL.
    """

    def __init__(self, model, relation: str, column: str):
        self.foreign_key = model._meta.get_field(relation)
        self.related = self.foreign_key.related_model
        self.column = self.related._meta.get_field(column)
        super().__init__(output_field=self.column)
        self.key = None  # the outer row's key column, set when resolved against a query
        # What Django's identity (hash and equality) would name: the class and the constructor's
        # arguments. Set here, so each resolved copy inherits it: Django's own binds the arguments
        # through inspect.signature again for every copy, and a list sorted by a column hashes
        # every selected expression of every request.
        self.identity = (type(self), ("model", model), ("relation", relation), ("column", column))

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        # The key is a column of the query's own table: no join to look up (F() would walk
        # Django's join machinery for it on every request).
        resolved = self.copy()
        resolved.key = Col(query.get_initial_alias(), self.foreign_key)
        return resolved

    def get_source_expressions(self):
        return [self.key] if self.key is not None else []

    def set_source_expressions(self, exprs):
        if exprs:
            (self.key,) = exprs

    def as_sql(self, compiler, connection):
        key_sql, params = compiler.compile(self.key)
        quote = connection.ops.quote_name
        table, column = quote(self.related._meta.db_table), quote(self.column.column)
        primary_key = quote(self.related._meta.pk.column)
        # Names come from the models, never from input; the key is the outer row's compiled column.
        return f"(SELECT r.{column} FROM {table} r WHERE r.{primary_key} = {key_sql})", params  # noqa: S608


def values_with_related(queryset, names):
    """``queryset.values(*names)``, each ``relation__column`` among ``names`` read by a
    ``RelatedColumn`` (the rows keep the same keys); other names as ``values()`` reads them."""
    model = queryset.model
    plain, related = [], {}
    for name in names:
        relation, separator, column = name.partition("__")
        if separator and "__" not in column:
            expression = _kept.get((model, name))
            if expression is None:
                # Made once: Django hashes an expression by its constructor's arguments, found
                # through inspect.signature, and keeps the result on the instance.
                expression = _kept[model, name] = RelatedColumn(model, relation, column)
            related[name] = expression
        else:
            plain.append(name)
    return queryset.values(*plain, **related)


def kept_values_with_related(model, names):
    """``values_with_related(model.objects.all(), names)``, built once per process and copied
    for each use: a fresh queryset to narrow (scope, filters, order) and run.

    Building it costs more than compiling it (``values()`` resolves each name through Django's
    join machinery, about 0.5 ms for the ledger list's 29 columns); a copy of the built query
    costs a tenth of that. Filters added to the copy give the same SQL as filters added before
    ``values()``. The kept queryset itself is never run, so it holds no rows."""
    key = (model, tuple(names))
    kept = _kept_querysets.get(key)
    if kept is None:
        kept = _kept_querysets[key] = values_with_related(model._default_manager.all(), names)
    return kept.all()


_kept: dict = {}
_kept_querysets: dict = {}
