"""The campaign's lists in Excel (campaign/exporting.py): sample points, people, the audit trail."""

from django.utils.translation import gettext_lazy as _

from .exporting import Column, ListExport, filtered_rows, register
from .filters import AuditEntryFilterSet, PersonFilterSet, SamplePointFilterSet
from .models import AuditEntry, SamplePoint, User


def _name(related) -> str:
    return str(related) if related is not None else ""


def _hq(user) -> bool:
    return user.can_manage_structure


register(ListExport(
    kind="sample_points", title=_("Sample points"), list_url="campaign:sample_point_list",
    filter_names=SamplePointFilterSet.base_filters,
    rows=filtered_rows(SamplePointFilterSet, lambda user: SamplePoint.objects.visible_to(user).select_related(
        "district", "category", "grid", "road", "responsible_unit", "team"), order=("code",)),
    columns=(
        Column(_("Code"), lambda p: p.code, 14),
        Column(_("Name"), lambda p: p.name, 28),
        Column(_("Category"), lambda p: _name(p.category), 16),
        Column(_("District"), lambda p: _name(p.district), 12),
        Column(_("Grid"), lambda p: _name(p.grid), 14),
        Column(_("Road"), lambda p: _name(p.road), 14),
        Column(_("Address"), lambda p: p.address, 30),
        Column(_("Responsible unit"), lambda p: _name(p.responsible_unit), 24),
        Column(_("Special team"), lambda p: _name(p.team), 20),
        Column(_("Latitude"), lambda p: p.latitude, 12),
        Column(_("Longitude"), lambda p: p.longitude, 12),
        Column(_("Active"), lambda p: p.active, 8),
    ),
))

register(ListExport(
    kind="people", title=_("People"), list_url="campaign:person_list", allowed=_hq,
    filter_names=PersonFilterSet.base_filters,
    rows=filtered_rows(PersonFilterSet, lambda user: User.objects.select_related("team", "district", "unit"),
                       order=("role", "username")),
    columns=(
        Column(_("Username"), lambda u: u.username, 16),
        Column(_("Full name"), lambda u: u.full_name, 16),
        Column(_("Role"), lambda u: u.get_role_display(), 14),
        Column(_("Scope"), lambda u: u.scope_label, 20),
        Column(_("Post"), lambda u: u.post, 16),
        Column(_("Phone"), lambda u: u.phone, 14),
        Column(_("Active"), lambda u: u.is_active, 8),
        Column(_("Last sign-in"), lambda u: u.last_login, 18),
    ),
))

register(ListExport(
    kind="audit", title=_("Audit trail"), list_url="campaign:audit_list", allowed=_hq,
    filter_names=AuditEntryFilterSet.base_filters,
    rows=filtered_rows(AuditEntryFilterSet, lambda user: AuditEntry.objects.all(), order=("-at", "-id")),
    columns=(
        Column(_("Time"), lambda e: e.at, 18),
        Column(_("Username"), lambda e: e.actor_name, 16),
        Column(_("Action"), lambda e: e.get_action_display(), 14),
        Column(_("What"), lambda e: e.target, 30),
        Column(_("Scope"), lambda e: e.scope, 16),
        Column(_("Address"), lambda e: e.address, 16),
        Column(_("Details"), lambda e: str(e.details) if e.details else "", 40),
    ),
))
