"""The supervision cycle's lists in Excel (campaign/exporting.py): round plans with the page's
filters, and who inspected whom in the cross-inspection rounds. Both load through ``visible_to``."""

from django.utils.translation import gettext_lazy as _

from campaign.exporting import Column, ListExport, filtered_rows, register

from ..filters.cycle import RoundPlanFilterSet
from ..selectors.cycle import cross_rounds, round_plans


def _quotas(plan) -> str:
    return "、".join(f"{quota.category} {quota.quota}" for quota in plan.quotas.all())


register(ListExport(
    kind="round-plans", title=_("Round plans"), list_url="programme:plan_list",
    filter_names=RoundPlanFilterSet.base_filters,
    rows=filtered_rows(RoundPlanFilterSet, lambda user: round_plans(user=user), order=("-active", "name", "id")),
    columns=(
        Column(_("Name"), lambda p: p.name, 28),
        Column(_("Kind"), lambda p: p.get_kind_display(), 14),
        Column(_("Recurrence"), lambda p: p.get_recurrence_display(), 12),
        Column(_("Every N weeks"), lambda p: p.every_weeks, 10),
        Column(_("First period starts on"), lambda p: p.anchor, 14),
        Column(_("District"), lambda p: str(p.district) if p.district_id else _("The whole city"), 12),
        Column(_("Quotas"), _quotas, 30),
        Column(_("Rounds made"), lambda p: p.round_count, 10),
        Column(_("Latest period"), lambda p: p.last_period, 14),
        Column(_("Active"), lambda p: p.active, 8),
        Column(_("Last error"), lambda p: p.last_error, 30),
    ),
))


def _cross_rows(user, data):
    return [{"round": inspection_round, **pair} for inspection_round in cross_rounds(user=user)
            for pair in inspection_round.cross_pairs]


register(ListExport(
    kind="cross-inspection", title=_("Cross-inspection"), list_url="programme:cross_inspection",
    filter_names=(), rows=_cross_rows,
    columns=(
        Column(_("Round"), lambda row: row["round"].name, 28),
        Column(_("Starts on"), lambda row: row["round"].starts_on, 12),
        Column(_("Ends on"), lambda row: row["round"].ends_on, 12),
        Column(_("Inspecting district"), lambda row: row["inspecting"], 14),
        Column(_("Inspected district"), lambda row: row["inspected"], 14),
        Column(_("Points"), lambda row: row["points"], 8),
        Column(_("Done"), lambda row: row["done"], 8),
        Column(_("Average score"), lambda row: row["average"], 10),
    ),
))
