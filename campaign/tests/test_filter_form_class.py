"""The filter sets' form class is built once per filter set class and language; the choices a
user may see are still set per request."""

from django.test import RequestFactory
from django.utils import translation

from ledger.filters import ProblemFilterSet
from notifications.filters import NotificationFilterSet


def _filterset(cls, user, data=None):
    request = RequestFactory().get("/")
    request.user = user
    return cls(data, request=request)


def test_one_form_class_per_filter_set_and_language(city):
    with translation.override("en"):
        first = type(_filterset(ProblemFilterSet, city.hq).form)
        assert type(_filterset(ProblemFilterSet, city.district_lead).form) is first
    with translation.override("zh-hans"):
        assert type(_filterset(ProblemFilterSet, city.hq).form) is not first


def test_each_request_lists_what_its_user_may_see(city):
    hq_form = _filterset(ProblemFilterSet, city.hq).form
    lead_form = _filterset(ProblemFilterSet, city.district_lead).form
    other_form = _filterset(ProblemFilterSet, city.other_district_lead).form
    assert type(hq_form) is type(lead_form) is type(other_form)
    assert set(hq_form.fields["district"].queryset) == {city.district_a, city.district_b}
    assert set(lead_form.fields["district"].queryset) == {city.district_a}
    assert set(other_form.fields["district"].queryset) == {city.district_b}
    assert set(lead_form.fields["grid"].queryset) == {city.grid_a}
    # The widget's choices follow the field's queryset (a dropdown lists only these).
    assert {value.value for value, _label in lead_form.fields["district"].widget.choices if value} == {
        city.district_a.pk}
    # A district lead cannot filter by another district: the value is refused.
    refused = _filterset(ProblemFilterSet, city.district_lead, {"district": city.district_b.pk})
    assert not refused.is_valid() and "district" in refused.errors
    allowed = _filterset(ProblemFilterSet, city.hq, {"district": city.district_b.pk})
    assert allowed.is_valid()
    # The shared class's own field still lists every district, untouched by the requests.
    assert set(type(hq_form).base_fields["district"].queryset) == {city.district_a, city.district_b}


def test_a_filter_set_that_changes_its_filters_gets_its_own_form_class(city):
    first = _filterset(NotificationFilterSet, city.hq).form
    second = _filterset(NotificationFilterSet, city.hq).form
    assert type(first) is not type(second)
    assert len(first.fields["event"].choices) > 1
