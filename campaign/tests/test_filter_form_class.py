"""The filter sets' form class is built once per filter set class and language; the choices a
user may see are still set per request."""

import pytest
from django.core.exceptions import ValidationError
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
    # The shared class's own field still lists every district, untouched by the requests (read
    # through a copy: iterating the kept queryset itself would keep its rows for the next test).
    assert set(type(hq_form).base_fields["district"].queryset.all()) == {city.district_a, city.district_b}


def test_a_filter_set_that_changes_its_filters_gets_its_own_form_class(city):
    first = _filterset(NotificationFilterSet, city.hq).form
    second = _filterset(NotificationFilterSet, city.hq).form
    assert type(first) is not type(second)
    assert len(first.fields["event"].choices) > 1


def test_the_user_s_querysets_are_narrowed_only_when_read(city):
    """A request that chooses nothing never narrows a filter's queryset (``visible_to``); one
    that reads it (a chosen value checked or labelled, choices listed) gets the user's rows."""
    from campaign.filters import SamplePointFilterSet

    unbound = _filterset(ProblemFilterSet, city.district_lead)
    html = "".join(str(unbound.form[name]) for name in unbound.form.fields)
    assert 'name="district"' in html
    assert all("_scoped" not in flt.__dict__ for flt in unbound.filters.values())
    # Read, the filter's queryset and the form field's are the user's.
    assert set(unbound.filters["district"].queryset) == {city.district_a}
    assert set(unbound.form.fields["district"].queryset) == {city.district_a}
    # A plain select lists its choices with the page: only the user's rows.
    points = _filterset(SamplePointFilterSet, city.district_lead)
    options = str(points.form["district"])
    assert city.district_a.name in options and city.district_b.name not in options
    grid_options = [str(value) for value, _label in points.form.fields["grid"].choices if value]
    assert grid_options == [str(city.grid_a.pk)]
    # A chosen value is checked against the user's rows.
    chosen = _filterset(SamplePointFilterSet, city.district_lead, {"district": city.district_b.pk})
    assert not chosen.is_valid() and "district" in chosen.errors
    mine = _filterset(ProblemFilterSet, city.district_lead, {"district": city.district_a.pk})
    assert mine.is_valid()
    assert f'<option value="{city.district_a.pk}" selected>{city.district_a}</option>' in str(mine.form["district"])


def test_a_copied_form_keeps_the_user_s_rows(city):
    import copy

    form = _filterset(ProblemFilterSet, city.district_lead).form
    field = copy.deepcopy(form.fields["district"])
    assert set(field.queryset) == {city.district_a}
    assert {value.value for value, _label in field.widget.choices if value} == {city.district_a.pk}


def test_data_without_a_filter_value_need_no_form(city):
    """A list's first page or its cursor alone: every filter would read an empty value, so the
    rows are the scoped queryset's, valid, without the form being built."""
    from django.http import QueryDict

    from ledger.choices import Status
    from ledger.models import Problem
    from ledger.tests.factories import problem_in

    problem_in(city, Status.FOUND)
    for data in (QueryDict(), QueryDict("cursor=abc&page_size=5&sort=deadline")):
        filterset = _filterset(ProblemFilterSet, city.district_lead, data)
        filterset.queryset = Problem.objects.visible_to(city.district_lead)
        assert filterset.is_valid() and not filterset.errors
        assert list(filterset.qs) == list(Problem.objects.visible_to(city.district_lead))
        assert "_form" not in filterset.__dict__
        # The form, asked for, is the same as ever (and agrees).
        assert filterset.form.is_valid()
    # A filter's value, even empty or wrong, goes through the form of the fields sent, which
    # decides as the whole form does.
    for data, valid in (("status=found", True), ("status=", False), ("found_from=not-a-date", False),
                        (f"district={city.district_b.pk}", False)):
        filterset = _filterset(ProblemFilterSet, city.district_lead, QueryDict(data))
        assert filterset.is_valid() is valid, data
        assert "_form" not in filterset.__dict__ and filterset.sent_fields_form() is not None
        whole = _filterset(ProblemFilterSet, city.district_lead, QueryDict(data))
        assert whole.form.is_valid() is valid and dict(whole.form.errors) == dict(filterset.errors), data
    # Unbound: no filtering at all, as django-filter does it.
    assert not _filterset(ProblemFilterSet, city.hq).is_valid()


def test_a_filter_set_that_changes_its_filters_checks_its_form_even_without_values(city):
    from django.http import QueryDict

    filterset = _filterset(NotificationFilterSet, city.hq, QueryDict())
    assert filterset.is_valid()
    assert "_form" in filterset.__dict__


