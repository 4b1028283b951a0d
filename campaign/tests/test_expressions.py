"""campaign.expressions: related names read by scalar subselects give the rows a join gives."""

import pytest
from django.db.models import Expression

from campaign.expressions import RelatedColumn, kept_values_with_related, values_with_related
from campaign.models import SamplePoint

NAMES = ("pk", "code", "district__name", "district__name_en", "category__name_zh", "grid__name", "road__name")


@pytest.mark.django_db
def test_the_rows_are_those_of_values_with_joins_nulls_included(city):
    city.points_a[0].grid = city.grid_a
    city.points_a[0].save()
    joined = list(SamplePoint.objects.order_by("-code", "pk").values(*NAMES))
    by_subselects = list(values_with_related(SamplePoint.objects.order_by("-code", "pk"), NAMES))
    assert by_subselects == joined
    assert any(row["grid__name"] is None for row in by_subselects)
    assert any(row["grid__name"] == city.grid_a.name for row in by_subselects)


def test_identity_is_the_one_django_would_give():
    """Hash and equality as Django's own identity (the class and the constructor's arguments),
    set once and inherited by each resolved copy."""
    column = RelatedColumn(SamplePoint, "district", "name")
    assert column.identity == Expression.identity.func(column)
    assert column == RelatedColumn(SamplePoint, "district", "name")
    assert hash(column) == hash(RelatedColumn(SamplePoint, "district", "name"))
    assert column != RelatedColumn(SamplePoint, "district", "name_en")
    assert column != RelatedColumn(SamplePoint, "grid", "name")
    resolved = column.resolve_expression(SamplePoint.objects.all().query)
    assert resolved is not column and resolved == column and resolved.key is not None


@pytest.mark.django_db
def test_a_kept_query_narrowed_is_the_one_built_afresh(city):
    """kept_values_with_related: each call a copy of one built query; what a copy is narrowed
    by reaches neither the kept query nor the next copy, and gives the SQL and rows of
    values_with_related on a queryset narrowed first."""
    def afresh(district):
        return values_with_related(SamplePoint.objects.filter(district=district).order_by("code"), NAMES)

    narrowed = kept_values_with_related(SamplePoint, NAMES).filter(district=city.district_a).order_by("code")
    assert str(narrowed.query) == str(afresh(city.district_a).query)
    assert list(narrowed) == list(afresh(city.district_a)) and narrowed
    other = kept_values_with_related(SamplePoint, NAMES).filter(district=city.district_b).order_by("code")
    assert list(other) == list(afresh(city.district_b)) and other and list(other) != list(narrowed)
    whole = kept_values_with_related(SamplePoint, NAMES)
    assert not whole.query.where and whole.count() == SamplePoint.objects.count()
    list(whole)  # a copy run holds its rows; the next copy runs afresh
    assert whole._result_cache is not None and kept_values_with_related(SamplePoint, NAMES)._result_cache is None
    assert kept_values_with_related(SamplePoint, NAMES).query is not kept_values_with_related(SamplePoint, NAMES).query
