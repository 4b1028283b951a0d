"""``{% memo "name" key… %}…{% endmemo %}``: a fragment rendered once per key, kept in the process.

The menus of every page (base.html) and the ledger's filter fields cost a few milliseconds of
template nodes per request (some 60 ``{% translate %}``, 100 ``{% if %}`` and 20 widgets) and
yet come out the same for every request with the same role, flags, page and language. A
``memo`` block renders its contents once per (name, the resolved keys, language, script
prefix, URL configuration, the request's current app) and gives the kept text afterwards.

The rule that makes it correct: **the block's output must depend on nothing but its keys**
(the language, the script prefix and the URL configuration are added to every key). Anything
else the block reads (a count, a name, a CSRF token, a value from the database) must stay
outside it or be passed as a key. A key that resolves to ``None`` as the first key turns the
memo off for that render (the block is rendered as if there were no memo).

The store is a dict per process, bounded (``KEEP_AT_MOST``: cleared when full); it is never
wrong to forget it. ``enabled = False`` (tests) renders every block afresh.
"""

from django import template
from django.template.loader_tags import BlockNode
from django.urls import get_resolver, get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()

KEEP_AT_MOST = 2048
_KEPT: dict[tuple, str] = {}
enabled = True


def forget() -> None:
    _KEPT.clear()


def _hashable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return str(value)  # a lazy translation, a choice label: its text


class MemoNode(template.Node):
    # A page that extends base.html walks base.html's whole node tree for its {% block %}s on
    # every render (Django's ExtendsNode); a memo holds none (``memo`` refuses one), so the walk
    # skips the menus inside it.
    child_nodelists = ()

    def __init__(self, name, keys, nodelist):
        self.name = name
        self.keys = keys
        self.nodelist = nodelist

    def render(self, context):
        keys = [key.resolve(context) for key in self.keys]
        if not enabled or (keys and keys[0] is None):
            return self.nodelist.render(context)
        urlconf = get_urlconf()
        # {% url %} reverses in the request's current app when it names one (campaign.templatetags.cached_url).
        current_app = getattr(getattr(context, "request", None), "current_app", None)
        key = (self.name, get_language(), get_script_prefix(), get_resolver(urlconf), current_app,
               context.autoescape, *(_hashable(k) for k in keys))
        text = _KEPT.get(key)
        if text is None:
            text = self.nodelist.render(context)
            if len(_KEPT) >= KEEP_AT_MOST:
                _KEPT.clear()
            _KEPT[key] = text
        return text  # the SafeString the nodes rendered


@register.tag
def memo(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("memo takes a quoted name and any keys")
    name = bits[1]
    if not (name[0] == name[-1] and name[0] in "'\""):
        raise template.TemplateSyntaxError("memo's name must be quoted")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        # A kept fragment would hide a child template's override of the block.
        raise template.TemplateSyntaxError("a memo cannot hold a {% block %}")
    return MemoNode(name[1:-1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
