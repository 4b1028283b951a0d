"""Pairing's filters: one FilterSet per list, for the page, its Excel export and the API alike."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import Community, District, Unit

from ..choices import PairTaskStatus
from ..models import Pair, PairTask, PairVisit


class CommunityFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))
    street_office = django_filters.CharFilter(lookup_expr="icontains", label=_("Street office"))

    class Meta:
        model = Community
        fields = ["q", "district", "street_office"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset


class PairFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    district = django_filters.ModelChoiceFilter(field_name="community__district", queryset=District.objects.all(),
                                                label=_("District"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Unit"))
    community = django_filters.ModelChoiceFilter(queryset=Community.objects.all(), label=_("Community"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Pair
        fields = ["q", "district", "unit", "community", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(unit__name__icontains=value) | Q(community__name__icontains=value))


class PairTaskFilterSet(ScopedFilterSet):
    pair = django_filters.NumberFilter(field_name="pair_id", label=_("Pair"))
    unit = django_filters.ModelChoiceFilter(field_name="pair__unit", queryset=Unit.objects.all(), label=_("Unit"))
    status = django_filters.ChoiceFilter(choices=PairTaskStatus.choices, label=_("Status"))
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("Due from"))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("Due until"))

    class Meta:
        model = PairTask
        fields = ["pair", "unit", "status", "due_after", "due_before"]


class PairVisitFilterSet(ScopedFilterSet):
    pair = django_filters.NumberFilter(field_name="pair_id", label=_("Pair"))
    visited_after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("Visited from"))
    visited_before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("Visited until"))

    class Meta:
        model = PairVisit
        fields = ["pair", "visited_after", "visited_before"]