def test_each_form_has_its_own_fields_and_widgets_sharing_only_what_no_request_changes(city):
    """The kept class's fields are copied per form without deep-copying their choices or
    cloning their querysets (campaign.filters._SharedFields): each form still gets its own field,
    widget and widget attributes, and a model-choice field missed by the narrowing fails closed."""
    from django import forms
    from django.http import QueryDict

    from campaign.filters import _SharedFields

    data = QueryDict("status=rectifying&severity=serious")
    first = _filterset(ProblemFilterSet, city.district_lead, data).form
    second = _filterset(ProblemFilterSet, city.hq, data).form
    base = type(first).base_fields
    assert isinstance(base, _SharedFields)
    for name, field in first.fields.items():
        assert field is not base[name] and field is not second.fields[name]
        assert field.widget is not base[name].widget and field.widget is not second.fields[name].widget
        assert field.widget.attrs is not base[name].widget.attrs
        assert field.error_messages is not base[name].error_messages
    first.fields["q"].widget.attrs["data-test"] = "1"
    assert "data-test" not in second.fields["q"].widget.attrs and "data-test" not in base["q"].widget.attrs
    assert first.is_valid() and second.is_valid(), (first.errors, second.errors)
    # The class's fields list every row; the copies list the user's only.
    assert set(base["district"].queryset.all()) == {city.district_a, city.district_b}
    assert set(first.fields["district"].queryset) == {city.district_a}
    # A copy that no filter narrowed lists nothing and refuses every value.
    missed = copy_of(base["district"])
    assert isinstance(missed, forms.ModelChoiceField)
    assert list(missed.queryset) == [] and list(missed.widget.choices) == []
    with pytest.raises(ValidationError):
        missed.clean(str(city.district_a.pk))
    assert missed.clean("") is None


def test_a_filter_set_decides_once_whether_its_filters_are_as_declared(city):
    from unittest import mock

    from campaign.filters import ScopedFilterSet

    compare = ScopedFilterSet._compare_filters_with_declared
    with mock.patch.object(ScopedFilterSet, "_compare_filters_with_declared", autospec=True,
                           side_effect=compare) as compared:
        filterset = _filterset(ProblemFilterSet, city.district_lead, {"severity": "serious"})
        assert filterset.is_valid()
        list(filterset.qs)
        assert not filterset.sends_no_filter()
    assert compared.call_count == 1


def copy_of(field):
    import copy

    from campaign.filters import _SharedFields

    return copy.deepcopy(_SharedFields({"field": field}))["field"]


SENT = (
    "status=found", "status=found&status=rectifying&severity=serious", "overdue=true&open=true",
    "q=%E5%9E%83%E5%9C%BE&sort=deadline", "district={a}", "district={b}", "district={a}&category=999999",
    "found_from=2026-01-01&found_to=2026-12-31", "found_from=not-a-date&status=closed", "status=nonsense",
    "q=abc%00def", "responsible_unit=&status=", "rejected=true&rebound=false&cursor=abc",
)


@pytest.mark.parametrize("data", SENT)
def test_the_form_of_the_fields_sent_filters_as_the_whole_form(city, data):
    """``ScopedFilterSet.sent_fields_form``: with some filters sent, the rows, validity and errors
    come from a form of those fields alone, and they are what django-filter's whole form gives."""
    from django.http import QueryDict

    from ledger.choices import Status
    from ledger.models import Problem
    from ledger.templatetags.ledger_ui import fields_key, filter_fields_key
    from ledger.tests.factories import problem_in

    for status in (Status.FOUND, Status.RECTIFYING, Status.CLOSED):
        problem_in(city, status)
    data = QueryDict(data.format(a=city.district_a.pk, b=city.district_b.pk))
    for user in (city.hq, city.district_lead):
        sent = _filterset(ProblemFilterSet, user, data)
        sent.queryset = Problem.objects.visible_to(user)
        whole = _filterset(ProblemFilterSet, user, data)
        whole.queryset = Problem.objects.visible_to(user)
        whole.form  # noqa: B018 - built first: django-filter's own path
        assert sent.is_valid() is whole.is_valid()
        assert dict(sent.errors) == dict(whole.errors)
        assert list(sent.qs.order_by("pk")) == list(whole.qs.order_by("pk"))
        assert "_form" not in sent.__dict__
        form = sent.sent_fields_form()
        # Its whole form, read afterwards, is checked as django-filter's would be.
        assert sent.form.cleaned_data == whole.form.cleaned_data
        assert set(form.fields) == {name for name in type(whole.form).base_fields if name in data}
        # The filter fields' memo key from the fields sent is the whole form's.
        if not whole.errors:
            assert fields_key(form, type(whole.form), "q") == filter_fields_key(whole.form, "q")


@pytest.mark.parametrize("data", ["", "cursor=abc&foo=1", "status=found", "status=nonsense"])
def test_the_whole_form_read_after_a_check_is_checked(city, data):
    """A view may read ``filterset.form.cleaned_data`` after ``is_valid()`` or ``qs``, as with
    django-filter, whether the check took the form of the fields sent or none (no value sent)."""
    from django.http import QueryDict

    for check in ("is_valid", "qs", "errors"):
        filterset = _filterset(ProblemFilterSet, city.district_lead, QueryDict(data))
        getattr(filterset, check)() if check == "is_valid" else getattr(filterset, check)
        assert "_form" not in filterset.__dict__
        assert isinstance(filterset.form.cleaned_data, dict), (data, check)

