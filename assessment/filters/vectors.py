"""The vector surveys' filters, for the list page, its Excel export and the API alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from campaign.choices import CategoryKind
from campaign.filters import ScopedFilterSet
from campaign.models import Category, District

from ..models import VectorSurvey
from ..vectors.indicators import Level, Species


class VectorSurveyFilterSet(ScopedFilterSet):
    species = django_filters.ChoiceFilter(choices=Species.choices, label=_("Species"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))
    place_type = django_filters.ModelChoiceFilter(queryset=Category.objects.filter(kind=CategoryKind.KEY_PLACE),
                                                  label=_("Type of place"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Control level"))
    start = django_filters.DateFilter(field_name="surveyed_on", lookup_expr="gte", label=_("From"))
    end = django_filters.DateFilter(field_name="surveyed_on", lookup_expr="lte", label=_("Until"))

    class Meta:
        model = VectorSurvey
        fields = ["species", "district", "place_type", "level", "start", "end"]
