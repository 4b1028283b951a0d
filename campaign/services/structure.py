"""Writes to the campaign structure: districts, grids, roads, units, teams, categories,
sample points and indicators.

Rule: only HQ staff (``user.can_manage_structure``) create or change the structure. Nothing is
deleted here: the ledger and the inspections refer to it, so a sample point that no longer
exists is deactivated (``active=False``) instead.

The HTML views, the REST API and the importer call these functions with already validated
data (model instances for foreign keys); each function checks the rule again and runs the
model's own validation in the same transaction, so no caller can skip it.
"""

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from campaign.models import SamplePoint, User

M = TypeVar("M", bound=models.Model)


class StructurePermissionDenied(PermissionDenied):
    """The user may not change the campaign structure (only HQ staff may)."""


def _check_can_manage(by: User) -> None:
    if not getattr(by, "can_manage_structure", False):
        raise StructurePermissionDenied(_("Only headquarters staff may change the campaign structure."))


def _split_many_to_many(model: type[models.Model], data: dict[str, Any]) -> tuple[dict, dict]:
    many_names = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in data.items() if k not in many_names}
    many = {k: v for k, v in data.items() if k in many_names}
    return plain, many


def _save_validated(instance: M, many: dict[str, Any]) -> M:
    # full_clean runs the model's own rules (clean(), validators, unique constraints) so a
    # caller that forgot to validate still cannot store an inconsistent row.
    instance.full_clean()
    instance.save()
    for name, values in many.items():
        getattr(instance, name).set(values)
    return instance


@transaction.atomic
def structure_create(*, model: type[M], data: dict[str, Any], by: User) -> M:
    """Create one structure object (district, grid, road, unit, team, category, indicator).

    Only HQ staff may; the model's validation runs before the row is written.
    Many-to-many values (a team's member units and categories) are set after the save.
    """
    _check_can_manage(by)
    plain, many = _split_many_to_many(model, data)
    return _save_validated(model(**plain), many)


@transaction.atomic
def structure_update(*, instance: M, data: dict[str, Any], by: User) -> M:
    """Change the given fields of one structure object. Only HQ staff may.

    Fields not in ``data`` keep their value; many-to-many fields in ``data`` are replaced.
    """
    _check_can_manage(by)
    plain, many = _split_many_to_many(type(instance), data)
    for name, value in plain.items():
        setattr(instance, name, value)
    return _save_validated(instance, many)


@transaction.atomic
def sample_point_create(*, data: dict[str, Any], by: User) -> SamplePoint:
    """Create a sample point. Only HQ staff may.

    Its grid and road must lie in its district (``SamplePoint.clean``); the same place is
    listed once per district and category.
    """
    return structure_create(model=SamplePoint, data=data, by=by)


@transaction.atomic
def sample_point_update(*, point: SamplePoint, data: dict[str, Any], by: User) -> SamplePoint:
    """Change a sample point. Only HQ staff may.

    A point is never deleted (problems and inspections refer to it): set ``active`` to False.
    Its grid and road must still lie in its district after the change.
    """
    return structure_update(instance=point, data=data, by=by)


# --- API access ----------------------------------------------------------------------------


@transaction.atomic
def api_token_get_or_create(*, user: User) -> str:
    """The REST API token of an authenticated, active user: the existing one or a new one.

    The caller must have checked the password (``django.contrib.auth.authenticate``).
    """
    from rest_framework.authtoken.models import Token

    if not user.is_active:
        raise PermissionDenied(_("This account is inactive."))
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
