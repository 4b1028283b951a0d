"""``{% url %}``, with the address of a constant name kept once reversed.

Installed as a template builtin (config/settings.py, TEMPLATES ``builtins``), it replaces
Django's tag everywhere. A page's menu names some forty views by constant names
(``{% url 'ledger:problem_list' %}``), and each ``reverse`` walks the URL resolver again: on the
ledger page that was some 75 reverses per request, a fifth of its template time. A constant
name without arguments gives the same address for the same URL configuration, script
prefix, language and current app, so the address is kept per those; anything else (arguments,
a name from a variable, a name that does not reverse) is Django's tag unchanged.
"""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

_KEPT: dict[tuple, str] = {}
_KEEP_AT_MOST = 4096


def _current_app(context):
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


def kept_reverse(name: str, current_app: str | None = None) -> str:
    """``reverse(name)`` of a view name without arguments, kept per URL configuration, script
    prefix, language and current app (the tag below, and the task menu's lists)."""
    key = (name, current_app, get_resolver(get_urlconf()), get_script_prefix(), get_language())
    url = _KEPT.get(key)
    if url is None:
        url = reverse(name, current_app=current_app)
        if len(_KEPT) >= _KEEP_AT_MOST:
            _KEPT.clear()
        _KEPT[key] = url
    return url


class CachedURLNode(defaulttags.URLNode):
    def __init__(self, view_name, args, kwargs, asvar):
        super().__init__(view_name, args, kwargs, asvar)
        # A quoted name is resolved when the template is parsed: ``var`` is then the string
        # itself (a variable is a Variable, a translated name a lazy text).
        var = view_name.var
        constant = not args and not kwargs and not view_name.filters and isinstance(var, str)
        self.constant_name = str(var) if constant else None

    def render(self, context):
        if self.constant_name is None:
            return super().render(context)
        try:
            url = kept_reverse(self.constant_name, _current_app(context))
        except NoReverseMatch:
            return super().render(context)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}`` (same syntax), keeping the address of a constant name."""
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
