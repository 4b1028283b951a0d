"""Filters on the standard's parts, articles and materials: the same FilterSets for the
standard's page and for the API (campaign.filters.ScopedFilterSet narrows the choices)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from campaign.filters import ScopedFilterSet
from campaign.models import Team, Unit
from campaign.widgets import SearchSelect

from ..models import MaterialRequirement, StandardArticle, StandardEdition, StandardPart


class StandardEditionFilterSet(ScopedFilterSet):
    in_use = django_filters.BooleanFilter(label=_("In use"))

    class Meta:
        model = StandardEdition
        fields = ["in_use", "code"]


class StandardPartFilterSet(ScopedFilterSet):
    edition = django_filters.ModelChoiceFilter(queryset=StandardEdition.objects.all(), label=_("Edition"))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Special team"))

    class Meta:
        model = StandardPart
        fields = ["edition", "number", "team"]


class StandardArticleFilterSet(ScopedFilterSet):
    edition = django_filters.ModelChoiceFilter(field_name="part__edition", queryset=StandardEdition.objects.all(),
                                               label=_("Edition"))
    part = django_filters.NumberFilter(field_name="part__number", label=_("Part"))
    team = django_filters.ModelChoiceFilter(method="by_team", queryset=Team.objects.all(), label=_("Special team"))
    untitled = django_filters.BooleanFilter(method="by_untitled", label=_("Title to fill in"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = StandardArticle
        fields = ["edition", "part", "team", "untitled", "active"]

    def by_team(self, queryset, name, value):
        # The article's own team, or its part's when it has none.
        if not value:
            return queryset
        return queryset.filter(Q(team=value) | Q(team__isnull=True, part__team=value))

    def by_untitled(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(title="") if value else queryset.exclude(title="")


class MaterialRequirementFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    edition = django_filters.ModelChoiceFilter(field_name="article__part__edition",
                                               queryset=StandardEdition.objects.all(), label=_("Edition"))
    part = django_filters.NumberFilter(field_name="article__part__number", label=_("Part"))
    article = django_filters.ModelChoiceFilter(queryset=StandardArticle.objects.all(), label=_("Article"))
    responsible_unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Responsible unit"),
                                                        widget=SearchSelect("unit-list"))
    team = django_filters.ModelChoiceFilter(method="by_team", queryset=Team.objects.all(), label=_("Special team"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"),
                                           widget=forms.DateInput(attrs={"type": "date"}))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due on or after"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    unassigned = django_filters.BooleanFilter(field_name="responsible_unit", lookup_expr="isnull",
                                              label=_("Without a responsible unit"))
    active = django_filters.BooleanFilter(label=_("Required"))

    class Meta:
        model = MaterialRequirement
        fields = ["q", "edition", "part", "article", "responsible_unit", "team", "due_before", "due_after",
                  "unassigned", "active"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value) | Q(title_en__icontains=value))

    @extend_schema_field(OpenApiTypes.INT)
    def by_team(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(article__team=value) | Q(article__team__isnull=True, article__part__team=value))
