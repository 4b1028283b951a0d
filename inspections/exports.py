"""The inspections' lists in Excel (campaign/exporting.py): inspections, scores per sample
point, rounds. Each loads through ``visible_to(user)`` and the page's filters."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.exporting import Column, ListExport, filtered_rows, register

from . import selectors
from .choices import InspectionStatus
from .filters import InspectionFilterSet, RoundFilterSet
from .forms_planning import SCORE_SORTS, ScoreFilterForm
from .models import Inspection, Round


def _name(related) -> str:
    return str(related) if related is not None else ""


register(ListExport(
    kind="inspections", title=_("Inspections"), list_url="inspections:inspection_list",
    filter_names=InspectionFilterSet.base_filters,
    rows=filtered_rows(
        InspectionFilterSet,
        lambda user: Inspection.objects.visible_to(user).select_related(
            "sample_point__district", "sample_point__category").prefetch_related("inspectors"),
        order=("-started_at", "-id")),
    columns=(
        Column(_("Started at"), lambda i: i.started_at, 18),
        Column(_("Kind"), lambda i: i.get_kind_display(), 12),
        Column(_("Sample point"), lambda i: i.sample_point.name, 28),
        Column(_("Code"), lambda i: i.sample_point.code, 14),
        Column(_("Category"), lambda i: _name(i.sample_point.category), 16),
        Column(_("District"), lambda i: _name(i.sample_point.district), 12),
        Column(_("Inspectors"), lambda i: "、".join(str(person) for person in i.inspectors.all()), 20),
        Column(_("Status"), lambda i: i.get_status_display(), 10),
        Column(_("Score"), lambda i: i.score, 8),
        Column(_("Submitted at"), lambda i: i.submitted_at, 18),
        Column(_("Note"), lambda i: i.note, 30),
    ),
))


def _score_rows(user, data):
    """The scores page's list of sample points, with its period, kind and order."""
    from .views.scores import default_start

    form = ScoreFilterForm(data)
    if not form.is_valid():
        raise ValueError(form.errors.as_json())
    start = form.cleaned_data.get("start") if "start" in data else default_start(timezone.localdate())
    points = selectors.point_scores(user=user, start=start, end=form.cleaned_data.get("end"),
                                    kind=form.cleaned_data.get("kind") or None)
    return points.order_by(*SCORE_SORTS[form.cleaned_data["sort"]][1])


register(ListExport(
    kind="scores", title=_("Scores"), list_url="inspections:score_overview",
    filter_names=ScoreFilterForm.base_fields, rows=_score_rows,
    columns=(
        Column(_("Code"), lambda p: p.code, 14),
        Column(_("Sample point"), lambda p: p.name, 28),
        Column(_("Category"), lambda p: _name(p.category), 16),
        Column(_("District"), lambda p: _name(p.district), 12),
        Column(_("Latest score"), lambda p: p.latest_score, 10),
        Column(_("Average score"), lambda p: round(p.average_score, 1) if p.average_score is not None else None, 10),
        Column(_("Inspections"), lambda p: p.inspection_count, 10),
        Column(_("Last inspected"), lambda p: p.last_inspected, 18),
    ),
))

register(ListExport(
    kind="rounds", title=_("Rounds"), list_url="inspections:round_list",
    filter_names=RoundFilterSet.base_filters,
    rows=filtered_rows(
        RoundFilterSet,
        lambda user: Round.objects.visible_to(user).select_related("district").annotate(
            point_total=Count("points", distinct=True),
            point_done=Count("points", filter=Q(points__inspection__status=InspectionStatus.SUBMITTED), distinct=True)),
        order=("-starts_on", "-id")),
    columns=(
        Column(_("Name"), lambda r: r.name, 28),
        Column(_("Kind"), lambda r: r.get_kind_display(), 12),
        Column(_("District"), lambda r: _name(r.district) or _("Whole city"), 12),
        Column(_("Starts on"), lambda r: r.starts_on, 12),
        Column(_("Ends on"), lambda r: r.ends_on, 12),
        Column(_("Status"), lambda r: r.get_status_display(), 10),
        Column(_("Points"), lambda r: r.point_total, 8),
        Column(_("Inspected"), lambda r: r.point_done, 8),
    ),
))
