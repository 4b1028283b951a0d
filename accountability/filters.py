"""One FilterSet per model, used by the HTML lists, their Excel exports and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import District, Unit
from campaign.widgets import SearchSelect

from .choices import EscalationStatus, EscalationStep, RecordStatus
from .models import AccountabilityKind, AccountabilityRecord, Escalation, SupervisionNotice


class AccountabilityRecordFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ModelChoiceFilter(queryset=AccountabilityKind.objects.all(), label=_("Kind"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Unit"),
                                            widget=SearchSelect("unit-list"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"),
                                                widget=SearchSelect("district-list"))
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices, label=_("Status"))
    decided_from = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte", label=_("Decided from"))
    decided_to = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte", label=_("Decided to"))

    class Meta:
        model = AccountabilityRecord
        fields = ["q", "kind", "unit", "district", "status", "decided_from", "decided_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person_name__icontains=value) | Q(reason__icontains=value)
                               | Q(unit__name__icontains=value))


class SupervisionNoticeFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label=_("Number"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Unit"),
                                            widget=SearchSelect("unit-list"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"),
                                                widget=SearchSelect("district-list"))
    issued_from = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte", label=_("Issued from"))
    issued_to = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte", label=_("Issued to"))

    class Meta:
        model = SupervisionNotice
        fields = ["q", "unit", "district", "issued_from", "issued_to"]


class EscalationFilterSet(ScopedFilterSet):
    step = django_filters.ChoiceFilter(choices=[c for c in EscalationStep.choices if c[0] != EscalationStep.NOTICE],
                                       label=_("Step"))
    status = django_filters.ChoiceFilter(choices=EscalationStatus.choices, label=_("Status"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Unit"),
                                            widget=SearchSelect("unit-list"))

    class Meta:
        model = Escalation
        fields = ["step", "status", "unit"]
