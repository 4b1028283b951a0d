"""The special actions' objects in Excel (campaign/exporting.py): the list of the action's page
and of the objects page, with the same filters and scope."""

from django.utils.translation import gettext_lazy as _

from campaign.exporting import Column, ListExport, filtered_rows, register

from ..selectors.actions import ActionTargetFilterSet, targets_visible


def _name(related) -> str:
    return str(related) if related is not None else ""


register(ListExport(
    kind="action_targets", title=_("Objects of the special actions"), list_url="programme:target_list",
    filter_names=ActionTargetFilterSet.base_filters,
    rows=filtered_rows(ActionTargetFilterSet, targets_visible, order=("action_id", "deadline", "district__code", "name", "id")),
    columns=(
        Column(_("Special action"), lambda t: _name(t.action), 24),
        Column(_("Object"), lambda t: t.name, 28),
        Column(_("District"), lambda t: _name(t.district), 12),
        Column(_("Address"), lambda t: t.address, 28),
        Column(_("Sample point"), lambda t: t.sample_point.code if t.sample_point else "", 14),
        Column(_("Target state"), lambda t: t.target_state, 30),
        Column(_("Responsible unit"), lambda t: _name(t.unit), 22),
        Column(_("Deadline"), lambda t: t.deadline, 12),
        Column(_("Status"), lambda t: t.get_status_display(), 12),
        Column(_("Overdue"), lambda t: t.overdue, 8),
        Column(_("Done at"), lambda t: t.done_at, 18),
        Column(_("Verified at"), lambda t: t.verified_at, 18),
    ),
))
