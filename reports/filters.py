"""The reports' one FilterSet, used by the reports page and the API."""

import django_filters
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import District

from .choices import ReportStatus
from .kinds import kind_choices, publishing_kinds
from .models import Report


class _KindChoices(CallableChoiceIterator):
    """The registry's kinds, read when used; not a callable, so the OpenAPI schema still lists
    them as an enum, and sized, as django-filter asks."""

    def __len__(self) -> int:
        return len(self.func())


class ReportFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=_KindChoices(kind_choices), label=_("Kind"),
                                       empty_label=_("All"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Status"), empty_label=_("All"))
    # Any day of the period: 2026-11-18 finds the week of 16-22 November and November's month.
    period = django_filters.DateFilter(method="filter_period", label=_("Period holding the day"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"),
                                                empty_label=_("All"))
    # A report of a kind HQ publishes waits as a draft (HQ's task home links to "done, not published").
    published = django_filters.ChoiceFilter(
        choices=[("yes", _("Published")), ("no", _("Not published"))], method="filter_published",
        label=_("Published"), empty_label=_("All"),
    )
    city_wide = django_filters.BooleanFilter(field_name="district", lookup_expr="isnull", label=_("Whole city"))

    class Meta:
        model = Report
        fields = ["kind", "status", "period", "district", "published", "city_wide"]

    def filter_period(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(period_start__lte=value, period_end__gte=value)

    def filter_published(self, queryset, name, value):
        """Published: HQ published it. Not published: a draft of a kind HQ publishes (reports/kinds);
        the other kinds are never published, so they are in neither."""
        if not value:
            return queryset
        if value == "yes":
            return queryset.filter(published_at__isnull=False)
        return queryset.filter(kind__in=publishing_kinds(), published_at__isnull=True)
