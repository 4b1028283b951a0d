"""The filters of the archive's list, the same on the page, in the task home's links and in the
API: status, part (its number), responsible unit, overdue only, and a code or title."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaign.filters import ScopedFilterSet

from ..choices import MaterialStatus
from ..models import MaterialRequirement
from ..selectors import archive as selectors


class MaterialFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MaterialStatus.choices, method="by_status")
    part = django_filters.NumberFilter(label=_("Part"), field_name="article__part__number")
    unit = django_filters.NumberFilter(label=_("Responsible unit"), field_name="responsible_unit_id")
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="by_overdue")
    q = django_filters.CharFilter(label=_("Code or title"), method="by_text", max_length=100)

    class Meta:
        model = MaterialRequirement
        fields = ["status", "part", "unit", "overdue", "q"]

    def by_status(self, queryset, name, value):
        return selectors.with_status(queryset, value) if value else queryset

    def by_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = selectors.overdue(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))

    def by_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value)) if value else queryset


def archive_base(user):
    """The active materials of the edition in use that ``user`` may see (one query, no look-up
    of the edition first: the task home counts every group in one query)."""
    return selectors.requirements_visible_to(user).filter(
        active=True, article__active=True, article__part__edition__in_use=True)


def filtered_requirements(user, data):
    """(rows in the assessors' order, the filterset); ValueError for a malformed filter."""
    filterset = MaterialFilterSet(data, queryset=archive_base(user))
    if not filterset.is_valid():
        raise ValueError(filterset.errors.as_json())
    return selectors.index_rows(filterset.qs), filterset
