"""One FilterSet per model, used by the HTML lists and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import District

from ..choices import Recurrence, RoundPlanKind
from ..models import RoundPlan


class RoundPlanFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=RoundPlanKind.choices, label=_("Kind"))
    recurrence = django_filters.ChoiceFilter(choices=Recurrence.choices, label=_("Recurrence"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = RoundPlan
        fields = ["q", "kind", "recurrence", "district", "active"]
