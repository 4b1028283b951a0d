"""The API's filters of the model sites and the build-out (the pages use forms/sites.py)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import Category, District, SamplePoint

from ..models import BuildoutState, ModelSite, ModelSiteStatus
from ..selectors.sites import buildout_filter


class ModelSiteFilterSet(ScopedFilterSet):
    district = django_filters.ModelChoiceFilter(field_name="sample_point__district", queryset=District.objects.all(),
                                                label=_("District"))
    category = django_filters.ModelChoiceFilter(field_name="sample_point__category", queryset=Category.objects.all(),
                                                label=_("Category"))
    status = django_filters.ChoiceFilter(choices=ModelSiteStatus.choices, label=_("Status"))

    class Meta:
        model = ModelSite
        fields = ["district", "category", "status"]


class BuildoutFilterSet(ScopedFilterSet):
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("Category"))
    state = django_filters.ChoiceFilter(choices=BuildoutState.choices, label=_("Construction state"),
                                        method="filter_state")
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue")

    class Meta:
        model = SamplePoint
        fields = ["district", "category", "state", "overdue"]

    def filter_state(self, queryset, name, value):
        return buildout_filter(queryset, state=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = buildout_filter(queryset, overdue=True, today=timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
