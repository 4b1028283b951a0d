"""The spec's two formats, chosen by the URL's extension only (``.json`` or ``.xml``).

XML: a root element (``services``, ``service_requests``, ``service_definition``, ``discovery``,
``errors``), one element per item, fields in the order the dicts give them; a list field is a
wrapper with one element per entry (``attributes`` → ``attribute``), ``None`` an empty element
and booleans ``true``/``false``, as in the spec's examples and the Open311 fixtures.
"""

import json
import re

from django.http import HttpResponse
from lxml import etree

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# A list field's element and the element of each entry.
# Characters XML 1.0 cannot carry (lxml refuses them): shown as U+FFFD rather than failing.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ITEM_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


class FormatConverter:
    """``<open311fmt:fmt>`` in a route: the extension that picks the format."""

    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_ILLEGAL.sub("\ufffd", str(value))


def _append(parent, name: str, value) -> None:
    element = etree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    elif isinstance(value, list | tuple):
        item = ITEM_NAMES.get(name, "item")
        for inner in value:
            _append(element, item, inner)
    else:
        element.text = _text(value)


def to_xml(data, *, root: str, item: str | None = None) -> bytes:
    """``data``: a dict (the root's fields) or, with ``item``, a list of dicts (one element each)."""
    top = etree.Element(root)
    if item is None:
        for key, value in data.items():
            _append(top, key, value)
    else:
        for entry in data:
            _append(top, item, entry)
    return etree.tostring(top, xml_declaration=True, encoding="utf-8", pretty_print=True)


def render(fmt: str, data, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """``data`` as JSON (as given: a list or an object) or as XML under ``root``."""
    if fmt == "xml":
        body = to_xml(data, root=root, item=item)
    else:
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The spec's error answer: a list of {code, description} (XML: ``<errors><error>``)."""
    errors = [{"code": status, "description": str(description)} for description in descriptions]
    return render(fmt, errors, root="errors", item="error", status=status)
