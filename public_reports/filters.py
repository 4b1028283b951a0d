"""The moderation queue's filters: one FilterSet for the staff pages and /api/public-reports/."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import District
from campaign.widgets import SearchSelect

from .choices import Channel, ReportStatus, ReviewState
from .models import PublicCategory, PublicReport


class PublicReportFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Status"))
    public_category = django_filters.ModelChoiceFilter(queryset=PublicCategory.objects.all(), label=_("Category"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"),
                                                widget=SearchSelect("district-list"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    review_state = django_filters.ChoiceFilter(choices=[c for c in ReviewState.choices if c[0]], label=_("Review"))
    submitted_from = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte",
                                               label=_("Reported from"))
    submitted_to = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte",
                                             label=_("Reported to"))

    class Meta:
        model = PublicReport
        fields = ["q", "status", "public_category", "district", "channel", "review_state", "submitted_from",
                  "submitted_to"]

    def search(self, queryset, name, value):
        # The tracking code, what the resident wrote (or the moderator's version), or the address.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(description__icontains=value)
                               | Q(moderated_description__icontains=value) | Q(address__icontains=value))
