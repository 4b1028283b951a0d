"""The ledger's other lists in Excel (campaign/exporting.py): assignment sheets and problem
classes. (The ledger itself has its own template and job: ledger/transfer/export.py.)"""

from django.utils.translation import gettext_lazy as _

from campaign.exporting import Column, ListExport, filtered_rows, register

from . import selectors
from . import sheets as sheet_service
from .filters import AssignmentSheetFilterSet, ProblemClassFilterSet


def _name(related) -> str:
    return str(related) if related is not None else ""


register(ListExport(
    kind="assignment_sheets", title=_("Assignment sheets"), list_url="ledger:sheet_list",
    filter_names=AssignmentSheetFilterSet.base_filters,
    rows=filtered_rows(AssignmentSheetFilterSet,
                       lambda user: sheet_service.sheets_with_counts(sheet_service.sheets_visible_to(user)),
                       order=("-issued_at", "-id")),
    columns=(
        Column(_("Number"), lambda s: s.number, 22),
        Column(_("Unit"), lambda s: _name(s.unit), 24),
        Column(_("District"), lambda s: _name(s.district), 12),
        Column(_("Issued at"), lambda s: s.issued_at, 18),
        Column(_("Issued by"), lambda s: _name(s.issued_by), 14),
        Column(_("Problems"), lambda s: s.problem_count, 8),
        Column(_("Requirements"), lambda s: s.note, 40),
    ),
))

register(ListExport(
    kind="problem_classes", title=_("Problem classes"), list_url="ledger:class_list",
    filter_names=ProblemClassFilterSet.base_filters,
    rows=filtered_rows(ProblemClassFilterSet, selectors.problem_classes_counted, order=("code",)),
    columns=(
        Column(_("Code"), lambda c: c.code, 14),
        Column(_("Name"), lambda c: c.name, 28),
        Column(_("Category"), lambda c: _name(c.category), 16),
        Column(_("Description"), lambda c: c.description, 30),
        Column(_("District"), lambda c: _name(c.district), 12),
        Column(_("Status"), lambda c: c.get_status_display(), 16),
        Column(_("Cause"), lambda c: c.cause, 30),
        Column(_("Measure"), lambda c: c.measure, 40),
        Column(_("Responsible unit"), lambda c: _name(c.responsible_unit), 24),
        Column(_("Deadline"), lambda c: c.deadline, 12),
        Column(_("Measure verified at"), lambda c: c.verified_at, 18),
        Column(_("Times rejected"), lambda c: c.rejection_count, 8),
        Column(_("Problems"), lambda c: c.problem_count, 8),
        Column(_("Still open"), lambda c: c.open_count, 8),
        Column(_("Created at"), lambda c: c.created_at, 18),
    ),
))
