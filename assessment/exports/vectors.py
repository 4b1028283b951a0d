"""The vector surveys' list in Excel (campaign/exporting.py), with the page's filters and scope:
one row per survey and its indicators' counts, values and levels."""

from django.utils.translation import gettext_lazy as _

from campaign.exporting import Column, ListExport, filtered_rows, register

from ..filters.vectors import VectorSurveyFilterSet
from ..models import VectorSurvey
from ..vectors.indicators import SPECS


def _counts(survey) -> str:
    return "; ".join(f"{SPECS[c.indicator].label}: {c.positive}/{c.checked} = {c.value} "
                     f"{SPECS[c.indicator].unit_label} ({c.level})" for c in survey.counts.all())


register(ListExport(
    kind="vector_surveys", title=_("Vector surveys"), list_url="assessment:vector_survey_list",
    filter_names=VectorSurveyFilterSet.base_filters,
    rows=filtered_rows(
        VectorSurveyFilterSet,
        lambda user: VectorSurvey.objects.visible_to(user).select_related("district", "place_type")
        .prefetch_related("counts", "sample_points"),
        order=("-surveyed_on", "-id")),
    columns=(
        Column(_("Date"), lambda s: s.surveyed_on, 12),
        Column(_("District"), lambda s: str(s.district), 12),
        Column(_("Species"), lambda s: s.get_species_display(), 10),
        Column(_("Type of place"), lambda s: str(s.place_type), 16),
        Column(_("Control level"), lambda s: s.get_level_display(), 10),
        Column(_("Indicators"), _counts, 60),
        Column(_("Sample points surveyed"), lambda s: "、".join(p.code for p in s.sample_points.all()), 20),
        Column(_("Surveyed by"), lambda s: s.surveyed_by, 20),
        Column(_("Note"), lambda s: s.note, 30),
    ),
))
