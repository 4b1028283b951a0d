"""``{% url %}`` keeps the address of a constant view name (campaign/templatetags/cached_url.py)
and still answers what Django's tag answers: per script prefix and URL configuration, with
arguments, names from variables, ``as`` and names that do not reverse."""

from unittest import mock

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from campaign.templatetags import cached_url


def render(text: str, **context) -> str:
    return engines["django"].from_string(text).render(context)


def test_a_constant_name_is_reversed_once_and_answers_as_before():
    cached_url._KEPT.clear()
    with mock.patch.object(cached_url, "reverse", wraps=reverse) as reversing:
        first = render("{% url 'ledger:problem_list' %}")
        again = render("<a href=\"{% url 'ledger:problem_list' %}\">{% url 'ledger:problem_list' as x %}{{ x }}</a>")
    assert first == reverse("ledger:problem_list")
    assert again == f'<a href="{first}">{first}</a>'
    assert reversing.call_count == 1


def test_arguments_variables_and_failures_are_djangos():
    assert render("{% url 'ledger:problem_detail' 7 %}") == reverse("ledger:problem_detail", args=[7])
    assert render("{% url name %}", name="ledger:class_list") == reverse("ledger:class_list")
    assert render("{% url 'no-such-view' as missing %}[{{ missing }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")


def test_the_script_prefix_and_the_url_configuration_are_kept_apart():
    plain = render("{% url 'ledger:problem_list' %}")
    set_script_prefix("/hq/")
    try:
        assert render("{% url 'ledger:problem_list' %}") == "/hq" + plain
    finally:
        set_script_prefix("/")
    assert render("{% url 'ledger:problem_list' %}") == plain
    with override_settings(ROOT_URLCONF=__name__):
        assert render("{% url 'ledger:problem_list' %}") == "/elsewhere/"
    assert render("{% url 'ledger:problem_list' %}") == plain


class _Ledger:
    urlpatterns = [path("elsewhere/", lambda request: None, name="problem_list")]
    app_name = "ledger"


urlpatterns = [path("", include(_Ledger))]  # this module as a URL configuration, for the test above
