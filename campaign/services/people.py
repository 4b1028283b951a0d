"""Writes about people: HQ creates accounts and changes their role, scope and access."""

import logging
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..choices import Role
from ..models import SCOPE_FIELD_BY_ROLE, User
from .audit import audit_person_change, person_audit_state

log = logging.getLogger(__name__)

PROFILE_FIELDS = ("full_name", "phone", "post")
SCOPE_FIELDS = ("team", "district", "unit", "grid", "road")
# Which scope fields each role keeps; the others are cleared so no stale scope lingers.
# Inspectors may optionally be limited to a district.
KEPT_SCOPE_BY_ROLE = {
    **{role: {field} for role, field in SCOPE_FIELD_BY_ROLE.items()},
    Role.INSPECTOR: {"district"},
}


def person_may_be_managed_by(person: User, by: User) -> bool:
    """Accounts with admin access are managed by superusers only (in the admin or here)."""
    return by.is_superuser or not (person.is_superuser or person.is_staff)


def _require_manager(by: User) -> None:
    if not by.can_manage_structure:
        raise PermissionDenied(_("Only HQ staff manage people."))


def _set_role_and_scope(person: User, data: Mapping[str, Any]) -> None:
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(person, field, data[field] or "")
    if "role" in data:
        person.role = data["role"]
    kept = KEPT_SCOPE_BY_ROLE.get(person.role, set())
    for field in SCOPE_FIELDS:
        if field not in kept:
            setattr(person, field, None)
        elif field in data:
            setattr(person, field, data[field])


def _set_password(person: User, password: str) -> None:
    try:
        validate_password(password, user=person)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    person.set_password(password)


@transaction.atomic
def person_create(*, data: Mapping[str, Any], by: User, request=None) -> User:
    """Create a person with a role, its scope and an initial password.

    Rules: only HQ staff (``can_manage_structure``) create people; a scoped role must have its
    team, district or unit (``User.clean``), and scope fields the role does not use are left
    empty; the password must pass the password validators; the username must be free.
    The new person's role and scope go to the audit trail.
    """
    _require_manager(by)
    person = User(username=data["username"])
    _set_role_and_scope(person, data)
    _set_password(person, data["password"])
    person.full_clean()
    person.save()
    audit_person_change(before=None, person=person, by=by, request=request)
    log.info("person created: %s (%s) by %s", person.username, person.role, by.username)
    return person


@transaction.atomic
def person_update(*, person: User, data: Mapping[str, Any], by: User, request=None) -> User:
    """Change a person's profile, role, scope and access, and optionally reset the password.

    Rules: only HQ staff change people, and only superusers change accounts with admin access;
    the role's scope is required as on creation and unused scope fields are cleared; nobody can
    deactivate themselves or take away their own HQ role (they would lock themselves out);
    an empty password keeps the current one. Changing the password or deactivating ends the
    person's sessions (Django checks the password hash and ``is_active`` on every request).
    A change of role, scope or access goes to the audit trail.
    """
    _require_manager(by)
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person_may_be_managed_by(person, by):
        raise PermissionDenied(_("Accounts with admin access are managed by a superuser."))
    before = person_audit_state(person)
    _set_role_and_scope(person, data)
    if "is_active" in data:
        person.is_active = bool(data["is_active"])
    if person.pk == by.pk:
        if not person.is_active:
            raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
        if not by.is_superuser and person.role != Role.HQ_STAFF:
            raise ValidationError({"role": _("You cannot take away your own HQ role.")})
    if data.get("password"):
        _set_password(person, data["password"])
    person.full_clean()
    person.save()
    audit_person_change(before=before, person=person, by=by, request=request)
    log.info("person updated: %s (%s, active=%s) by %s", person.username, person.role, person.is_active, by.username)
    return person
