"""Signing in, and reading the signed-in person on every request.

``UserBackend`` is Django's ``ModelBackend`` (the same password check, the same refusal of an
inactive person) but for how the person of a session is read. Every request reads them, and
Django's ``get_user`` builds, compiles and runs ``User.objects.get(pk=…)`` through the ORM
each time: 1.8M instructions a request under callgrind, as much as a fifth of the ledger
API's work apart from its own rows. Here the SELECT is compiled once per database and run on
a cursor, and the row made a ``User`` as the ORM makes it (``from_db``, with the database's
converters): 0.4M.

Sessions made before it name ``django.contrib.auth.backends.ModelBackend``, which
config/settings.py keeps after this one so that they stay signed in. So that a wrong password
is not checked twice (once here, once there), a failed check here ends the sign-in
(``PermissionDenied``: Django then reports the failure, which django-axes counts).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router


class UserBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied  # checked and refused: no second backend checks it again
        return user

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user_id = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        alias = router.db_for_read(model)
        select = _select_by_pk(model, alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(select.sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        user = model.from_db(alias, select.names, select.converted(row, connections[alias]))
        return user if self.user_can_authenticate(user) else None


class _SelectByPk:
    """``model._default_manager.filter(pk=…)``'s SQL on one database, and how to read its row."""

    def __init__(self, model, alias: str):
        fields = model._meta.concrete_fields
        compiler = model._default_manager.filter(pk=0).query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.names = [field.attname for field in fields]
        selected = [getattr(expression, "target", None) for expression, _sql, _alias in compiler.select]
        if len(params) != 1 or selected != list(fields):
            # A default manager that filters, joins or defers: its rows would not be read so.
            raise ValueError(f"{model.__name__}'s default manager does more than select its fields by pk")
        self.converters = compiler.get_converters([field.get_col(model._meta.db_table) for field in fields])

    def converted(self, row, connection):
        if not self.converters:
            return row
        values = list(row)
        for position, (functions, expression) in self.converters.items():
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        return values


_selects: dict[tuple, _SelectByPk] = {}


def _select_by_pk(model, alias: str) -> _SelectByPk:
    key = (model, alias, connections[alias].vendor)
    select = _selects.get(key)
    if select is None:
        select = _selects[key] = _SelectByPk(model, alias)
    return select
