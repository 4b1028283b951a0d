"""Panels that higher apps add to the ground floor's pages.

A sample point's page lives in campaign, which may not import the ledger or inspections; yet
it should show the point's problems and its inspection history. So a higher app registers a
panel for a kind of page from its ``AppConfig.ready()``:

    register_panel("sample_point", Panel(name="problems", template="ledger/_point_problems.html",
                                         context=point_problems_panel, order=10))

Kinds are plain names: ``"sample_point"`` (campaign's sample point page, the object is the
``SamplePoint``) and ``"unit"`` (a unit's page, the object is the ``Unit``). A panel's context
function takes ``(request, obj)`` and returns the template's context, loading everything
through ``visible_to(request.user)``; it returns None to leave the panel out (e.g. a role that
may not see what it shows). The page calls ``render_panels(kind, request, obj)`` and prints the
result in order.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

SAMPLE_POINT = "sample_point"
UNIT = "unit"


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable[..., dict | None]
    order: int = 100


_PANELS: dict[str, dict[str, Panel]] = defaultdict(dict)


def register_panel(kind: str, panel: Panel) -> None:
    """Add (or replace, by name: ready() may run more than once in tests) a panel of a page kind."""
    _PANELS[kind][panel.name] = panel


def panels_for(kind: str) -> list[Panel]:
    return sorted(_PANELS.get(kind, {}).values(), key=lambda panel: (panel.order, panel.name))


def render_panels(kind: str, request, obj) -> list[SafeString]:
    """The registered panels of ``kind`` for ``obj``, rendered in order; panels whose context
    function returns None are left out."""
    rendered = []
    for panel in panels_for(kind):
        context = panel.context(request, obj)
        if context is None:
            continue
        rendered.append(render_to_string(panel.template, {"object": obj, "panel": panel, **context}, request=request))
    return rendered
