"""Django's template backend (TEMPLATES ``BACKEND``), its system check told of the one tag
library this project replaces on purpose.

``{% load i18n %}`` loads campaign/templatetags/kept_i18n.py (TEMPLATES ``libraries``), which is
Django's ``i18n`` library with a constant ``{% translate %}`` kept once rendered. Django's check
warns when two modules share a library name (templates.W003); that one pair is expected, any
other still warns.
"""

from django.template.backends.django import DjangoTemplates

REPLACED = {"i18n": ("campaign.templatetags.kept_i18n", "django.templatetags.i18n")}


class Templates(DjangoTemplates):
    def _check_for_template_tags_with_the_same_name(self):
        expected = {
            f"{name!r} is used for multiple template tag modules: {', '.join(repr(m) for m in sorted(modules))}"
            for name, modules in REPLACED.items()
        }
        return [warning for warning in super()._check_for_template_tags_with_the_same_name()
                if warning.msg not in expected]
