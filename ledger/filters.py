"""The ledger's one FilterSet, used by the ledger page, the API and the Excel export."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet
from campaign.models import Category, District, Grid, Road, SamplePoint, Team, Unit
from campaign.widgets import SearchSelect

from .choices import OPEN_STATUSES, ClassStatus, Severity, Source, Status
from .models import AssignmentSheet, Problem, ProblemClass


class ProblemFilterSet(ScopedFilterSet):
    # Every list of the structure is searched on demand (SearchSelect, whose empty search lists
    # the first twenty, so a short list reads as a dropdown): the form renders the chosen
    # choice only and loads none of the others with the page.
    q = django_filters.CharFilter(method="search", label=_("Search"))
    # distinct=False: the filter joins nothing, and DISTINCT would defeat LIMIT on a large ledger.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False, label=_("Status"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.all(), label=_("District"), widget=SearchSelect("district-list")
    )
    grid = django_filters.ModelChoiceFilter(
        queryset=Grid.objects.all(), label=_("Grid"), widget=SearchSelect("grid-list", label_fields=("code", "name"))
    )
    road = django_filters.ModelChoiceFilter(
        queryset=Road.objects.all(), label=_("Road"), widget=SearchSelect("road-list", label_fields=("name", "section"))
    )
    responsible_unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), label=_("Responsible unit"), widget=SearchSelect("unit-list")
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), label=_("Special team"), widget=SearchSelect("team-list")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), label=_("Category"), widget=SearchSelect("category-list")
    )
    sample_point = django_filters.ModelChoiceFilter(
        queryset=SamplePoint.objects.all(), label=_("Sample point"),
        widget=SearchSelect("samplepoint-list", label_fields=("code", "name")),
    )
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    problem_class = django_filters.ModelChoiceFilter(
        queryset=ProblemClass.objects.all(), label=_("Problem class"),
        widget=SearchSelect("problemclass-list", label_fields=("code", "name")),
    )
    rejected = django_filters.BooleanFilter(method="filter_rejected", label=_("Closing rejected before"))
    rebound = django_filters.BooleanFilter(field_name="rebound_of", lookup_expr="isnull", exclude=True, label=_("Rebound"))
    found_from = django_filters.DateFilter(field_name="found_at", lookup_expr="date__gte", label=_("Found from"))
    found_to = django_filters.DateFilter(field_name="found_at", lookup_expr="date__lte", label=_("Found to"))
    deadline_from = django_filters.DateFilter(field_name="deadline", lookup_expr="gte", label=_("Deadline from"))
    deadline_to = django_filters.DateFilter(field_name="deadline", lookup_expr="lte", label=_("Deadline to"))
    closed_from = django_filters.DateFilter(field_name="closed_at", lookup_expr="date__gte", label=_("Closed from"))
    closed_to = django_filters.DateFilter(field_name="closed_at", lookup_expr="date__lte", label=_("Closed to"))

    class Meta:
        model = Problem
        fields = [
            "q", "status", "open", "overdue", "district", "grid", "road", "responsible_unit", "team", "category", "sample_point",
            "source", "severity", "problem_class", "rejected", "rebound", "found_from", "found_to", "deadline_from",
            "deadline_to", "closed_from", "closed_to",
        ]

    def search(self, queryset, name, value):
        """Substring match (works for Chinese text, which has no word boundaries) on the code,
        description and address, or the sample point's name.

        The few matching sample points are looked up first and matched by id: a join to the
        points inside the OR would keep PostgreSQL from answering each branch from its own
        index (the trigram indexes of migration 0005, the sample-point index) and make it scan
        the ledger instead."""
        value = value.strip()
        if not value:
            return queryset
        matches = Q(code__icontains=value) | Q(description__icontains=value) | Q(address__icontains=value)
        point_ids = list(SamplePoint.objects.filter(name__icontains=value).values_list("pk", flat=True))
        if point_ids:
            matches |= Q(sample_point_id__in=point_ids)
        return queryset.filter(matches)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        overdue = Q(status__in=OPEN_STATUSES, deadline__lt=today)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_rejected(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(rejection_count__gt=0) if value else queryset.filter(rejection_count=0)


class AssignmentSheetFilterSet(ScopedFilterSet):
    """The assignment sheets' list: search by number or unit, unit, district, issue dates."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), label=_("Unit"), widget=SearchSelect("unit-list"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), method="filter_district",
                                                label=_("District"))
    issued_from = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__gte", label=_("Issued from"))
    issued_to = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__lte", label=_("Issued until"))

    class Meta:
        model = AssignmentSheet
        fields = ["q", "unit", "district", "issued_from", "issued_to"]

    def search(self, queryset, name, value):
        """Substring of the number (交办〔2026〕47-03号: "47-03" finds it) or of the unit's name."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(unit__name__icontains=value)
                               | Q(unit__name_en__icontains=value))

    def filter_district(self, queryset, name, value):
        """The district a sheet was issued for, or its unit's district."""
        if value is None:
            return queryset
        return queryset.filter(Q(district=value) | Q(unit__district=value))


class ProblemClassFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("Category"))
    status = django_filters.ChoiceFilter(choices=ClassStatus.choices, label=_("Status"))
    responsible_unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("Responsible unit"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))

    class Meta:
        model = ProblemClass
        fields = ["q", "category", "status", "responsible_unit", "district"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset
