"""The audit trail: who signed in (or failed to), whose role or scope changed, who exported what.

Every entry is written by ``audit_record``, called from the service or view that does the thing
(sign-ins arrive only as Django's and django-axes' signals, connected in ``CampaignConfig``).
The rows are append-only (a PostgreSQL trigger refuses UPDATE and DELETE); HQ reads them.
"""

import json
from collections.abc import Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from ..choices import AuditAction
from ..models import AuditEntry, User
from ..throttling import client_address

# What a change of a person is judged by: role, scope and access.
PERSON_AUDITED_FIELDS = ("role", "team_id", "district_id", "unit_id", "grid_id", "road_id", "is_active", "is_staff", "is_superuser")


def _address(request) -> str | None:
    # The one client-address rule (TRUSTED_PROXY_COUNT), as the throttles and lock-out use it.
    return client_address(request) or None if request is not None else None


def _plain(details: Mapping[str, Any] | None) -> dict:
    # Dates, decimals and lazy strings become JSON values now, not when the row is read.
    return json.loads(json.dumps(dict(details or {}), cls=DjangoJSONEncoder))


def audit_record(*, action: AuditAction, request=None, actor: User | None = None, actor_name: str = "",
                 target: str = "", scope: str | None = None, details: Mapping[str, Any] | None = None) -> AuditEntry:
    """Append one entry. The actor defaults to the request's signed-in user, the scope to the
    actor's scope (what an export by them can contain), the address to the request's client."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            actor = request.user
    if actor is not None:
        actor_name = actor_name or actor.get_username()
        if scope is None:
            scope = str(actor.scope_label)
    return AuditEntry.objects.create(
        action=action, actor=actor, actor_name=actor_name[:150], target=str(target)[:255],
        scope=(scope or "")[:255], address=_address(request), details=_plain(details),
    )


def person_audit_state(person: User) -> dict:
    """The part of a person an audit entry compares: role, scope and access."""
    return {field: getattr(person, field) for field in PERSON_AUDITED_FIELDS}


def audit_person_change(*, before: dict | None, person: User, by: User, request=None) -> AuditEntry | None:
    """Record a new person, or a change of an existing person's role, scope or access (nothing
    when none of those changed). ``before`` is ``person_audit_state`` taken before the change."""
    after = person_audit_state(person)
    if before is None:
        return audit_record(action=AuditAction.PERSON_CREATED, request=request, actor=by,
                            target=person.get_username(), scope=str(person.scope_label), details={"after": after})
    changed = {field: [before[field], after[field]] for field in PERSON_AUDITED_FIELDS if before[field] != after[field]}
    if not changed:
        return None
    return audit_record(action=AuditAction.PERSON_CHANGED, request=request, actor=by, target=person.get_username(),
                        scope=str(person.scope_label), details={"changed": changed})


# --- Sign-ins (Django's and django-axes' signals) -------------------------------------------------


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.SIGN_IN, request=request, actor=user, details={"via": "page"})


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username") or "")
    actor = User.objects.filter(username=username).first() if username else None
    audit_record(action=AuditAction.SIGN_IN_FAILED, request=request, actor=actor, actor_name=username,
                 scope="" if actor is None else None)


def on_user_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    username = str(username or "")
    actor = User.objects.filter(username=username).first() if username else None
    audit_record(action=AuditAction.LOCKED_OUT, request=request, actor=actor, actor_name=username,
                 scope="" if actor is None else None)
