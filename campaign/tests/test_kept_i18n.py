"""campaign/templatetags/kept_i18n.py: ``{% load i18n %}`` gives Django's library, with a
constant ``{% translate %}`` kept once rendered; every form of the tag writes what Django's does."""

import pytest
from django.template import Context, Engine, engines
from django.templatetags import i18n
from django.utils import translation

from campaign.templatetags.kept_i18n import KeptTranslateNode

SOURCE = """{% load i18n %}[{% translate "Problem ledger" %}][{% trans 'Search' %}][{% translate "100% <b>&" %}]
[{% translate "Deadline" as t_deadline %}{{ t_deadline }}][{% translate "Status"|upper %}][{% translate "May" context "month name" %}]
[{% translate "Overdue" noop %}][{% translate label %}][{% blocktranslate count count=n %}{{ count }} problem{% plural %}{{ count }} problems{% endblocktranslate %}]
[{% get_current_language as lang %}{{ lang }}][{{ "en"|language_name_local }}][{% translate "Unknown message & co" %}]"""


def djangos(autoescape: bool):
    return Engine(libraries={"i18n": "django.templatetags.i18n"}, autoescape=autoescape).from_string(SOURCE)


def ours(autoescape: bool):
    return Engine(libraries={"i18n": "campaign.templatetags.kept_i18n"}, autoescape=autoescape).from_string(SOURCE)


@pytest.mark.parametrize("autoescape", [True, False])
def test_every_form_writes_what_djangos_tag_writes_in_each_language_again_and_again(autoescape):
    template, reference = ours(autoescape), djangos(autoescape)
    for language in ("zh-hans", "en", "zh-hans", "en"):  # kept per language, on the same nodes
        with translation.override(language):
            for label in ("Status", "Map"):
                context = {"label": label, "n": 3}
                assert template.render(Context(context, autoescape=autoescape)) == \
                    reference.render(Context(context, autoescape=autoescape))
    with translation.override("zh-hans"):
        assert "问题台账" in template.render(Context({"n": 1}))


def test_only_constant_messages_are_kept():
    nodes = [node for node in ours(True).nodelist if isinstance(node, i18n.TranslateNode)]
    kept = [node.filter_expression.token for node in nodes if isinstance(node, KeptTranslateNode)]
    assert kept == ['"Problem ledger"', "'Search'", '"100% <b>&"', '"Deadline"', '"Unknown message & co"']


def test_the_projects_templates_load_it():
    template = engines["django"].from_string('{% load i18n %}{% translate "Search" %}')
    assert any(isinstance(node, KeptTranslateNode) for node in template.template.nodelist)


def test_the_system_check_allows_the_replaced_i18n_and_still_warns_of_any_other_pair():
    from campaign.template_backend import Templates

    assert engines["django"].check() == []

    def backend(libraries):
        return Templates({"NAME": "check", "DIRS": [], "APP_DIRS": False,
                          "OPTIONS": {"libraries": libraries}})

    assert backend({"i18n": "campaign.templatetags.kept_i18n"}).check() == []
    warnings = backend({"static": "campaign.templatetags.kept_i18n"}).check()
    assert [warning.id for warning in warnings] == ["templates.W003"] and "'static'" in warnings[0].msg
