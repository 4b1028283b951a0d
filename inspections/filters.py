"""One FilterSet per model, used by the HTML lists and the API alike; every model-choice
filter's choices are narrowed to what the user may see (ScopedFilterSet)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import Category, District, SamplePoint

from .choices import InspectionKind, InspectionStatus, RoundStatus
from .models import Inspection, Round


class InspectionFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("Status"))
    sample_point = django_filters.ModelChoiceFilter(queryset=SamplePoint.objects.all(), label=_("Sample point"))
    district = django_filters.ModelChoiceFilter(field_name="sample_point__district", queryset=District.objects.all(),
                                                label=_("District"))
    category = django_filters.ModelChoiceFilter(field_name="sample_point__category", queryset=Category.objects.all(),
                                                label=_("Category"))
    round = django_filters.ModelChoiceFilter(field_name="round_point__round", queryset=Round.objects.all(),
                                             label=_("Round"))
    start = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label=_("Started from"))
    end = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte", label=_("Started until"))

    class Meta:
        model = Inspection
        fields = ["kind", "status", "sample_point", "district", "category", "round", "start", "end"]


class RoundFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, label=_("Status"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))

    class Meta:
        model = Round
        fields = ["kind", "status", "district"]
