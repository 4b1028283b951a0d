"""The model sites and the build-out in Excel (campaign/exporting.py), scoped as the pages:
the model sites (any status), the points with their construction state, and the figures per
district and category ("the construction of the sample points in the whole region")."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.exporting import Column, ListExport, register

from ..forms.sites import BuildoutFilterForm, GalleryFilterForm
from ..models.sites import may_see_sites
from ..selectors import sites as selectors


def _form(form_class, user, data):
    form = form_class(data or None, user=user)
    if form.is_bound and not form.is_valid():
        raise ValueError(form.errors.as_json())
    return form.cleaned_data if form.is_bound else {}


def _model_site_rows(user, data):
    filters = _form(GalleryFilterForm, user, data)
    rows = selectors.model_site_rows(user)
    if filters.get("district"):
        rows = rows.filter(sample_point__district=filters["district"])
    if filters.get("category"):
        rows = rows.filter(sample_point__category=filters["category"])
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    return rows


register(ListExport(
    kind="model_sites", title=_("Model sites"), list_url="programme:model_site_gallery",
    filter_names=("district", "category", "status"), rows=_model_site_rows, allowed=may_see_sites,
    columns=(
        Column(_("Code"), lambda s: s.sample_point.code, 12),
        Column(_("Name"), lambda s: s.sample_point.name, 24),
        Column(_("District"), lambda s: str(s.sample_point.district), 12),
        Column(_("Category"), lambda s: str(s.sample_point.category), 16),
        Column(_("Address"), lambda s: s.sample_point.address, 24),
        Column(_("Status"), lambda s: s.get_status_display(), 12),
        Column(_("Why it is a model"), lambda s: s.reason, 40),
        Column(_("Marked at"), lambda s: s.marked_at, 16),
        Column(_("Marked by"), lambda s: str(s.marked_by), 12),
        Column(_("Latest score"), lambda s: s.latest_score, 10),
        Column(_("Latest inspection"), lambda s: s.latest_score_at, 16),
        Column(_("Why the status changed"), lambda s: s.status_reason, 40),
    ),
))


def _point_rows(user, data):
    filters = _form(BuildoutFilterForm, user, data)
    points = selectors.buildout_points(user)
    if filters.get("district"):
        points = points.filter(district=filters["district"])
    if filters.get("category"):
        points = points.filter(category=filters["category"])
    return selectors.buildout_filter(points, state=filters.get("state") or "", overdue=bool(filters.get("overdue")))


def _b(point, name):
    buildout = selectors.buildout_of(point)
    return getattr(buildout, name) if buildout else None


def _state(point):
    buildout = selectors.buildout_of(point)
    return buildout.get_state_display() if buildout else selectors.BuildoutState.PLANNED.label


def _overdue(point):
    buildout = selectors.buildout_of(point)
    return bool(buildout and buildout.is_overdue(timezone.localdate()))


register(ListExport(
    kind="sample_point_buildout", title=_("Sample points' build-out"), list_url="programme:buildout_list",
    filter_names=("district", "category", "state", "overdue"), rows=_point_rows, allowed=may_see_sites,
    columns=(
        Column(_("Code"), lambda p: p.code, 12),
        Column(_("Name"), lambda p: p.name, 24),
        Column(_("District"), lambda p: str(p.district), 12),
        Column(_("Category"), lambda p: str(p.category), 16),
        Column(_("Responsible unit"), lambda p: str(p.responsible_unit or ""), 18),
        Column(_("Construction state"), _state, 12),
        Column(_("Planned completion"), lambda p: _b(p, "planned_completion"), 12),
        Column(_("Overdue"), _overdue, 8),
        Column(_("Planned on"), lambda p: _b(p, "planned_on"), 12),
        Column(_("Building since"), lambda p: _b(p, "building_on"), 12),
        Column(_("Ready on"), lambda p: _b(p, "ready_on"), 12),
        Column(_("Checked on"), lambda p: _b(p, "checked_on"), 12),
    ),
))


def _figure_rows(user, data):
    filters = _form(BuildoutFilterForm, user, data)
    lines, total = selectors.buildout_figures(user, district=filters.get("district"), category=filters.get("category"))
    if lines:
        total.district = str(_("Total"))
        lines.append(total)
    return lines


register(ListExport(
    kind="sample_point_buildout_figures", title=_("Build-out of the sample points"),
    list_url="programme:buildout_report", filter_names=("district", "category"), rows=_figure_rows,
    allowed=may_see_sites,
    columns=(
        Column(_("District"), lambda f: f.district, 12),
        Column(_("Category"), lambda f: f.category, 16),
        Column(_("Points"), lambda f: f.total, 8),
        Column(_("Planned"), lambda f: f.planned, 8),
        Column(_("Being built"), lambda f: f.building, 8),
        Column(_("Ready"), lambda f: f.ready, 8),
        Column(_("Checked"), lambda f: f.checked, 8),
        Column(_("Without a plan"), lambda f: f.unplanned, 8),
        Column(_("Overdue"), lambda f: f.overdue, 8),
        Column(_("Ready or checked (per cent)"), lambda f: f.ready_percent, 10),
        Column(_("Checked (per cent)"), lambda f: f.checked_percent, 10),
    ),
))
