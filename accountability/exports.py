"""The accountability records and supervision notices in Excel (campaign/exporting.py): each
loads through ``visible_to(user)`` and the list's FilterSet, so the file holds what the page
shows. A notice's own file is the notices export filtered by its number."""

from django.utils.translation import gettext_lazy as _

from campaign.exporting import Column, ListExport, filtered_rows, register

from .filters import AccountabilityRecordFilterSet, SupervisionNoticeFilterSet
from .models import AccountabilityRecord, SupervisionNotice, SupervisionNoticeItem


def _name(related) -> str:
    return related.label if related is not None else ""


register(ListExport(
    kind="accountability-records", title=_("Accountability records"), list_url="accountability:record_list",
    filter_names=AccountabilityRecordFilterSet.base_filters,
    rows=filtered_rows(
        AccountabilityRecordFilterSet,
        lambda user: AccountabilityRecord.objects.visible_to(user).select_related(
            "kind", "unit", "district", "decided_by").prefetch_related("problems"),
        order=("-decided_on", "-id")),
    columns=(
        Column(_("Decided on"), lambda r: r.decided_on, 12),
        Column(_("Kind"), lambda r: r.kind.label, 14),
        Column(_("Unit"), lambda r: r.unit.label, 24),
        Column(_("District"), lambda r: _name(r.district), 12),
        Column(_("Person"), lambda r: r.person_name, 14),
        Column(_("Grounds"), lambda r: r.reason, 50),
        Column(_("Problems"), lambda r: " ".join(p.code for p in r.problems.all()), 30),
        Column(_("Decided by"), lambda r: str(r.decided_by), 14),
        Column(_("Status"), lambda r: r.get_status_display(), 10),
        Column(_("Reason revoked"), lambda r: r.revoke_reason, 30),
    ),
))

_notices = filtered_rows(SupervisionNoticeFilterSet, lambda user: SupervisionNotice.objects.visible_to(user))


def _notice_items(user, data):
    """One row per problem on each notice the list selects."""
    return (SupervisionNoticeItem.objects.filter(notice__in=_notices(user, data).values("pk"))
            .select_related("notice__unit", "notice__district", "problem")
            .order_by("-notice__issued_on", "-notice__serial", "line"))


register(ListExport(
    kind="supervision-notices", title=_("Supervision notices"), list_url="accountability:notice_list",
    filter_names=SupervisionNoticeFilterSet.base_filters, rows=_notice_items,
    columns=(
        Column(_("Number"), lambda i: i.notice.number, 24),
        Column(_("Issued on"), lambda i: i.notice.issued_on, 12),
        Column(_("Unit"), lambda i: i.notice.unit.label, 24),
        Column(_("District"), lambda i: _name(i.notice.district), 12),
        Column(_("No."), lambda i: i.line, 6),
        Column(_("Code"), lambda i: i.problem.code, 14),
        Column(_("Description"), lambda i: i.problem.description, 50),
        Column(_("Deadline"), lambda i: i.deadline, 12),
        Column(_("Days overdue"), lambda i: i.days_overdue, 10),
    ),
))
