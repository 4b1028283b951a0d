"""Pairing's lists in Excel (campaign/exporting.py), with the pages' filters and scope: the pairs
with their progress, and the communities."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.exporting import Column, ListExport, filtered_rows, register
from campaign.models import Community

from ..filters.pairing import CommunityFilterSet, PairFilterSet
from ..models.pairing import may_see_pairing
from ..selectors.pairing import pairs_for

register(ListExport(
    kind="pairs", title=_("Pairs of units and communities"), list_url="programme:pair_list",
    filter_names=PairFilterSet.base_filters, allowed=may_see_pairing,
    rows=filtered_rows(PairFilterSet, lambda user: pairs_for(user, today=timezone.localdate()),
                       order=("-active", "community__district__code", "community__name", "unit__name", "id")),
    columns=(
        Column(_("District"), lambda p: str(p.community.district), 12),
        Column(_("Community"), lambda p: p.community.name, 20),
        Column(_("Unit"), lambda p: p.unit.name, 24),
        Column(_("Starts on"), lambda p: p.starts_on, 12),
        Column(_("Ends on"), lambda p: p.ends_on, 12),
        Column(_("Active"), lambda p: _("yes") if p.active else _("no"), 8),
        Column(_("Tasks"), lambda p: p.tasks_total, 8),
        Column(_("Done"), lambda p: p.tasks_done, 8),
        Column(_("Done (%)"), lambda p: p.percent, 8),
        Column(_("Overdue"), lambda p: p.tasks_overdue, 8),
        Column(_("Visits (30 days)"), lambda p: p.visits_30, 10),
        Column(_("Visits (90 days)"), lambda p: p.visits_90, 10),
    ),
))

register(ListExport(
    kind="communities", title=_("Communities"), list_url="programme:community_list",
    filter_names=CommunityFilterSet.base_filters, allowed=may_see_pairing,
    rows=filtered_rows(CommunityFilterSet, lambda user: Community.objects.visible_to(user).select_related("district"),
                       order=("district__code", "street_office", "name")),
    columns=(
        Column(_("Code"), lambda c: c.code, 14),
        Column(_("Community"), lambda c: c.name, 20),
        Column(_("District"), lambda c: str(c.district), 12),
        Column(_("Street office"), lambda c: c.street_office, 20),
    ),
))
