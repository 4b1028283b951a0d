"""Communities (社区) come in from Excel: all or nothing, HQ staff only."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.choices import Role
from campaign.importing.communities import CommunityPlan
from campaign.models import Community


class CommunityImportError(Exception):
    """The plan cannot be written; ``errors`` are row/column problems as the planner gives them."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        self.errors = errors or []
        super().__init__(message)


def may_import_communities(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role == Role.HQ_STAFF))


def _next_codes(district, count: int) -> list[str]:
    prefix = f"{district.code}-C"
    taken = set(Community.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    codes, number = [], 1
    while len(codes) < count:
        code = f"{prefix}{number:03d}"
        if code not in taken:
            codes.append(code)
        number += 1
    return codes


def communities_import(*, actor, plan: CommunityPlan) -> list[Community]:
    """Write every planned community, or none: a plan with errors, or a row another import
    recorded meanwhile (same code, or same name in the district), writes nothing."""
    if not may_import_communities(actor):
        raise CommunityImportError(_("Only HQ staff import communities."))
    if not plan.ok:
        raise CommunityImportError(_("The file has errors; nothing was imported."), plan.errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            generated: dict[int, list[str]] = {}
            by_district: dict[int, list] = {}
            for planned in plan.communities:
                if not planned.code:
                    by_district.setdefault(planned.district.pk, []).append(planned)
            for planned_list in by_district.values():
                generated[planned_list[0].district.pk] = _next_codes(planned_list[0].district, len(planned_list))
            created = []
            for planned in plan.communities:
                code = planned.code or generated[planned.district.pk].pop(0)
                created.append(Community.objects.create(
                    district=planned.district, name=planned.name, street_office=planned.street_office,
                    code=code, imported_by=actor, imported_at=now))
    except IntegrityError:
        raise CommunityImportError(_(
            "Another import recorded some of these communities meanwhile; check the file again.")) from None
    return created
